/**
 * What the demo watches: the workers' deliveries (from their JSON lines), the lease table and the
 * stream's shards (polled once a second), gathered into the rows the view shows.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { DynamoLeaseStore } from '@kinesis-kit/consumer';
import type { Lease } from '@kinesis-kit/consumer';
import { listAllShards } from '@kinesis-kit/integration';
import type { WorkerEvent } from './fleet.js';
import type { ConsumedRecord } from './verify.js';

/** One shard as the view shows it. */
export interface ShardRow {
  readonly shardId: string;
  readonly open: boolean;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  readonly owner: string | undefined;
  readonly checkpoint: string;
  readonly counter: number | undefined;
  readonly recordsPerSecond: number;
  /** Acknowledged to this shard minus delivered from it (unique). */
  readonly lagRecords: number;
  /** The last millisBehindLatest a worker got for it. */
  readonly millisBehindLatest: number | undefined;
}

interface ShardStats {
  unique: number;
  times: number[];
  mbl: number | undefined;
}

/** Collects deliveries and polls the lease table and the shard list. */
export class Monitor {
  private readonly consumed: (ConsumedRecord & { at: number; seq: number })[] = [];
  private readonly seenIds = new Set<string>();
  private readonly stats = new Map<string, ShardStats>();
  private leases: Lease[] = [];
  private shards: Shard[] = [];
  private readonly store: DynamoLeaseStore;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  lastPollError: string | undefined;

  constructor(
    private readonly streamName: string,
    applicationName: string,
    private readonly kinesis: KinesisClient,
    dynamodb: DynamoDBClient,
  ) {
    this.store = new DynamoLeaseStore({ client: dynamodb, tableName: applicationName });
  }

  /** Feeds a worker event; only deliveries matter here. */
  onWorkerEvent(event: WorkerEvent): void {
    if (event.t !== 'recs' || event.recs === undefined || event.shardId === undefined) return;
    const s = this.statsFor(event.shardId);
    for (const [partitionKey, id] of event.recs) {
      this.consumed.push({ partitionKey, id, at: event.at, seq: this.consumed.length });
      s.times.push(event.at);
      if (!this.seenIds.has(id)) {
        this.seenIds.add(id);
        s.unique++;
      }
    }
    s.mbl = event.mbl;
  }

  get uniqueConsumed(): number {
    return this.seenIds.size;
  }

  get deliveries(): number {
    return this.consumed.length;
  }

  /**
   * Deliveries in the order they happened. Workers stamp each batch with their clock (one machine,
   * one clock); that orders a shard handed from one worker to another even when the demo reads the
   * two processes' pipes late.
   */
  consumedInOrder(): ConsumedRecord[] {
    return [...this.consumed].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  has(id: string): boolean {
    return this.seenIds.has(id);
  }

  startPolling(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    void this.poll();
  }

  stopPolling(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [leases, shards] = await Promise.all([
        this.store.listLeases().catch((error: unknown) => {
          // The table appears when the first worker starts.
          if ((error as { errorName?: string }).errorName === 'ResourceNotFoundException')
            return [];
          throw error;
        }),
        listAllShards(this.streamName, { kinesis: this.kinesis }),
      ]);
      this.leases = leases;
      this.shards = shards;
      this.lastPollError = undefined;
    } catch (error) {
      this.lastPollError = error instanceof Error ? error.message : String(error);
    } finally {
      this.polling = false;
    }
  }

  /** Lease key → owner, as last polled. */
  owners(): Map<string, string | undefined> {
    return new Map(this.leases.map((l) => [l.leaseKey, l.leaseOwner]));
  }

  rows(now: number, ackedByShard: ReadonlyMap<string, number>, windowMs = 3000): ShardRow[] {
    const leases = new Map(this.leases.map((l) => [l.shardId, l]));
    return this.shards.map((shard) => {
      const id = shard.ShardId!;
      const lease = leases.get(id);
      const s = this.statsFor(id);
      while (s.times.length > 0 && s.times[0]! < now - windowMs) s.times.shift();
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
        (p): p is string => p !== undefined,
      );
      const children = this.shards
        .filter((c) => c.ParentShardId === id || c.AdjacentParentShardId === id)
        .map((c) => c.ShardId!);
      return {
        shardId: id,
        open: shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
        parents,
        children,
        owner: lease?.leaseOwner,
        checkpoint:
          lease !== undefined
            ? shortCheckpoint(lease)
            : shard.SequenceNumberRange?.EndingSequenceNumber === undefined
              ? '(no lease yet)'
              : '(deleted)',
        counter: lease?.leaseCounter,
        recordsPerSecond: (s.times.length * 1000) / windowMs,
        lagRecords: Math.max(0, (ackedByShard.get(id) ?? 0) - s.unique),
        millisBehindLatest: s.mbl,
      };
    });
  }

  private statsFor(shardId: string): ShardStats {
    let s = this.stats.get(shardId);
    if (s === undefined) {
      s = { unique: 0, times: [], mbl: undefined };
      this.stats.set(shardId, s);
    }
    return s;
  }
}

/** A sentinel as is; a sequence number as its last digits (they are 56 digits long). */
export function shortCheckpoint(lease: Pick<Lease, 'checkpoint'>): string {
  const { sequenceNumber, subSequenceNumber } = lease.checkpoint;
  if (!/^\d+$/.test(sequenceNumber)) return sequenceNumber;
  const tail = `…${sequenceNumber.slice(-8)}`;
  return subSequenceNumber > 0 ? `${tail}/${subSequenceNumber}` : tail;
}
