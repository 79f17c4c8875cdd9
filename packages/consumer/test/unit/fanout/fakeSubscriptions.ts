/**
 * SubscribeToShard served from a FakeKinesis's shards, with the service's semantics: a
 * subscription starts at its StartingPosition, sends an event every `eventIntervalMs` with the
 * records that arrived since (≤ 10 000; an empty one is a heartbeat), a continuation sequence
 * number, ends after `maxSubscriptionMs` (the 5-minute limit), allows one subscription per shard
 * at a time (ResourceInUseException), and answers a deleted shard with ResourceNotFoundException.
 * Like kinesis-local it never sends ChildShards unless `childShardsInEvents` is set (then the event
 * that drains a closed shard carries them, as AWS). Events are produced only when pulled, so
 * `pulled` shows whether the consumer holds back while its processor is busy.
 */
import { SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type {
  StartingPosition,
  SubscribeToShardEvent,
  SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import type { FakeClock } from '@kinesis-kit/common/testing';
import type { ChildShard } from '../../../src/ports.js';
import type { RawRecord } from '../../../src/retrievalPorts.js';
import type { FakeKinesis } from '../../fakes/fakeKinesis.js';
import { sdkError } from './fakeFanOutKinesis.js';

export class FakeSubscriptions {
  readonly positions: StartingPosition[] = [];
  /** Events handed out, across all subscriptions. */
  pulled = 0;
  eventIntervalMs = 1000;
  maxSubscriptionMs = 300_000;
  childShardsInEvents = false;
  /** Error names thrown by the next SubscribeToShard calls, in order. */
  readonly failures: string[] = [];
  /** Children of closed shards (the test records what split/closeShard returned). */
  readonly children = new Map<string, readonly ChildShard[]>();
  private readonly open = new Set<string>();
  private readonly deletedShards = new Set<string>();

  constructor(
    private readonly kinesis: FakeKinesis,
    private readonly clock: FakeClock,
  ) {}

  // async: a throw becomes a rejection, as the SDK's send does.
  // eslint-disable-next-line @typescript-eslint/require-await
  async send(command: object, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    if (!(command instanceof SubscribeToShardCommand)) {
      throw new Error(`unexpected ${command.constructor.name}`);
    }
    const { ShardId = '', StartingPosition: position } = command.input;
    this.positions.push(position!);
    const failure = this.failures.shift();
    if (failure !== undefined) throw sdkError(failure);
    if (this.open.has(ShardId)) throw sdkError('ResourceInUseException');
    const records = this.recordsOf(ShardId);
    if (records === undefined) throw sdkError('ResourceNotFoundException');
    return { EventStream: this.stream(ShardId, indexOf(records, position!), options.abortSignal) };
  }

  private recordsOf(shardId: string): readonly RawRecord[] | undefined {
    if (this.deletedShards.has(shardId)) return undefined;
    try {
      return this.kinesis.records(shardId);
    } catch {
      return undefined; // no such shard
    }
  }

  /** Deletes the shard in the FakeKinesis and here (the stream was deleted). */
  delete(shardId: string): void {
    this.kinesis.deleteShard(shardId);
    this.deletedShards.add(shardId);
  }

  private async *stream(
    shardId: string,
    from: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<SubscribeToShardEventStream> {
    this.open.add(shardId);
    const started = this.clock.monotonic();
    let index = from;
    let continuation: string | undefined;
    try {
      for (let first = true; ; first = false) {
        if (!first) await this.clock.sleep(this.eventIntervalMs, signal);
        if (this.clock.monotonic() - started >= this.maxSubscriptionMs) return;
        if (this.deletedShards.has(shardId)) {
          yield { ResourceNotFoundException: sdkError('ResourceNotFoundException') } as never;
          return;
        }
        const all = this.kinesis.records(shardId);
        const batch = all.slice(index, index + 10_000);
        index += batch.length;
        continuation = batch[batch.length - 1]?.sequenceNumber ?? continuation ?? '0';
        const children = this.children.get(shardId);
        const ends = this.childShardsInEvents && children !== undefined && index >= all.length;
        const event: SubscribeToShardEvent = {
          Records: batch.map((r) => ({
            SequenceNumber: r.sequenceNumber,
            PartitionKey: r.partitionKey,
            Data: r.data,
            ApproximateArrivalTimestamp: r.approximateArrivalTimestamp,
          })),
          ContinuationSequenceNumber: ends ? undefined : continuation,
          MillisBehindLatest: 0,
          ...(ends && {
            ChildShards: children.map((c) => ({
              ShardId: c.shardId,
              ParentShards: [...c.parentShards],
              HashKeyRange: {
                StartingHashKey: c.hashKeyRange.startingHashKey,
                EndingHashKey: c.hashKeyRange.endingHashKey,
              },
            })),
          }),
        };
        this.pulled += 1;
        yield { SubscribeToShardEvent: event };
        if (ends) return;
      }
    } finally {
      this.open.delete(shardId);
    }
  }
}

function indexOf(records: readonly RawRecord[], position: StartingPosition): number {
  switch (position.Type) {
    case 'TRIM_HORIZON':
      return 0;
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const seq = position.SequenceNumber ?? '';
      const after = position.Type === 'AFTER_SEQUENCE_NUMBER';
      const i = records.findIndex((r) =>
        after ? BigInt(r.sequenceNumber) > BigInt(seq) : BigInt(r.sequenceNumber) >= BigInt(seq),
      );
      return i < 0 ? records.length : i;
    }
    default:
      return records.length;
  }
}
