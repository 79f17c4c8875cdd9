/**
 * The producer's in-memory record shapes. A user record (what `put()` was given) travels inside
 * an outbound Kinesis record (an aggregate, or the user record alone), which travels in a
 * PutRecords request. Times are monotonic milliseconds.
 */

import type { Cohort } from './cohort.js';

/** One try at putting a user record. Mirrors the KPL's `Attempt`. @public */
export interface Attempt {
  /** ms between arrival (or the end of the previous attempt) and the start of this one. */
  readonly delayMs: number;
  /** ms the PutRecords call took. */
  readonly durationMs: number;
  /** Error code (`ProvisionedThroughputExceededException`, `WrongShard`, an SDK error name...), or undefined on success. */
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly successful: boolean;
}

/** Where a user record ended up. @public */
export interface PutResult {
  readonly shardId: string;
  /** Sequence number of the Kinesis record holding this user record. */
  readonly sequenceNumber: string;
  /** Index of the user record in its aggregate (0 for a record sent alone). */
  readonly subSequenceNumber: number;
  /** Number of attempts, the successful one included. */
  readonly attempts: number;
}

/**
 * A validated user record waiting to be durably put. Arrival, expiry, the promise's settle
 * functions and the epoch are set once, when the producer accepts it (see validateRecord).
 * @internal
 */
export interface PendingRecord {
  readonly partitionKey: string;
  /** Canonical decimal, only when the caller supplied one (the KPL writes it only then). */
  readonly explicitHashKey: string | undefined;
  /**
   * The 128-bit hash key: set from the explicit hash key, else computed on first use by
   * `hashKeyOf` (routing uses the MD5 words without building a bigint; only the first record of
   * an aggregate, a record sent alone, or a record judged after a reshard needs it).
   */
  hashKey: bigint | undefined;
  /**
   * The user's bytes. Dropped (empty) once the record is sealed into an aggregate, which holds
   * the only copy kept: buffered memory is then about the aggregates alone. `restoreData`
   * recovers it from the aggregate when the record must be packed again.
   */
  data: Uint8Array;
  readonly dataBytes: number;
  /** data + partition key bytes, what the service counts. */
  readonly sizeBytes: number;
  arrivedAt: number;
  expiresAt: number;
  /** Failed attempts so far; allocated on the first failure (most records never need it). */
  failures: Attempt[] | undefined;
  /** End of the last attempt (or arrival), for Attempt.delayMs and BufferingTime. */
  lastAttemptEnd: number;
  /**
   * How the put() promise settles: through the cohort of the aggregate the record joined (see
   * cohort.ts), as its member `member`; or, for a record that joined none (sent alone, or
   * accepted before the shard map), through `resolve`: with a result, or (see rejectPut) with a
   * rejected promise. There is no reject function: the promise's own dies young instead of being
   * kept, with every buffered record, through scavenges. Settle through the producer, which also
   * gives back buffer room (resolvePut, rejectPut).
   */
  cohort: Cohort | undefined;
  member: number;
  resolve: PutSettler | undefined;
  /** The flush epoch the record counts in (opaque here). */
  epoch: unknown;
}

/**
 * How a put() settles without a reject function: a promise's own resolve, which takes a result or
 * a rejected promise (whose reason then rejects it), or the Writable's shared settle function.
 * @internal
 */
export type PutSettler = (result: PutResult | PromiseLike<never>) => void;

/** Resolves `record`'s put() promise with `result`. @internal */
export function resolvePut(record: PendingRecord, result: PutResult): void {
  const cohort = record.cohort;
  if (cohort !== undefined) cohort.resolve(record.member, result);
  else record.resolve?.(result);
}

/**
 * Rejects `record`'s put() promise with `error`. Without a cohort: resolving a promise with a
 * rejected one rejects it with the same reason (a microtask later than reject() would).
 * @internal
 */
export function rejectPut(record: PendingRecord, error: Error): void {
  const cohort = record.cohort;
  if (cohort !== undefined) cohort.reject(record.member, error);
  else record.resolve?.(Promise.reject(error));
}

/** A Kinesis record ready to be sent: an aggregate of user records, or one user record raw. @internal */
export interface OutboundRecord {
  /** The shard the map predicted when it was built. */
  readonly shardId: string;
  readonly items: readonly PendingRecord[];
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
  /** data + outer partition key bytes. */
  readonly sizeBytes: number;
  /** When it must be sent at the latest (earliest item deadline). */
  readonly dueAt: number;
  /** Earliest expiry of its items. */
  readonly expiresAt: number;
  /** Not to be sent before this time (retry backoff). */
  notBefore: number;
  /** Sends so far. */
  sends: number;
}

/** The shape of common's aggregator the producer relies on. @internal */
export interface Aggregator {
  add(record: { partitionKey: string; data: Uint8Array; explicitHashKey?: string }): boolean;
  /**
   * `add` without the checks validateRecord already made; `keyBytes` is the key's UTF-8 length,
   * `keyHash` the low word of its MD5 (routing computed it).
   */
  addValidated(
    record: { partitionKey: string; data: Uint8Array; explicitHashKey?: string },
    data: Uint8Array,
    keyBytes: number,
    keyHash: number,
  ): boolean;
  readonly count: number;
  readonly sizeBytes: number;
  toKinesisRecord(): { partitionKey: string; explicitHashKey?: string; data: Uint8Array };
  reset(): void;
}
