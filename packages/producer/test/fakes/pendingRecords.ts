/** Builders of in-memory records for core tests. */
import { createHash } from 'node:crypto';
import type { PendingRecord, PutResult } from '../../src/core/records.js';

export interface Settled {
  results: PutResult[];
  errors: unknown[];
}

/** A pending user record with a real MD5 hash key; settlements are collected in `settled`. */
export function pending(
  partitionKey: string,
  data: Uint8Array | string,
  options: { arrivedAt?: number; ttl?: number; settled?: Settled } = {},
): PendingRecord {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const arrivedAt = options.arrivedAt ?? 0;
  const settled = options.settled ?? { results: [], errors: [] };
  return {
    partitionKey,
    explicitHashKey: undefined,
    hashKey: BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`),
    data: bytes,
    dataBytes: bytes.length,
    sizeBytes: bytes.length + Buffer.byteLength(partitionKey),
    arrivedAt,
    expiresAt: arrivedAt + (options.ttl ?? 30_000),
    failures: undefined,
    lastAttemptEnd: arrivedAt,
    // Settled through `resolve` (no cohort); a rejection arrives as a rejected promise (see rejectPut).
    cohort: undefined,
    member: 0,
    resolve: (r) => {
      if ('then' in r) r.then(undefined, (e: unknown) => settled.errors.push(e));
      else settled.results.push(r);
    },
    epoch: undefined,
  };
}
