/**
 * An in-process Kinesis with the semantics the producer depends on: shards with hash-key ranges,
 * routing by explicit hash key or MD5(partition key), increasing sequence numbers, SplitShard and
 * MergeShards (parents close, children open), ListShards with AT_LATEST and NextToken paging
 * (NextToken with a stream name is rejected, as the service does), the PutRecords request limits,
 * per-shard write limits with throttling per entry, and knobs for faults. It is a stand-in for a
 * KinesisClient: `send(command)` answers ListShardsCommand and PutRecordsCommand.
 */
import { createHash } from 'node:crypto';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type {
  ListShardsCommandOutput,
  PutRecordsCommandOutput,
  PutRecordsResultEntry,
  Shard,
} from '@aws-sdk/client-kinesis';

const MAX = (1n << 128n) - 1n;

export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
}

interface FakeShard {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
  open: boolean;
  readonly parent?: string;
  readonly adjacentParent?: string;
  /** Write token buckets: last refill time and tokens left. */
  windowStart: number;
  windowBytes: number;
  windowRecords: number;
}

export function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export class FakeKinesis {
  readonly shards: FakeShard[] = [];
  readonly records: StoredRecord[] = [];
  private seq = 1_000_000;
  private nextShard = 0;
  /** Enforce 1 MiB/s and 1000 records/s per shard (token buckets with one second of burst). */
  throttling = false;
  /** Errors thrown by the next PutRecords calls, in order. */
  readonly putErrors: Error[] = [];
  /** Error thrown by every ListShards call while set. */
  listShardsError: Error | undefined;
  /** Per-entry failure code for the next N entries. */
  failEntries: { code: string; count: number } | undefined;
  /** Each PutRecords waits this long (real or fake time via `sleep`). */
  latencyMs = 0;
  /** Called before a PutRecords is applied (lets a test reshard mid-request). */
  beforePut: (() => void) | undefined;
  putCalls = 0;
  listShardsCalls = 0;
  readonly requestSizes: number[] = [];
  throttledEntries = 0;
  readonly listShardsInputs: Record<string, unknown>[] = [];

  constructor(
    shardCount: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
    private readonly pageSize = 1000,
  ) {
    const width = (MAX + 1n) / BigInt(shardCount);
    for (let i = 0; i < shardCount; i++) {
      const start = BigInt(i) * width;
      const end = i === shardCount - 1 ? MAX : start + width - 1n;
      this.addShard(start, end);
    }
  }

  /** Stand-in for KinesisClient.send. */
  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutRecordsCommand) return this.putRecords(command);
    if (command instanceof ListShardsCommand) return this.listShards(command);
    throw new Error(`FakeKinesis does not answer ${(command as object).constructor.name}`);
  }

  destroy(): void {}

  /** Splits an open shard at its middle (or at `at`); the parent closes. */
  split(shardId: string, at?: bigint): [string, string] {
    const parent = this.open(shardId);
    parent.open = false;
    const mid = at ?? parent.start + (parent.end - parent.start) / 2n;
    const a = this.addShard(parent.start, mid - 1n, parent.shardId);
    const b = this.addShard(mid, parent.end, parent.shardId);
    return [a.shardId, b.shardId];
  }

  /** Merges two adjacent open shards; both close. */
  merge(shardId: string, adjacentShardId: string): string {
    const a = this.open(shardId);
    const b = this.open(adjacentShardId);
    a.open = false;
    b.open = false;
    const lo = a.start < b.start ? a : b;
    const hi = lo === a ? b : a;
    return this.addShard(lo.start, hi.end, a.shardId, b.shardId).shardId;
  }

  openShardIds(): string[] {
    return this.shards.filter((s) => s.open).map((s) => s.shardId);
  }

  rangeOf(shardId: string): { start: bigint; end: bigint } {
    const s = this.shards.find((x) => x.shardId === shardId)!;
    return { start: s.start, end: s.end };
  }

  private async putRecords(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    this.putCalls += 1;
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    const error = this.putErrors.shift();
    if (error) throw error;
    this.beforePut?.();
    const entries = command.input.Records ?? [];
    if (entries.length > 500) throw awsError('InvalidArgumentException', 400, '501 entries');
    let size = 0;
    for (const e of entries)
      size += (e.Data?.length ?? 0) + Buffer.byteLength(e.PartitionKey ?? '');
    if (size > 5 * 1024 * 1024)
      throw awsError('InvalidArgumentException', 400, 'request too large');
    this.requestSizes.push(size);
    const results: PutRecordsResultEntry[] = [];
    let failed = 0;
    for (const e of entries) {
      const pk = e.PartitionKey ?? '';
      const data = e.Data ?? new Uint8Array();
      const hashKey =
        e.ExplicitHashKey !== undefined
          ? BigInt(e.ExplicitHashKey)
          : BigInt(`0x${createHash('md5').update(pk).digest('hex')}`);
      const shard = this.shards.find((s) => s.open && s.start <= hashKey && hashKey <= s.end)!;
      if (this.failEntries && this.failEntries.count > 0) {
        this.failEntries.count -= 1;
        failed += 1;
        results.push({ ErrorCode: this.failEntries.code, ErrorMessage: 'injected' });
        continue;
      }
      const bytes = data.length + Buffer.byteLength(pk);
      if (this.throttling && !this.admit(shard, bytes)) {
        failed += 1;
        this.throttledEntries += 1;
        results.push({
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: `Rate exceeded for shard ${shard.shardId}`,
        });
        continue;
      }
      const sequenceNumber = String(this.seq++).padStart(56, '4');
      this.records.push({
        shardId: shard.shardId,
        sequenceNumber,
        partitionKey: pk,
        explicitHashKey: e.ExplicitHashKey,
        data: Uint8Array.from(data),
      });
      results.push({ ShardId: shard.shardId, SequenceNumber: sequenceNumber });
    }
    return { FailedRecordCount: failed, Records: results, $metadata: { httpStatusCode: 200 } };
  }

  /** Token buckets of one second's burst, refilled continuously: the service's documented model. */
  private admit(shard: FakeShard, bytes: number): boolean {
    const now = this.now();
    const dt = Math.max(0, now - shard.windowStart) / 1000;
    shard.windowStart = now;
    shard.windowBytes = Math.min(1024 * 1024, shard.windowBytes + dt * 1024 * 1024);
    shard.windowRecords = Math.min(1000, shard.windowRecords + dt * 1000);
    if (shard.windowBytes < bytes || shard.windowRecords < 1) return false;
    shard.windowBytes -= bytes;
    shard.windowRecords -= 1;
    return true;
  }

  private listShards(command: ListShardsCommand): Promise<ListShardsCommandOutput> {
    this.listShardsCalls += 1;
    const input = command.input;
    this.listShardsInputs.push({ ...input });
    if (this.listShardsError) return Promise.reject(this.listShardsError);
    if (input.NextToken !== undefined && (input.StreamName || input.StreamARN)) {
      return Promise.reject(awsError('InvalidArgumentException', 400, 'NextToken with StreamName'));
    }
    const offset = input.NextToken !== undefined ? Number(input.NextToken) : 0;
    const atLatest = offset > 0 || input.ShardFilter?.Type === 'AT_LATEST';
    const all = this.shards.filter((s) => !atLatest || s.open);
    const page = all.slice(offset, offset + Math.min(this.pageSize, input.MaxResults ?? 1000));
    const next = offset + page.length < all.length ? String(offset + page.length) : undefined;
    return Promise.resolve({
      Shards: page.map((s) => this.describe(s)),
      NextToken: next,
      $metadata: { httpStatusCode: 200 },
    });
  }

  private describe(s: FakeShard): Shard {
    return {
      ShardId: s.shardId,
      ParentShardId: s.parent,
      AdjacentParentShardId: s.adjacentParent,
      HashKeyRange: { StartingHashKey: s.start.toString(), EndingHashKey: s.end.toString() },
      SequenceNumberRange: {
        StartingSequenceNumber: '0',
        EndingSequenceNumber: s.open ? undefined : '9',
      },
    };
  }

  private open(shardId: string): FakeShard {
    const s = this.shards.find((x) => x.shardId === shardId && x.open);
    if (!s) throw new Error(`no open shard ${shardId}`);
    return s;
  }

  private addShard(
    start: bigint,
    end: bigint,
    parent?: string,
    adjacentParent?: string,
  ): FakeShard {
    const shard: FakeShard = {
      shardId: `shardId-${String(this.nextShard++).padStart(12, '0')}`,
      start,
      end,
      open: true,
      ...(parent !== undefined && { parent }),
      ...(adjacentParent !== undefined && { adjacentParent }),
      windowStart: this.now(),
      windowBytes: 1024 * 1024,
      windowRecords: 1000,
    };
    this.shards.push(shard);
    return shard;
  }
}
