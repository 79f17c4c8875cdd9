/**
 * Everything buffered for one predicted shard: the aggregate being filled, the sealed Kinesis
 * records waiting for budget, and the ones waiting to be retried. One aggregator per shard (as
 * the KPL's one reducer per shard) is what makes every aggregate's user records share a shard,
 * so the outer explicit hash key (the first record's) routes the whole aggregate correctly.
 */
import { deaggregate } from '@kinesis-kit/common';
import type { BlockPool } from './blockPool.js';
import { Cohort } from './cohort.js';
import { hashKeyOf, keyHashWordsOf } from './keyHash.js';
import type { Aggregator, OutboundRecord, PendingRecord } from './records.js';

const EMPTY = new Uint8Array(0);
// A module-local copy: called per record, and an import is read through a getter.
const hashWordsOf = keyHashWordsOf;

/** @internal */
export interface ShardBufferConfig {
  readonly aggregationEnabled: boolean;
  readonly aggregationMaxCount: number;
  readonly aggregationMaxSize: number;
  readonly recordMaxBufferedTime: number;
  /** One Kinesis record per shard per round trip (see `ShardBuffer.holdsOpen`). */
  readonly preserveOrder?: boolean;
}

/** Where the next record to send comes from. @internal */
export type CandidateSource = 'retry' | 'ready';

/** @internal */
export class ShardBuffer {
  private open: PendingRecord[] = [];
  private openDueAt = Number.POSITIVE_INFINITY;
  /** The put() promises of the records in `open` (see cohort.ts). */
  private cohort: Cohort | undefined;
  /** Queued records from `head` on; slots before it are cleared as they are taken. */
  private ready: (OutboundRecord | undefined)[] = [];
  private head = 0;
  /** Retries, oldest first (they were built before anything still in `ready`). */
  private retries: OutboundRecord[] = [];
  /** PutRecords requests in flight that carry a record of this shard. */
  inFlight = 0;
  /** Kinesis records and bytes waiting in `ready` and `retries`. */
  queuedCount = 0;
  queuedBytes = 0;

  private readonly aggregator: Aggregator | undefined;

  constructor(
    readonly shardId: string,
    private readonly config: ShardBufferConfig,
    private readonly makeAggregator: (() => Aggregator) | undefined,
    /** Where the aggregators' blocks come from (see restoreData). */
    private readonly blocks?: BlockPool,
  ) {
    this.aggregator = config.aggregationEnabled ? makeAggregator?.() : undefined;
  }

  /**
   * True when the aggregate being filled should stay open past its deadline: with preserveOrder
   * the shard sends one Kinesis record per round trip, so while a request is in flight (or a
   * sealed record waits its turn) sealing would only queue a small aggregate behind it. Kept
   * open, it grows until the shard is free (or it is full), and each round trip carries
   * everything that arrived during the previous one. Sealing on the deadline instead sent one
   * recordMaxBufferedTime's worth per round trip and fell behind whenever a round trip took longer.
   */
  get holdsOpen(): boolean {
    return this.config.preserveOrder === true && (this.inFlight > 0 || this.queuedCount > 0);
  }

  /** Due time of the aggregate being filled (Infinity when none). */
  get openDeadline(): number {
    return this.openDueAt;
  }

  get isEmpty(): boolean {
    return this.open.length === 0 && this.queuedCount === 0;
  }

  /** Adds a user record; returns how many Kinesis records were sealed as a result. */
  add(record: PendingRecord): number {
    const agg = this.aggregator;
    if (!agg) {
      this.push(raw(this.shardId, record, record.arrivedAt + this.config.recordMaxBufferedTime));
      return 1;
    }
    let sealed = 0;
    // Validated at put(): the aggregator need not check the key again nor measure it, and
    // routing has just hashed it (the words are the record's own, so this does not hash again;
    // a record with an explicit hash key was routed without them, and its key is hashed here).
    const keyBytes = record.sizeBytes - record.dataBytes;
    const keyHash = hashWordsOf(record)[3]!;
    if (!agg.addValidated(record, record.data, keyBytes, keyHash)) {
      // Did not fit: seal what is there (keeping order); an empty aggregator takes anything.
      sealed += this.seal();
      agg.addValidated(record, record.data, keyBytes, keyHash);
    }
    // The aggregator has the bytes now (it encodes at add, or keeps its own reference): drop
    // ours, so a buffer made from the caller's string dies young instead of waiting in the old
    // generation until its aggregate is sent. seal() and drain() give the data back as needed.
    record.data = EMPTY;
    if (this.open.length === 0) {
      this.openDueAt = record.arrivedAt + this.config.recordMaxBufferedTime;
    }
    this.open.push(record);
    // A record whose put() has no promise yet shares its aggregate's (see cohort.ts); one that
    // has (accepted before the shard map, then routed) keeps its own.
    if (record.resolve === undefined && record.cohort === undefined) {
      const cohort = (this.cohort ??= new Cohort());
      record.cohort = cohort;
      record.member = cohort.join();
    }
    // An empty aggregator takes a record of any size (a lone record goes raw); one larger than
    // an aggregate may be can never have company, so it leaves at once, alone, as in the KPL.
    if (
      agg.count >= this.config.aggregationMaxCount ||
      agg.sizeBytes > this.config.aggregationMaxSize
    ) {
      sealed += this.seal();
    }
    return sealed;
  }

