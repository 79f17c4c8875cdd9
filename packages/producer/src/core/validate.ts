/**
 * Checks one user record before it is accepted, so that bad input rejects that put() alone with
 * an error naming the field and the limit, and never reaches a PutRecords request where it would
 * fail a whole batch. Uses common's validators so the producer, the aggregator and the consumer
 * agree on what a valid key is.
 */
import {
  RecordTooLargeError,
  ValidationError,
  parseExplicitHashKey,
  partitionKeyToHashKey,
  toDataBytes,
  validatePartitionKey,
} from '@kinesis-kit/common';

/** What put() takes. @public */
export interface UserRecordInput {
  /** 1..256 characters; its MD5 picks the shard unless `explicitHashKey` is given. */
  readonly partitionKey: string;
  /** Bytes, or a string sent as UTF-8. */
  readonly data: Uint8Array | string;
  /** Decimal string or bigint in 0..2^128-1 that picks the shard instead of the key's MD5. */
  readonly explicitHashKey?: string | bigint;
}

/** A validated record. @internal */
export interface ValidRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly explicitHashKey: string | undefined;
  readonly hashKey: bigint;
  /** data + partition key UTF-8 bytes: what the service counts against the record limit. */
  readonly sizeBytes: number;
}

/** Validates `input`; throws ValidationError or RecordTooLargeError naming the field. @internal */
export function validateRecord(input: unknown, maxRecordSizeBytes: number): ValidRecord {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError('record', `must be an object with partitionKey and data`);
  }
  const { partitionKey, data, explicitHashKey } = input as Partial<UserRecordInput>;
  validatePartitionKey(partitionKey);
  if (data === undefined || data === null) {
    throw new ValidationError('data', 'must be a Uint8Array or a string, got nothing');
  }
  const bytes = toDataBytes(data);
  let hashKey: bigint;
  let ehk: string | undefined;
  if (explicitHashKey === undefined || explicitHashKey === null) {
    hashKey = partitionKeyToHashKey(partitionKey);
  } else {
    hashKey = parseExplicitHashKey(explicitHashKey);
    ehk = hashKey.toString();
  }
  const sizeBytes = bytes.length + byteLength(partitionKey);
  if (sizeBytes > maxRecordSizeBytes) {
    throw new RecordTooLargeError('data', sizeBytes, maxRecordSizeBytes, {
      counted: 'data + partitionKey',
    });
  }
  return { partitionKey, data: bytes, explicitHashKey: ehk, hashKey, sizeBytes };
}

/** UTF-8 length; ASCII keys (the common case) skip the encoder. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return s.length;
}
