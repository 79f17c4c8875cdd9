/**
 * Checks one user record before it is accepted, so that bad input rejects that put() alone with
 * an error naming the field and the limit, and never reaches a PutRecords request where it would
 * fail a whole batch. Uses common's validators so the producer, the aggregator and the consumer
 * agree on what a valid key is.
 */
import {
  MAX_PARTITION_KEY_LENGTH,
  RecordTooLargeError,
  ValidationError,
  parseExplicitHashKey,
  toDataBytes,
  validatePartitionKey,
} from '@kinesis-kit/common';
import { claimKeyHashWords, hashKeyWords } from './keyHash.js';
import type { PendingRecord } from './records.js';

// Module-local copies of the functions called for every record: a transpiled or CommonJS import
// reads each through an export getter, which profiles of the put() path showed when V8 ran out of
// inlining budget in the larger callers.
const checkPartitionKey: typeof validatePartitionKey = validatePartitionKey;
const asBytes = toDataBytes;
const keyBytes = hashKeyWords;
const claimWords = claimKeyHashWords;
const MAX_KEY_UNITS = MAX_PARTITION_KEY_LENGTH;

/** What put() takes. @public */
export interface UserRecordInput {
  /** 1..256 characters; its MD5 picks the shard unless `explicitHashKey` is given. */
  readonly partitionKey: string;
  /** Bytes, or a string sent as UTF-8. */
  readonly data: Uint8Array | string;
  /** Decimal string or bigint in 0..2^128-1 that picks the shard instead of the key's MD5. */
  readonly explicitHashKey?: string | bigint;
}

/**
 * Validates `input`; throws ValidationError or RecordTooLargeError naming the field. Returns the
 * record as the producer will hold it, so that accepting a record allocates one object: its
 * arrival, expiry, settle functions and epoch are placeholders until the producer accepts it.
 * The hash key is left for routing to compute (see PendingRecord.hashKey) unless explicit.
 * @internal
 */
export function validateRecord(input: unknown, maxRecordSizeBytes: number): PendingRecord {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('record', `must be an object with partitionKey and data`);
  }
  const { partitionKey, data, explicitHashKey } = input as Partial<UserRecordInput>;
  const explicit = explicitHashKey !== undefined && explicitHashKey !== null;
  // Without an explicit hash key routing hashes the key anyway; hashing it here yields its UTF-8
  // length too (for the record's size), and routing then reuses the words (keyHash.ts). A key
  // with as many UTF-8 bytes as UTF-16 units is ASCII, so it holds no lone surrogate: the full
  // check (a native scan) is left for the others.
  let keyUtf8 = 0;
  if (
    explicit ||
    typeof partitionKey !== 'string' ||
    partitionKey.length === 0 ||
    partitionKey.length > MAX_KEY_UNITS
  ) {
    checkPartitionKey(partitionKey);
  } else {
    keyUtf8 = keyBytes(partitionKey);
    if (keyUtf8 !== partitionKey.length) checkPartitionKey(partitionKey);
  }
  if (data === undefined || data === null) {
    throw new ValidationError('data', 'must be a Uint8Array or a string, got nothing');
  }
  const bytes = asBytes(data);
  let hashKey: bigint | undefined;
  let ehk: string | undefined;
  if (explicit) {
    hashKey = parseExplicitHashKey(explicitHashKey);
    ehk = hashKey.toString();
    keyUtf8 = byteLength(partitionKey);
  }
  const sizeBytes = bytes.length + keyUtf8;
  if (sizeBytes > maxRecordSizeBytes) {
    throw new RecordTooLargeError('data', sizeBytes, maxRecordSizeBytes, {
      counted: 'data + partitionKey',
    });
  }
  const record: PendingRecord = {
    partitionKey,
    explicitHashKey: ehk,
    hashKey,
    data: bytes,
    dataBytes: bytes.length,
    sizeBytes,
    arrivedAt: 0,
    expiresAt: 0,
    failures: undefined,
    lastAttemptEnd: 0,
    cohort: undefined,
    member: 0,
    resolve: undefined,
    epoch: undefined,
  };
  if (hashKey === undefined) claimWords(record);
  return record;
}

/** UTF-8 length; ASCII keys (the common case) skip the encoder. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}