  /** Seals the aggregate being filled into a Kinesis record. Returns 1 if one was sealed. */
  seal(): number {
    const record = this.takeOpen();
    if (record === undefined) return 0;
    this.push(record);
    return 1;
  }

  /** The aggregate being filled as a Kinesis record (raw for one record), leaving it empty. */
  private takeOpen(): OutboundRecord | undefined {
    const items = this.open;
    if (items.length === 0) return undefined;
    const agg = this.aggregator!;
    const dueAt = this.openDueAt;
    this.open = [];
    this.openDueAt = Number.POSITIVE_INFINITY;
    // Its members are all in: the cohort's promise may settle once they have.
    this.cohort?.seal();
    this.cohort = undefined;
    let record: OutboundRecord;
    if (items.length === 1) {
      // A lone record goes raw: its bytes, as the aggregator kept them.
      items[0]!.data = agg.toKinesisRecord().data;
      record = raw(this.shardId, items[0]!, dueAt);
    } else {
      record = this.build(agg, items, dueAt);
    }
    agg.reset();
    return record;
  }

  /** The Kinesis record of an aggregator holding `items` (two or more). */
  private build(agg: Aggregator, items: readonly PendingRecord[], dueAt: number): OutboundRecord {
    const kr = agg.toKinesisRecord();
    let expiresAt = Number.POSITIVE_INFINITY;
    for (const item of items) {
      if (item.expiresAt < expiresAt) expiresAt = item.expiresAt;
      // The aggregate now holds the only copy we need (see restoreData).
      item.data = EMPTY;
    }
    return {
      shardId: this.shardId,
      items,
      partitionKey: kr.partitionKey,
      // The KPL routes an aggregate by its first record's hash key (kpl.md §1.4).
      explicitHashKey: kr.explicitHashKey ?? hashKeyOf(items[0]!).toString(),
      data: kr.data,
      sizeBytes: kr.data.length + Buffer.byteLength(kr.partitionKey),
      dueAt,
      expiresAt,
      notBefore: 0,
      sends: 0,
    };
  }

  /** The next Kinesis record to send, without removing it. */
  peek(
    now: number,
    preserveOrder: boolean,
  ): { record: OutboundRecord; source: CandidateSource } | undefined {
    const retry = this.retries[0];
    if (retry && (retry.notBefore <= now || preserveOrder))
      return { record: retry, source: 'retry' };
    const next = this.ready[this.head];
    return next ? { record: next, source: 'ready' } : undefined;
  }

  /**
   * Takes the record at `head` and clears its slot: the array is compacted only every 1024
   * records, and a sent record left there kept its aggregate and user records reachable (in
   * the memory benchmark, up to 69 MiB of sent aggregates).
   */
  private takeHead(): OutboundRecord {
    const record = this.ready[this.head]!;
    this.ready[this.head++] = undefined;
    return record;
  }

