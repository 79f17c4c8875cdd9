/**
 * A Kinesis stream in memory with the service's read semantics, implementing the `ShardReader`
 * port: shards hold records with growing sequence numbers; iterators start AT/AFTER a sequence
 * number, at TRIM_HORIZON, LATEST or AT_TIMESTAMP, expire after 5 minutes (or on demand), and a
 * closed shard read to its end answers with ChildShards and no NextShardIterator. Knobs throttle
 * or fail the next calls, and every call is recorded for assertions.
 */
import { systemClock } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import type {
  CallOptions,
  ChildShard,
  LeaseHashKeyRange,
  ShardDescription,
} from '../../src/ports.js';
import { RetrievalError } from '../../src/retrievalPorts.js';
import type {
  GetRecordsResult,
  IteratorPosition,
  RawRecord,
  ShardReader,
} from '../../src/retrievalPorts.js';

const MAX_HASH_KEY = (2n ** 128n - 1n).toString();
/** GetRecords returns at most this many bytes (the service's 10 MiB). */
const MAX_BYTES_PER_CALL = 10 * 1024 * 1024;

interface FakeShard {
  readonly shardId: string;
  readonly ordinal: number;
  readonly parents: readonly string[];
  readonly hashKeyRange: LeaseHashKeyRange;
  readonly records: RawRecord[];
  children: ChildShard[] | undefined;
  deleted: boolean;
}

interface IteratorState {
  readonly shardId: string;
  readonly index: number;
  readonly issuedAt: number;
}

/** One recorded call. */
export interface FakeKinesisCall {
  readonly op: 'getShardIterator' | 'getRecords';
  readonly shardId: string;
  readonly position?: IteratorPosition;
  readonly limit?: number;
  readonly at: number;
  readonly outcome: 'ok' | RetrievalError['kind'];
}

export interface FakeKinesisOptions {
  readonly clock?: Clock;
  /** @defaultValue 300 000 (5 minutes, as the service) */
  readonly iteratorTtlMs?: number;
  /**
   * Return ChildShards with the last records of a closed shard (true) or only on the next,
   * empty, answer (false). The service has been seen doing both; workers must handle either.
   * @defaultValue true
   */
  readonly childShardsWithLastRecords?: boolean;
}

export class FakeKinesis implements ShardReader {
  readonly calls: FakeKinesisCall[] = [];
  private readonly shards = new Map<string, FakeShard>();
  private readonly iterators = new Map<string, IteratorState>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly childrenWithLast: boolean;
  private nextIterator = 0;
  private sequence = 0n;
  private readonly faults: { op: FakeKinesisCall['op']; kind: RetrievalError['kind'] }[] = [];
  private expiredBefore = Number.NEGATIVE_INFINITY;

  constructor(options: FakeKinesisOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.iteratorTtlMs ?? 300_000;
    this.childrenWithLast = options.childShardsWithLastRecords ?? true;
  }

  createShard(
    shardId: string,
    options: { parents?: readonly string[]; hashKeyRange?: LeaseHashKeyRange } = {},
  ): void {
    this.shards.set(shardId, {
      shardId,
      ordinal: this.shards.size,
      parents: options.parents ?? [],
      hashKeyRange: options.hashKeyRange ?? { startingHashKey: '0', endingHashKey: MAX_HASH_KEY },
      records: [],
      children: undefined,
      deleted: false,
    });
  }

  /** Appends a record; returns its sequence number. */
  put(shardId: string, data: Uint8Array | string, partitionKey = 'pk'): string {
    const shard = this.shard(shardId);
    if (shard.children) throw new Error(`${shardId} is closed`);
    // 56 digits like the service's: a fixed prefix, the shard's ordinal, then a global counter,
    // so numbers grow within a shard and tell their shard apart.
    this.sequence += 1n;
    const sequenceNumber = `4959${String(shard.ordinal).padStart(4, '0')}${this.sequence.toString().padStart(48, '0')}`;
    shard.records.push({
      sequenceNumber,
      partitionKey,
      data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
      approximateArrivalTimestamp: new Date(this.clock.now()),
    });
    return sequenceNumber;
  }

