/**
 * Hash keys of user records on the hot path. Routing reads the partition key's MD5 as four
 * 32-bit words from a reused array (no allocation); the bigint form is built only for the few
 * records that need it (see PendingRecord.hashKey).
 *
 * Validation hashes the key (the hash also yields its UTF-8 length, which the record's size
 * needs) and routing, right after, needs the same words: the words remember which record they
 * belong to, so the common path hashes once. A record that waited for buffer room is hashed again.
 */
import { partitionKeyHashWords, partitionKeyToHashKey } from '@kinesis-kit/common';

const words = new Uint32Array(4);
/** The record whose key `words` holds (compared by identity: comparing key strings was slow). */
let wordsOwner: object | undefined;
// A module-local copy: the call runs per record, and an import is read through a getter.
const hashWords = partitionKeyHashWords;

/**
 * Hashes `partitionKey` into the shared words and returns its UTF-8 length. The words belong to
 * no record until `claimKeyHashWords` names one.
 * @internal
 */
export function hashKeyWords(partitionKey: string): number {
  wordsOwner = undefined;
  return hashWords(partitionKey, words);
}

/** Marks the shared words as those of `record` (whose key was just hashed). @internal */
export function claimKeyHashWords(record: object): void {
  wordsOwner = record;
}

/**
 * The MD5 words of `record`'s partition key, most significant first: the shared words if they are
 * its own, else hashed now. The array is reused: read it before the next call.
 * @internal
 */
export function keyHashWordsOf(record: { readonly partitionKey: string }): Uint32Array {
  if (wordsOwner !== record) {
    hashWords(record.partitionKey, words);
    wordsOwner = record;
  }
  return words;
}

/** A record's hash key, computed once from its partition key when it had no explicit one. @internal */
export function hashKeyOf(record: {
  readonly partitionKey: string;
  hashKey: bigint | undefined;
}): bigint {
  return (record.hashKey ??= partitionKeyToHashKey(record.partitionKey));
}
