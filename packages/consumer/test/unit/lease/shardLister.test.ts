import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type {
  KinesisClient,
  ListShardsCommandInput,
  ListShardsCommandOutput,
  Shard,
} from '@aws-sdk/client-kinesis';
import { ShardLister } from '../../../src/adapters/shardLister.js';
import { shardFilterFor } from '../../../src/core/shardSync.js';
import type { InitialPosition } from '../../../src/core/shardSync.js';

const MAX = (2n ** 128n - 1n).toString();

function shardAt(i: number, fields: Partial<Shard> = {}): Shard {
  return {
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: { StartingHashKey: String(i * 10), EndingHashKey: String(i * 10 + 9) },
    SequenceNumberRange: { StartingSequenceNumber: String(1000 + i) },
    ...fields,
  };
}

function invalid(message: string): Error {
  return Object.assign(new Error(message), { name: 'InvalidArgumentException' });
}

/**
 * ListShards with the service's paging rules: pages of at most MaxResults; a NextToken names the
 * stream and the filter by itself, so sending StreamName, StreamARN, ShardFilter or
 * ExclusiveStartShardId with it is an InvalidArgumentException; an unknown token is one too.
 * The filter types the consumer uses keep open shards (AT_LATEST), or shards without a listed
 * parent (AT_TRIM_HORIZON), or shards open at the timestamp (AT_TIMESTAMP, by sequence number
 * range standing in for time: closed ones end before `closedBefore`).
 */