  /** Closes `shardId` with these children (creating them), as a split or merge does. */
  closeShard(
    shardId: string,
    children: readonly {
      shardId: string;
      hashKeyRange: LeaseHashKeyRange;
      parents?: readonly string[];
    }[],
  ): ChildShard[] {
    const shard = this.shard(shardId);
    shard.children = children.map((c) => ({
      shardId: c.shardId,
      parentShards: c.parents ?? [shardId],
      hashKeyRange: c.hashKeyRange,
    }));
    for (const c of shard.children) {
      if (!this.shards.has(c.shardId)) {
        this.createShard(c.shardId, { parents: c.parentShards, hashKeyRange: c.hashKeyRange });
      }
    }
    return shard.children;
  }

  /** Splits `shardId` at the middle of its range into `${shardId}-a` / `-b` (or the given ids). */
  split(
    shardId: string,
    ids: readonly [string, string] = [`${shardId}-a`, `${shardId}-b`],
  ): ChildShard[] {
    const { startingHashKey, endingHashKey } = this.shard(shardId).hashKeyRange;
    const start = BigInt(startingHashKey);
    const mid = start + (BigInt(endingHashKey) - start) / 2n;
    return this.closeShard(shardId, [
      { shardId: ids[0], hashKeyRange: { startingHashKey, endingHashKey: mid.toString() } },
      { shardId: ids[1], hashKeyRange: { startingHashKey: (mid + 1n).toString(), endingHashKey } },
    ]);
  }

  /** The shard disappears (stream deleted, or trimmed after closing): ResourceNotFound. */
  deleteShard(shardId: string): void {
    this.shard(shardId).deleted = true;
  }

  /**
   * The shards as ListShards describes them (deleted ones left out; a closed shard has an ending
   * sequence number), for tests that also need shard sync.
   */
  describeShards(): ShardDescription[] {
    return [...this.shards.values()]
      .filter((s) => !s.deleted)
      .map((s) => ({
        ShardId: s.shardId,
        ...(s.parents[0] !== undefined && { ParentShardId: s.parents[0] }),
        ...(s.parents[1] !== undefined && { AdjacentParentShardId: s.parents[1] }),
        HashKeyRange: {
          StartingHashKey: s.hashKeyRange.startingHashKey,
          EndingHashKey: s.hashKeyRange.endingHashKey,
        },
        SequenceNumberRange: {
          StartingSequenceNumber: `4959${String(s.ordinal).padStart(4, '0')}${'0'.repeat(48)}`,
          ...(s.children !== undefined && {
            EndingSequenceNumber: s.records.at(-1)?.sequenceNumber ?? '0',
          }),
        },
      }));
  }

  records(shardId: string): readonly RawRecord[] {
    return this.shard(shardId).records;
  }

  /** Makes every iterator issued so far expired. */
  expireIterators(): void {
    this.expiredBefore = this.nextIterator;
  }

  /** Fails the next `count` calls of `op` with `kind` (throttled by default). */
  failNext(op: FakeKinesisCall['op'], count = 1, kind: RetrievalError['kind'] = 'throttled'): void {
    for (let i = 0; i < count; i++) this.faults.push({ op, kind });
  }

  getShardIterator(
    shardId: string,
    position: IteratorPosition,
    options: CallOptions = {},
  ): Promise<string> {
    return this.call('getShardIterator', shardId, options, { position }, () => {
      const shard = this.liveShard(shardId);
      const id = `fake-iterator-${this.nextIterator++}`;
      this.iterators.set(id, {
        shardId,
        index: this.indexFor(shard, position),
        issuedAt: this.clock.now(),
      });
      return id;
    });
  }

