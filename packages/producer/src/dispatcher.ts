/**
 * Sends planned PutRecords requests and acts on every entry's result: settles the user records of
 * a Kinesis record that landed where its records belong, routes again the ones that did not
 * (kpl.md §2.4), feeds throttling back into the shard's rate, and retries, expires or fails the
 * rest. Also expires records that waited past their TTL.
 */
import type { Logger, TypedEmitter } from '@kinesis-kit/common';
import type { EntryResult, RecordWriter, WriteResult } from './adapters/kinesisWriter.js';
import type { BufferPool } from './bufferPool.js';
import type { PlannedBatch } from './core/batchPlanner.js';
import { rejectPut, resolvePut } from './core/records.js';
import type { Attempt, OutboundRecord, PendingRecord } from './core/records.js';
import { WRONG_SHARD, classifyEntryError, planRetry } from './core/retryPlanner.js';
import type { FailureKind } from './core/retryPlanner.js';
import { DeliveryFailedError, RecordExpiredError } from './errors.js';
import type { ProducerEvents } from './events.js';
import type { MetricsRecorder } from './metrics/recorder.js';
import type { ResolvedProducerOptions } from './options.js';

/** @internal */
export interface DispatcherDeps {
  readonly options: ResolvedProducerOptions;
  readonly writer: RecordWriter;
  readonly pool: BufferPool;
  readonly metrics: MetricsRecorder;
  readonly emitter: TypedEmitter<ProducerEvents>;
  readonly logger: Logger;
  /** Gives back the buffer room and flush count of a record that settled. */
  readonly settle: (record: PendingRecord) => void;
  /** `settle` for every record of a Kinesis record that succeeded, in one go. */
  readonly settleAll: (records: readonly PendingRecord[]) => void;
  readonly wake: () => void;
  readonly requestRefresh: (reason: string, observedAt: number) => void;
}

interface Unverified {
  readonly record: OutboundRecord;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** @internal */
export class Dispatcher {
  inFlight = 0;
  /** Bytes (data + keys) of the requests in flight. */
  inFlightBytes = 0;
  private readonly requests = new Set<Promise<void>>();
  /** Successes on a shard the map did not know: judged again when the next map arrives. */
  private unverified: Unverified[] = [];
  /** Records in requests that close() gave up on: their late results are ignored. */
  private abandoned = new WeakSet<OutboundRecord>();
  private readonly inFlightRecords = new Set<OutboundRecord>();

  constructor(private readonly deps: DispatcherDeps) {}

  send(batch: PlannedBatch, now: number): void {
    this.inFlight += 1;
    let bytes = 0;
    for (const r of batch.records) bytes += r.sizeBytes;
    this.inFlightBytes += bytes;
    for (const shard of batch.shards) shard.inFlight += 1;
    const entries = batch.records.map((r) => {
      r.sends += 1;
      this.inFlightRecords.add(r);
      return { partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey, data: r.data };
    });
    const metrics = this.deps.metrics;
    if (metrics.enabled) this.requestMetrics(batch, now);
    const request = this.deps.writer
      .putRecords(entries)
      .catch((error: unknown): WriteResult => ({
        ok: false,
        code: 'UnknownError',
        kind: 'retriable',
        error,
      }))
      .then((result) => {
        this.inFlight -= 1;
        this.inFlightBytes -= bytes;
        for (const shard of batch.shards) {
          shard.inFlight -= 1;
          this.deps.pool.released(shard);
        }
        this.onResult(batch, result, now);
      })
      .catch((error: unknown) => this.deps.logger.error('result handling failed', { error }))
      .finally(() => {
        this.requests.delete(request);
        this.deps.wake();
      });
    this.requests.add(request);
  }

  /** Successes on a shard the map does not know yet, waiting for the next map's verdict. */
  get awaitingVerdict(): number {
    return this.unverified.length;
  }

  /** Rejects records whose TTL passed while they waited (queued or without a shard). */
  expire(now: number): void {
    const { records, unrouted } = this.deps.pool.takeExpired(now);
    for (const record of records) {
      this.expireRecord(record.items, record.shardId);
      this.deps.pool.finished(record);
    }
    this.expireRecord(unrouted, undefined);
  }

  /** A new shard map arrived: judge the successes that landed on shards the old map lacked. */
  reverify(now: number): void {
    const waiting = this.unverified;
    this.unverified = [];
    for (const u of waiting) this.judge(u.record, u.shardId, u.sequenceNumber, now, now, true);
  }

