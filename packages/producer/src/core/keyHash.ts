/**
 * Hash keys of user records on the hot path. Routing reads the partition key's MD5 as four
 * 32-bit words from a reused array (no allocation); the bigint form is built only for the few
 * records that need it (see PendingRecord.hashKey).
 *
 * Validation hashes the key (the hash also yields its UTF-8 length, which the record's size
 * needs) and routing, right after, needs the same words: the last key hashed is remembered so
 * the common path hashes once. A record that waited for buffer room is hashed again.
 */
import { partitionKeyHashWords, partitionKeyToHashKey } from '@kinesis-kit/common';

const words = new Uint32Array(4);
let wordsKey: string | undefined;
let wordsKeyBytes = 0;
// A module-local copy: the call runs per record, and an import is read through a getter.
const hashWords = partitionKeyHashWords;

/**
 * The MD5 words of `partitionKey`, most significant first. The array is reused: read it before
 * the next call.
 * @internal
 */
export function keyHashWords(partitionKey: string): Uint32Array {
  if (partitionKey !== wordsKey) {
    wordsKeyBytes = hashWords(partitionKey, words);
    wordsKey = partitionKey;
  }
  return words;
}

/** UTF-8 length of `partitionKey`, from hashing it (see above). @internal */
export function keyUtf8Bytes(partitionKey: string): number {
  keyHashWords(partitionKey);
  return wordsKeyBytes;
}

/** A record's hash key, computed once from its partition key when it had no explicit one. @internal */
export function hashKeyOf(record: {
  readonly partitionKey: string;
  hashKey: bigint | undefined;
}): bigint {
  return (record.hashKey ??= partitionKeyToHashKey(record.partitionKey));
}
