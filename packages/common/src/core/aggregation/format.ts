/**
 * Constants and primitives of the KPL aggregated-record format (kpl.md §1): the envelope is
 * magic (4 bytes) + protobuf AggregatedRecord + MD5 of the protobuf (16 bytes). Kept apart from
 * the encoder and decoder so both use one definition.
 */
import * as crypto from 'node:crypto';

/** The 4 bytes every aggregated record starts with (`KinesisRecord::kMagic`). @public */
export const AGGREGATION_MAGIC: Uint8Array = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);

/** Magic plus MD5 trailer: the bytes an aggregate adds around its protobuf body. @public */
export const AGGREGATION_OVERHEAD_BYTES = 20;

/** MD5 digest length. */
export const DIGEST_BYTES = 16;

/**
 * The outer partition key the KPL gives every aggregate of two or more records: a 1-byte key,
 * since the record is routed by its explicit hash key anyway. @public
 */
export const AGGREGATE_PARTITION_KEY = 'a';

// Protobuf tags (field number << 3 | wire type), kpl.md §1.2.
export const TAG_PARTITION_KEY_TABLE = 0x0a;
export const TAG_EXPLICIT_HASH_KEY_TABLE = 0x12;
export const TAG_RECORDS = 0x1a;
export const TAG_PARTITION_KEY_INDEX = 0x08;
export const TAG_EXPLICIT_HASH_KEY_INDEX = 0x10;
export const TAG_DATA = 0x1a;

/** Bytes in the base-128 varint encoding of a non-negative integer below 2^53. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let rest = Math.floor(value / 0x10000000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 0x80);
  }
  return size;
}

/** Writes `value` (< 2^53) as a varint at `offset`; returns the offset after it. */
export function writeVarint(out: Uint8Array, offset: number, value: number): number {
  let o = offset;
  let v = value;
  while (v >= 0x80) {
    out[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[o++] = v;
  return o;
}

const oneShotHash = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer })
  .hash;

/** MD5 of `bytes`, as a 16-byte Buffer. */
export function md5(bytes: Uint8Array): Buffer {
  return oneShotHash !== undefined
    ? oneShotHash('md5', bytes, 'buffer')
    : crypto.createHash('md5').update(bytes).digest();
}

/** A Buffer over the same memory as `bytes` (no copy), for Buffer's fast string and compare methods. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