  getRecords(
    iterator: string,
    limit: number,
    options: CallOptions = {},
  ): Promise<GetRecordsResult> {
    const state = this.iterators.get(iterator);
    return this.call('getRecords', state?.shardId ?? '?', options, { limit }, () => {
      if (state === undefined)
        throw new RetrievalError('invalid-argument', `unknown iterator ${iterator}`);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new RetrievalError('invalid-argument', `Limit ${limit} outside 1..10000`);
      }
      const ordinal = Number(iterator.slice('fake-iterator-'.length));
      if (ordinal < this.expiredBefore || this.clock.now() - state.issuedAt > this.ttlMs) {
        throw new RetrievalError('expired-iterator', `iterator ${iterator} expired`);
      }
      const shard = this.liveShard(state.shardId);
      const out: RawRecord[] = [];
      let bytes = 0;
      let index = state.index;
      while (index < shard.records.length && out.length < limit) {
        const record = shard.records[index]!;
        if (out.length > 0 && bytes + record.data.length > MAX_BYTES_PER_CALL) break;
        out.push(record);
        bytes += record.data.length;
        index++;
      }
      const atEnd = index >= shard.records.length;
      const tip = shard.records[shard.records.length - 1];
      const millisBehindLatest =
        atEnd || tip === undefined
          ? 0
          : this.clock.now() - out[out.length - 1]!.approximateArrivalTimestamp.getTime();
      if (shard.children && atEnd && (this.childrenWithLast || out.length === 0)) {
        return { records: out, millisBehindLatest, childShards: shard.children };
      }
      const next = `fake-iterator-${this.nextIterator++}`;
      this.iterators.set(next, { shardId: shard.shardId, index, issuedAt: this.clock.now() });
      return { records: out, nextShardIterator: next, millisBehindLatest };
    });
  }

  private async call<T>(
    op: FakeKinesisCall['op'],
    shardId: string,
    options: CallOptions,
    details: Pick<FakeKinesisCall, 'position' | 'limit'>,
    body: () => T,
  ): Promise<T> {
    // A real call is asynchronous: let other work run first, and honour the abort signal.
    await Promise.resolve();
    options.signal?.throwIfAborted();
    const at = this.clock.now();
    const faultIndex = this.faults.findIndex((f) => f.op === op);
    if (faultIndex >= 0) {
      const { kind } = this.faults.splice(faultIndex, 1)[0]!;
      this.calls.push({ op, shardId, ...details, at, outcome: kind });
      throw new RetrievalError(kind, `injected ${kind} on ${op}`, { shardId });
    }
    try {
      const result = body();
      this.calls.push({ op, shardId, ...details, at, outcome: 'ok' });
      return result;
    } catch (error) {
      const outcome = error instanceof RetrievalError ? error.kind : 'other';
      this.calls.push({ op, shardId, ...details, at, outcome });
      throw error;
    }
  }

  private indexFor(shard: FakeShard, position: IteratorPosition): number {
    const records = shard.records;
    switch (position.type) {
      case 'TRIM_HORIZON':
        return 0;
      case 'LATEST':
        return records.length;
      case 'AT_TIMESTAMP': {
        const t = position.timestamp.getTime();
        const i = records.findIndex((r) => r.approximateArrivalTimestamp.getTime() >= t);
        return i < 0 ? records.length : i;
      }
      default: {
        const prefix = `4959${String(shard.ordinal).padStart(4, '0')}`;
        const seq = position.sequenceNumber;
        if (!/^\d+$/.test(seq) || !seq.startsWith(prefix) || seq.length !== 56) {
          throw new RetrievalError(
            'invalid-argument',
            `${seq} is not a sequence number of ${shard.shardId}`,
          );
        }
        const after = position.type === 'AFTER_SEQUENCE_NUMBER';
        const i = records.findIndex((r) =>
          after ? r.sequenceNumber > seq : r.sequenceNumber >= seq,
        );
        return i < 0 ? records.length : i;
      }
    }
  }

  private liveShard(shardId: string): FakeShard {
    const shard = this.shards.get(shardId);
    if (shard === undefined || shard.deleted) {
      throw new RetrievalError('shard-not-found', `shard ${shardId} not found`, { shardId });
    }
    return shard;
  }

  private shard(shardId: string): FakeShard {
    const shard = this.shards.get(shardId);
    if (shard === undefined) throw new Error(`no shard ${shardId}`);
    return shard;
  }
}