  /** close() deadline: reject what is in flight or awaiting verification; ignore late results. */
  abandon(errorFor: (record: PendingRecord) => Error): void {
    // Their blocks are released when their requests settle (onResult): until then the SDK may
    // still read them.
    for (const record of this.inFlightRecords) {
      this.abandoned.add(record);
      for (const item of record.items) this.reject(item, errorFor(item), record.shardId);
    }
    this.inFlightRecords.clear();
    for (const u of this.unverified) {
      for (const item of u.record.items) this.reject(item, errorFor(item), u.shardId);
      this.deps.pool.finished(u.record);
    }
    this.unverified = [];
  }

  /** Resolves when no request is in flight. */
  async idle(): Promise<void> {
    while (this.requests.size > 0) await Promise.allSettled([...this.requests]);
  }

  private onResult(batch: PlannedBatch, result: WriteResult, sentAt: number): void {
    const now = this.deps.options.clock.monotonic();
    const duration = now - sentAt;
    if (this.deps.metrics.enabled)
      this.deps.metrics.stream('RequestTime', duration, 'Milliseconds');
    const live = batch.records.filter((r) => {
      this.inFlightRecords.delete(r);
      if (!this.abandoned.has(r)) return true;
      // Settled by close(); the request that carried it has settled now too.
      this.deps.pool.finished(r);
      return false;
    });
    if (!result.ok) {
      this.deps.metrics.error(result.code, undefined);
      this.deps.metrics.stream('AllErrors', 1, 'Count');
      const message = result.error instanceof Error ? result.error.message : String(result.error);
      if (result.kind === 'throttled') this.throttled(live, live, sentAt, now);
      for (const record of live) {
        this.recordAttempt(record, sentAt, duration, result.code, message);
        this.failed(record, result.kind, result.code, message, result.error, now);
      }
      return;
    }
    const throttled: OutboundRecord[] = [];
    batch.records.forEach((record, i) => {
      if (this.abandoned.has(record)) return; // finished above
      const entry: EntryResult = result.entries[i]!;
      if (entry.ok) {
        this.recordAttempt(record, sentAt, duration, undefined, undefined);
        this.judge(record, entry.shardId, entry.sequenceNumber, sentAt, now, false);
        return;
      }
      this.recordAttempt(record, sentAt, duration, entry.code, entry.message);
      const kind = classifyEntryError(entry.code);
      if (kind === 'throttled') throttled.push(record);
      this.deps.metrics.error(entry.code, record.shardId);
      this.deps.metrics.shard('KinesisRecordsPut', record.shardId, 0, 'Count');
      this.deps.metrics.shard('AllErrors', record.shardId, 1, 'Count');
      this.failed(record, kind, entry.code, entry.message, undefined, now);
    });
    if (throttled.length > 0) this.throttled(throttled, batch.records, sentAt, now);
  }

  /** Decides whether a success stands (kpl.md §2.4, with the whole-aggregate rule of ShardRouter). */
  private judge(
    record: OutboundRecord,
    shardId: string,
    sequenceNumber: string,
    sentAt: number,
    now: number,
    final: boolean,
  ): void {
    const router = this.deps.pool.router;
    const verdict = router ? router.judge(record, shardId) : 'unknown-shard';
    if (shardId !== record.shardId)
      this.deps.requestRefresh('record landed on another shard', sentAt);
    if (verdict === 'ok') {
      this.succeeded(record, shardId, sequenceNumber);
      return;
    }
    if (verdict === 'unknown-shard' && !final) {
      // The map does not know the shard yet (a child of a split or merge): wait for the refresh.
      this.unverified.push({ record, shardId, sequenceNumber });
      return;
    }
    // Stored on a shard whose range does not hold every record: a KCL consumer drops the whole
    // aggregate there, so every record in it is sent again.
    const message = `landed on ${shardId}, predicted ${record.shardId}`;
    for (const item of record.items) {
      (item.failures ??= []).push({
        delayMs: 0,
        durationMs: 0,
        errorCode: WRONG_SHARD,
        errorMessage: message,
        successful: false,
      });
    }
    this.deps.metrics.error(WRONG_SHARD, record.shardId);
    this.failed(record, 'retriable', WRONG_SHARD, `landed on ${shardId}`, undefined, now, true);
  }

  private succeeded(record: OutboundRecord, shardId: string, sequenceNumber: string): void {
    const items = record.items;
    const aggregated = items.length > 1;
    const m = this.deps.metrics;
    if (m.enabled) {
      m.shard('KinesisRecordsPut', shardId, 1, 'Count');
      m.shard('KinesisRecordsDataPut', shardId, record.data.length, 'Bytes');
      m.shard('AllErrors', shardId, 0, 'Count');
    }
    // Buffer room and flush counts per Kinesis record rather than per user record: the
    // promises settle in microtasks after this loop either way.
    this.deps.settleAll(items);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (m.enabled) {
        m.shard('UserRecordsPut', shardId, 1, 'Count');
        m.shard('UserRecordsDataPut', shardId, item.dataBytes, 'Bytes');
        m.shard('RetriesPerRecord', shardId, item.failures?.length ?? 0, 'Count');
      }
      resolvePut(item, {
        shardId,
        sequenceNumber,
        subSequenceNumber: aggregated ? i : 0,
        attempts: (item.failures?.length ?? 0) + 1,
      });
    }
    this.deps.pool.finished(record);
  }