  /** Removes the record `peek` returned. */
  shift(source: CandidateSource): OutboundRecord {
    const record = source === 'retry' ? this.retries.shift()! : this.takeHead();
    if (source === 'ready' && this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    this.queuedCount -= 1;
    this.queuedBytes -= record.sizeBytes;
    return record;
  }

  /** Puts a record back to be retried no earlier than its `notBefore`. */
  requeue(record: OutboundRecord): void {
    let i = this.retries.length;
    // Keep retries in send order so a shard's records keep their order under preserveOrder.
    while (i > 0 && this.retries[i - 1]!.dueAt > record.dueAt) i--;
    this.retries.splice(i, 0, record);
    this.queuedCount += 1;
    this.queuedBytes += record.sizeBytes;
  }

  /**
   * Takes back user records that must be sent again (they landed on the wrong shard, or their
   * shard changed before they were sent): packed into Kinesis records of their own and queued
   * with the retries, ahead of younger records, so they do not wait behind what came after them.
   */
  readmit(items: readonly PendingRecord[], now: number): void {
    if (items.length === 0) return;
    const agg =
      this.makeAggregator && this.config.aggregationEnabled ? this.makeAggregator() : undefined;
    const dueAt = (batch: readonly PendingRecord[]): number =>
      Math.min(now, batch[0]!.arrivedAt + this.config.recordMaxBufferedTime);
    if (!agg) {
      for (const item of items) this.requeue(raw(this.shardId, item, dueAt([item])));
      return;
    }
    let batch: PendingRecord[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      this.requeue(
        batch.length === 1
          ? raw(this.shardId, batch[0]!, dueAt(batch))
          : this.build(agg, batch, dueAt(batch)),
      );
      agg.reset();
      batch = [];
    };
    for (const item of items) {
      if (batch.length >= this.config.aggregationMaxCount || !agg.add(item)) {
        flush();
        agg.add(item);
      }
      batch.push(item);
    }
    flush();
  }

  /** Earliest time a retry becomes eligible (Infinity when none). */
  get nextRetryAt(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const r of this.retries) if (r.notBefore < min) min = r.notBefore;
    return min;
  }

  /** Removes and returns the queued records whose earliest item expired by `now`. */
  takeExpired(now: number): OutboundRecord[] {
    const out: OutboundRecord[] = [];
    const keep: OutboundRecord[] = [];
    for (const r of this.retries) (r.expiresAt <= now ? out : keep).push(r);
    this.retries = keep;
    // `ready` is in arrival order, so only its head can be expired first.
    while (this.head < this.ready.length && this.ready[this.head]!.expiresAt <= now) {
      out.push(this.takeHead());
    }
    for (const r of out) {
      this.queuedCount -= 1;
      this.queuedBytes -= r.sizeBytes;
    }
    return out;
  }

  /** Removes every user record not in flight, oldest first, to be routed again. */
  drain(): PendingRecord[] {
    const items: PendingRecord[] = [];
    const blocks = this.blocks;
    for (const r of this.retries) items.push(...restoreData(r, blocks));
    for (let i = this.head; i < this.ready.length; i++) {
      items.push(...restoreData(this.ready[i]!, blocks));
    }
    const open = this.takeOpen();
    if (open !== undefined) items.push(...restoreData(open, blocks));
    this.retries = [];
    this.ready = [];
    this.head = 0;
    this.queuedCount = 0;
    this.queuedBytes = 0;
    return items;
  }

  private push(record: OutboundRecord): void {
    this.ready.push(record);
    this.queuedCount += 1;
    this.queuedBytes += record.sizeBytes;
  }
}

/** A user record sent alone: raw data, its own key, and its hash key as the explicit hash key. */
function raw(shardId: string, record: PendingRecord, dueAt: number): OutboundRecord {
  return {
    shardId,
    items: [record],
    partitionKey: record.partitionKey,
    explicitHashKey: hashKeyOf(record).toString(),
    data: record.data,
    sizeBytes: record.sizeBytes,
    dueAt,
    expiresAt: record.expiresAt,
    notBefore: 0,
    sends: 0,
  };
}

/**
 * The user records of a Kinesis record the producer is done with (they are to be packed again),
 * with their data back: for an aggregate, views into its bytes (records are in aggregate order,
 * so the i-th sub-record is the i-th item). An aggregate in a block of `blocks` is copied out
 * first and its block released: the views must not see the block's next use. Call it only when
 * no request in flight carries `record`.
 * @internal
 */
export function restoreData(record: OutboundRecord, blocks?: BlockPool): readonly PendingRecord[] {
  const items = record.items;
  if (items.length < 2 || items.every((item) => item.data.length === item.dataBytes)) {
    blocks?.release(record.data);
    return items;
  }
  // A copy only on this rare path (reshards, wrong-shard landings), never on the sending one.
  const pooled = blocks !== undefined && blocks.owns(record.data);
  const data = pooled ? new Uint8Array(record.data) : record.data;
  const subs = deaggregate({ data, partitionKey: record.partitionKey, sequenceNumber: '0' });
  for (let i = 0; i < items.length; i++) items[i]!.data = subs[i]!.data;
  if (pooled) blocks.release(record.data);
  return items;
}
