/**
 * End to end on the Kinesis emulator: aggregates made by the real RecordAggregator are written
 * with PutRecords, read back with GetRecords, turned into Lambda events exactly as the event
 * source mapping builds them (one invocation per shard, base64 data, eventID
 * `<shardId>:<sequenceNumber>`, arrival time in epoch seconds) and run through the handlers.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Shard } from '@aws-sdk/client-kinesis';
import {
  RecordAggregator,
  compareSequenceNumbers,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';
import type { AggregatorRecordInput, HashKeyRange } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { kinesisHandler } from '@kinesis-kit/consumer/lambda';
import type { LambdaUserRecord } from '@kinesis-kit/consumer/lambda';
import {
  createKinesisClient,
  createTestStream,
  deleteStream,
  listAllShards,
  readAllRecords,
} from '@kinesis-kit/integration';
import type { ReadRecord } from '@kinesis-kit/integration';

import { fakeContext, toEvent } from '../../unit/lambda/lambdaEvents';

const kinesis = createKinesisClient();
let streamName: string;
let streamArn: string;
let shards: Shard[];
const stored: ReadRecord[] = [];
/** Per shard id, the user records written to it, in order, as "<partitionKey>=<data>". */
const written = new Map<string, string[]>();
/** What PutRecords returned for each Kinesis record, by a name given here. */
const sequenceOf = new Map<string, string>();

const rangeOf = (shard: Shard): HashKeyRange => ({
  start: BigInt(shard.HashKeyRange!.StartingHashKey!),
  end: BigInt(shard.HashKeyRange!.EndingHashKey!),
});

/** `count` partition keys (multibyte) whose MD5 hash falls into `range`, so no EHK is needed. */
function keysIn(range: HashKeyRange, prefix: string, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `${prefix}-ключ-${i}`;
    const hash = partitionKeyToHashKey(key);
    if (hash >= range.start && hash <= range.end) keys.push(key);
  }
  return keys;
}

/** Setup preconditions: a broken setup fails every test with this message. */
function setupCheck(ok: boolean, message: string): void {
  if (!ok) throw new Error(`setup: ${message}`);
}

beforeAll(async () => {
  ({ streamName, streamArn } = await createTestStream(2));
  shards = await listAllShards(streamName);
  const entries: { name: string; shardId: string; users: AggregatorRecordInput[] }[] = [];
  for (const [s, shard] of shards.entries()) {
    const range = rangeOf(shard);
    const [k0, k1, k2, k3, k4] = keysIn(range, `s${s}`, 5);
    entries.push(
      {
        name: `${s}.agg1`,
        shardId: shard.ShardId!,
        users: [k0, k1, k2].map((k, i) => ({ partitionKey: k!, data: `agg1-${i} 🦀` })),
      },
      {
        name: `${s}.plain`,
        shardId: shard.ShardId!,
        users: [{ partitionKey: k3!, data: 'plain' }],
      },
      {
        name: `${s}.agg2`,
        shardId: shard.ShardId!,
        // One sub-record routed by an explicit hash key inside the shard.
        users: [
          { partitionKey: k4!, data: 'agg2-0' },
          { partitionKey: 'ehk-routed', data: 'agg2-1', explicitHashKey: range.start + 7n },
        ],
      },
    );
  }
  const records = entries.map(({ users }) => {
    const aggregator = new RecordAggregator();
    for (const user of users) aggregator.add(user);
    const out = aggregator.toKinesisRecord();
    return { Data: out.data, PartitionKey: out.partitionKey, ExplicitHashKey: out.explicitHashKey };
  });
  const response = await kinesis.send(
    new PutRecordsCommand({ StreamName: streamName, Records: records }),
  );
  setupCheck(response.FailedRecordCount === 0, 'PutRecords failed some records');
  response.Records!.forEach((result, i) => {
    const entry = entries[i]!;
    setupCheck(result.ShardId === entry.shardId, `${entry.name} went to ${result.ShardId}`);
    sequenceOf.set(entry.name, result.SequenceNumber!);
    const list = written.get(entry.shardId) ?? [];
    list.push(...entry.users.map((u) => `${u.partitionKey}=${String(u.data)}`));
    written.set(entry.shardId, list);
  });
  stored.push(...(await readAllRecords(streamName, { untilCount: entries.length, kinesis })));
  setupCheck(stored.length === entries.length, `read ${stored.length} records back`);
});

afterAll(async () => {
  await deleteStream(streamName);
  kinesis.destroy();
});

/** The event Lambda would send for one shard, from the stored records at or after `from`. */
function eventFor(shardId: string, from?: string) {
  const records = stored.filter(
    (r) =>
      r.shardId === shardId &&
      (from === undefined || compareSequenceNumbers(r.sequenceNumber, from) >= 0),
  );
  return toEvent(records.map((r) => ({ ...r, eventSourceARN: streamArn })));
}

