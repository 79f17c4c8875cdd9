/**
 * Hash keys of user records on the hot path. Routing reads the partition key's MD5 as four
 * 32-bit words from a reused array (no allocation); the bigint form is built only for the few
 * records that need it (see PendingRecord.hashKey).
 */
import { partitionKeyHashWords, partitionKeyToHashKey } from '@kinesis-kit/common';

const words = new Uint32Array(4);

/**
 * The MD5 words of `partitionKey`, most significant first. The array is reused: read it before
 * the next call.
 * @internal
 */
export function keyHashWords(partitionKey: string): Uint32Array {
  partitionKeyHashWords(partitionKey, words);
  return words;
}

/** A record's hash key, computed once from its partition key when it had no explicit one. @internal */
export function hashKeyOf(record: {
  readonly partitionKey: string;
  hashKey: bigint | undefined;
}): bigint {
  return (record.hashKey ??= partitionKeyToHashKey(record.partitionKey));
}