  private failed(
    record: OutboundRecord,
    kind: FailureKind,
    code: string,
    message: string,
    cause: unknown,
    now: number,
    reroute = false,
  ): void {
    const o = this.deps.options;
    const decision = planRetry(record, kind, now, o, o.random);
    if (decision.action === 'retry') {
      this.deps.emitter.emit('retrying', {
        shardId: record.shardId,
        errorCode: code,
        sends: record.sends,
      });
      if (reroute) {
        this.deps.pool.readmit(this.deps.pool.unpack(record), now);
      } else {
        record.notBefore = decision.notBefore;
        this.deps.pool.requeue(record, now);
      }
      return;
    }
    if (decision.action === 'expire') {
      this.expireRecord(record.items, record.shardId);
      this.deps.pool.finished(record);
      return;
    }
    for (const item of record.items) {
      const error = new DeliveryFailedError(code, message, item.failures ?? [], {
        cause,
        retriable: kind !== 'fatal',
        context: { streamName: o.streamLabel, shardId: record.shardId },
      });
      this.reject(item, error, record.shardId);
    }
    this.deps.pool.finished(record);
  }

  private expireRecord(items: readonly PendingRecord[], shardId: string | undefined): void {
    for (const item of items) {
      if (shardId !== undefined) this.deps.metrics.shard('UserRecordExpired', shardId, 1, 'Count');
      const error = new RecordExpiredError(item.failures ?? [], {
        streamName: this.deps.options.streamLabel,
        ...(shardId !== undefined && { shardId }),
      });
      this.reject(item, error, shardId);
    }
  }

  private reject(item: PendingRecord, error: Error, shardId: string | undefined): void {
    if (shardId !== undefined) this.deps.metrics.shard('UserRecordsPut', shardId, 0, 'Count');
    this.deps.settle(item);
    rejectPut(item, error);
    this.deps.emitter.emit('recordFailed', { shardId, error });
  }

  private throttled(
    records: readonly OutboundRecord[],
    sent: readonly OutboundRecord[],
    sentAt: number,
    now: number,
  ): void {
    const refused = new Map<string, { entries: number; bytes: number }>();
    for (const r of records) {
      const t = refused.get(r.shardId) ?? { entries: 0, bytes: 0 };
      t.entries += 1;
      t.bytes += r.sizeBytes;
      refused.set(r.shardId, t);
    }
    for (const [shardId, t] of refused) {
      const shard = this.deps.pool.get(shardId);
      if (!shard) continue;
      let sentBytes = 0;
      for (const r of sent) if (r.shardId === shardId) sentBytes += r.sizeBytes;
      const limiter = this.deps.pool.limiterOf(shard);
      limiter.onThrottle(sentAt, now, sentBytes > 0 ? t.bytes / sentBytes : 1);
      this.deps.emitter.emit('throttled', {
        shardId,
        entries: t.entries,
        rateFraction: limiter.fraction,
      });
    }
  }

  private recordAttempt(
    record: OutboundRecord,
    sentAt: number,
    durationMs: number,
    errorCode: string | undefined,
    errorMessage: string | undefined,
  ): void {
    // Whole milliseconds, as accept() stores arrival: one fractional store into a record's time
    // field makes V8 give that field of every record created afterwards a heap-number box
    // (measured: 16 bytes more per record, kept while it is buffered).
    const end = Math.floor(sentAt + durationMs);
    const items = record.items;
    if (errorCode === undefined) {
      for (let i = 0; i < items.length; i++) items[i]!.lastAttemptEnd = end;
      return;
    }
    for (const item of items) {
      const attempt: Attempt = {
        delayMs: sentAt - item.lastAttemptEnd,
        durationMs,
        errorCode,
        errorMessage,
        successful: false,
      };
      (item.failures ??= []).push(attempt);
      item.lastAttemptEnd = end;
    }
  }

  private requestMetrics(batch: PlannedBatch, now: number): void {
    const m = this.deps.metrics;
    let users = 0;
    for (const r of batch.records) {
      users += r.items.length;
      m.shard('UserRecordsPerKinesisRecord', r.shardId, r.items.length, 'Count');
      for (const item of r.items) {
        m.shard('BufferingTime', r.shardId, now - item.lastAttemptEnd, 'Milliseconds');
      }
    }
    m.stream('KinesisRecordsPerPutRecordsRequest', batch.records.length, 'Count');
    m.stream('UserRecordsPerPutRecordsRequest', users, 'Count');
  }
}