class FakeListShards {
  readonly inputs: ListShardsCommandInput[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  private readonly tokens = new Map<string, { remaining: Shard[] }>();
  private issued = 0;

  constructor(
    private readonly streams: Readonly<Record<string, { arn: string; shards: Shard[] }>>,
  ) {}

  readonly client = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> => {
      if (!(command instanceof ListShardsCommand)) throw new Error('unexpected command');
      this.signals.push(options?.abortSignal);
      try {
        return Promise.resolve(this.list(command.input));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  } as unknown as KinesisClient;

  private list(input: ListShardsCommandInput): ListShardsCommandOutput {
    this.inputs.push(input);
    const max = input.MaxResults ?? 1000;
    if (max < 1 || max > 10_000) throw invalid('MaxResults out of range');
    let shards: Shard[];
    if (input.NextToken !== undefined) {
      if (
        input.StreamName !== undefined ||
        input.StreamARN !== undefined ||
        input.ShardFilter !== undefined ||
        input.ExclusiveStartShardId !== undefined
      ) {
        throw invalid('NextToken and StreamName/StreamARN/ShardFilter cannot be provided together');
      }
      const state = this.tokens.get(input.NextToken);
      if (state === undefined) throw invalid('invalid NextToken');
      this.tokens.delete(input.NextToken);
      shards = state.remaining;
    } else {
      const stream = Object.entries(this.streams).find(
        ([name, s]) => name === input.StreamName || s.arn === input.StreamARN,
      )?.[1];
      if (stream === undefined) {
        throw Object.assign(new Error('stream not found'), { name: 'ResourceNotFoundException' });
      }
      shards = this.filter(stream.shards, input.ShardFilter);
    }
    const page = shards.slice(0, max);
    const rest = shards.slice(max);
    if (rest.length === 0) return { Shards: page, $metadata: {} };
    const token = `token-${String(++this.issued)}`;
    this.tokens.set(token, { remaining: rest });
    return { Shards: page, NextToken: token, $metadata: {} };
  }

  private filter(shards: Shard[], filter: ListShardsCommandInput['ShardFilter']): Shard[] {
    if (filter === undefined) return shards;
    const ids = new Set(shards.map((s) => s.ShardId));
    switch (filter.Type) {
      case 'AT_LATEST':
        return shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
      case 'AT_TRIM_HORIZON':
        return shards.filter((s) => s.ParentShardId === undefined || !ids.has(s.ParentShardId));
      case 'AT_TIMESTAMP': {
        if (!(filter.Timestamp instanceof Date)) throw invalid('AT_TIMESTAMP needs a Timestamp');
        const at = filter.Timestamp.getTime();
        return shards.filter(
          (s) => Number(s.SequenceNumberRange?.EndingSequenceNumber ?? Infinity) >= at,
        );
      }
      default:
        throw invalid(`unsupported filter ${String(filter.Type)}`);
    }
  }
}

const ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';

describe('ShardLister (ListShards paging and ShardFilter)', () => {
  it('follows NextToken over every page, sending only the token (and MaxResults) after the first', async () => {
    // Prepare: 2 500 shards, three pages of 1 000.
    const shards = Array.from({ length: 2500 }, (_, i) => shardAt(i));
    const fake = new FakeListShards({ orders: { arn: ARN, shards } });
    const lister = new ShardLister(fake.client, { streamName: 'orders' });
    // Act
    const listed = await lister.listShards();
    // Assess
    expect(listed.map((s) => s.ShardId)).toEqual(shards.map((s) => s.ShardId));
    expect(fake.inputs).toEqual([
      { StreamName: 'orders', MaxResults: 1000 },
      { NextToken: 'token-1', MaxResults: 1000 },
      { NextToken: 'token-2', MaxResults: 1000 },
    ]);
  });

  it('names the stream by ARN when it has one, on the first page only', async () => {
    const fake = new FakeListShards({
      orders: { arn: ARN, shards: Array.from({ length: 1001 }, (_, i) => shardAt(i)) },
    });
    const lister = new ShardLister(fake.client, { streamName: 'orders', streamArn: ARN });
    expect(await lister.listShards()).toHaveLength(1001);
    expect(fake.inputs[0]).toEqual({ StreamARN: ARN, MaxResults: 1000 });
    expect(fake.inputs[1]).toEqual({ NextToken: 'token-1', MaxResults: 1000 });
  });

  it.each<[string, InitialPosition, object, string[]]>([
    ['LATEST', 'LATEST', { Type: 'AT_LATEST' }, ['shardId-000000000001', 'shardId-000000000002']],
    ['TRIM_HORIZON', 'TRIM_HORIZON', { Type: 'AT_TRIM_HORIZON' }, ['shardId-000000000000']],
    [
      'AT_TIMESTAMP',
      { timestamp: new Date(5000) },
      { Type: 'AT_TIMESTAMP', Timestamp: new Date(5000) },
      ['shardId-000000000001', 'shardId-000000000002'],
    ],
  ])(
    'sends the ShardFilter of initial position %s and gets the shards it selects',
    async (_name, position, expectedFilter, expectedIds) => {
      // A split parent (closed at sequence 3000) and its two children.
      const shards = [
        shardAt(0, {
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: MAX },
          SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '3000' },
        }),
        shardAt(1, { ParentShardId: 'shardId-000000000000' }),
        shardAt(2, { ParentShardId: 'shardId-000000000000' }),
      ];
      const fake = new FakeListShards({ orders: { arn: ARN, shards } });
      const lister = new ShardLister(fake.client, { streamName: 'orders' });

      const listed = await lister.listShards(shardFilterFor(position));

      expect(fake.inputs[0]?.ShardFilter).toEqual(expectedFilter);
      expect(listed.map((s) => s.ShardId)).toEqual(expectedIds);
    },
  );

  it('pages a filtered listing without resending the filter', async () => {
    const shards = Array.from({ length: 1500 }, (_, i) => shardAt(i));
    const fake = new FakeListShards({ orders: { arn: ARN, shards } });
    const lister = new ShardLister(fake.client, { streamName: 'orders' });
    const listed = await lister.listShards({ Type: 'AT_LATEST' });
    expect(listed).toHaveLength(1500);
    expect(fake.inputs[1]).toEqual({ NextToken: 'token-1', MaxResults: 1000 });
  });

  it('maps shards to ShardDescription, keeping parents and the end, dropping incomplete ones', async () => {
    const shards: Shard[] = [
      shardAt(0, {
        ParentShardId: 'shardId-p',
        AdjacentParentShardId: 'shardId-q',
        SequenceNumberRange: { StartingSequenceNumber: '5', EndingSequenceNumber: '9' },
      }),
      // The SDK types these as required; the adapter still guards against a partial answer.
      {
        ShardId: 'shardId-no-range',
        SequenceNumberRange: { StartingSequenceNumber: '1' },
      } as Shard,
      {
        ShardId: 'shardId-no-seq',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
      } as Shard,
    ];
    const fake = new FakeListShards({ orders: { arn: ARN, shards } });
    const listed = await new ShardLister(fake.client, { streamName: 'orders' }).listShards();
    expect(listed).toEqual([
      {
        ShardId: 'shardId-000000000000',
        ParentShardId: 'shardId-p',
        AdjacentParentShardId: 'shardId-q',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' },
        SequenceNumberRange: { StartingSequenceNumber: '5', EndingSequenceNumber: '9' },
      },
    ]);
  });

  it('forwards the abort signal to every page and lets ResourceNotFoundException through', async () => {
    const shards = Array.from({ length: 1200 }, (_, i) => shardAt(i));
    const fake = new FakeListShards({ orders: { arn: ARN, shards } });
    const signal = new AbortController().signal;
    await new ShardLister(fake.client, { streamName: 'orders' }).listShards(undefined, { signal });
    expect(fake.signals).toEqual([signal, signal]);
    await expect(
      new ShardLister(fake.client, { streamName: 'gone' }).listShards(),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