const brief = (r: LambdaUserRecord) => `${r.partitionKey}=${r.data.toString('utf8')}`;

describe('Lambda events built from kinesis-local records', () => {
  it('delivers every user record of each shard in order, with the stored sequence numbers', async () => {
    // Prepare
    const lookup = (shardId: string) => rangeOf(shards.find((s) => s.ShardId === shardId)!);
    for (const shard of shards) {
      const seen: LambdaUserRecord[] = [];
      const handler = kinesisHandler((r) => void seen.push(r), {
        shardHashKeyRange: lookup,
        logger: new MemoryLogger(),
      });
      // Act
      const response = await handler(eventFor(shard.ShardId!), fakeContext());
      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(seen.map(brief)).toEqual(written.get(shard.ShardId!));
      const s = shards.indexOf(shard);
      expect(seen.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated])).toEqual([
        [sequenceOf.get(`${s}.agg1`), 0, true],
        [sequenceOf.get(`${s}.agg1`), 1, true],
        [sequenceOf.get(`${s}.agg1`), 2, true],
        [sequenceOf.get(`${s}.plain`), 0, false],
        [sequenceOf.get(`${s}.agg2`), 0, true],
        [sequenceOf.get(`${s}.agg2`), 1, true],
      ]);
      expect(seen[5]!.explicitHashKey).toBe((rangeOf(shard).start + 7n).toString());
      for (const r of seen) {
        const source = stored.find((x) => x.sequenceNumber === r.sequenceNumber)!;
        expect(r.approximateArrivalTimestamp).toEqual(source.approximateArrivalTimestamp);
        expect(r).toMatchObject({ shardId: shard.ShardId, eventSourceARN: streamArn });
      }
    }
  });

  it('reports the failed aggregate; the re-delivery runs its earlier sub-records again', async () => {
    // Prepare: fail once on the second sub-record of shard 0's second aggregate.
    const shardId = shards[0]!.ShardId!;
    const seen: string[] = [];
    let failOnce = true;
    const handler = kinesisHandler(
      (r) => {
        seen.push(
          `${r.sequenceNumber === sequenceOf.get('0.agg2') ? 'agg2' : 'other'}.${r.subSequenceNumber}`,
        );
        if (
          failOnce &&
          r.sequenceNumber === sequenceOf.get('0.agg2') &&
          r.subSequenceNumber === 1
        ) {
          failOnce = false;
          throw new Error('transient');
        }
      },
      { logger: new MemoryLogger() },
    );
    // Act: the first invocation, then the one Lambda sends from the reported sequence number.
    const first = await handler(eventFor(shardId), fakeContext());
    const retryFrom = first.batchItemFailures[0]!.itemIdentifier;
    const second = await handler(eventFor(shardId, retryFrom), fakeContext());
    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf.get('0.agg2') }]);
    expect(second).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([
      'other.0',
      'other.1',
      'other.2',
      'other.0',
      'agg2.0',
      'agg2.1',
      'agg2.0',
      'agg2.1',
    ]);
  });

  it('drops an aggregate that landed on the wrong shard only when given the shard ranges', async () => {
    // Prepare: user keys of shard 0, written to shard 1 (as a KPL with a stale shard map would).
    const [low, high] = shards;
    const aggregator = new RecordAggregator();
    for (const key of keysIn(rangeOf(low!), 'stale', 2))
      aggregator.add({ partitionKey: key, data: key });
    const { data, partitionKey } = aggregator.toKinesisRecord();
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: [
          {
            Data: data,
            PartitionKey: partitionKey,
            ExplicitHashKey: rangeOf(high!).start.toString(),
          },
        ],
      }),
    );
    const sequenceNumber = put.Records![0]!.SequenceNumber!;
    const readBack = await readAllRecords(streamName, { untilCount: stored.length + 1, kinesis });
    const record = readBack.find((r) => r.sequenceNumber === sequenceNumber)!;
    const event = toEvent([{ ...record, eventSourceARN: streamArn }]);
    const run = async (withRanges: boolean) => {
      const seen: string[] = [];
      const handler = kinesisHandler((r) => void seen.push(brief(r)), {
        ...(withRanges && { shardHashKeyRange: () => rangeOf(high!) }),
      });
      await handler(event, fakeContext());
      return seen;
    };
    // Act
    const filtered = await run(true);
    const unfiltered = await run(false);
    // Assess
    expect(record.shardId).toBe(high!.ShardId);
    expect(filtered).toEqual([]);
    expect(unfiltered).toHaveLength(2);
  });
});
