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

const oneShotHash = (
  crypto as {
    hash?: ((alg: string, data: Uint8Array, enc: 'buffer') => Buffer) &
      ((alg: string, data: string, enc: 'hex') => string);
  }
).hash;

/** MD5 of `bytes`, as a 16-byte Buffer. */
export function md5(bytes: Uint8Array): Buffer {
  return oneShotHash !== undefined
    ? oneShotHash('md5', bytes, 'buffer')
    : crypto.createHash('md5').update(bytes).digest();
}

/** MD5 of the UTF-8 bytes of `text`, as 32 lowercase hex digits. */
export function md5Hex(text: string): string {
  return oneShotHash !== undefined
    ? oneShotHash('md5', text, 'hex')
    : crypto.createHash('md5').update(text, 'utf8').digest('hex');
}

/** A Buffer over the same memory as `bytes` (no copy), for Buffer's fast string and compare methods. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
