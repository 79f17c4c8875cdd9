/**
 * The per-record handler on events built from the real RecordAggregator's output: order per
 * shard, every field of the user record, and batchItemFailures when the user's function throws.
 */
import { kinesisHandler } from '@kinesis-kit/consumer/lambda';
import type { LambdaUserRecord } from '@kinesis-kit/consumer/lambda';
import { ConfigurationError, partitionKeyToHashKey } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';

import {
  STREAM_ARN,
  aggregateOf,
  fakeContext,
  sequenceNumber,
  shardName,
  toEvent,
} from './lambdaEvents';
import type { StoredRecord } from './lambdaEvents';

const S0 = shardName(0);
const S1 = shardName(1);

/** Shard 0: a plain record, an aggregate of 3 (multibyte keys, one EHK), another plain record. */
const s0Records: StoredRecord[] = [
  {
    shardId: S0,
    sequenceNumber: sequenceNumber(0, 1),
    partitionKey: 'plain-1',
    data: Buffer.from('p1'),
  },
  {
    shardId: S0,
    sequenceNumber: sequenceNumber(0, 2),
    ...aggregateOf([
      { partitionKey: 'café', data: 'a0' },
      { partitionKey: '日本語キー', data: 'a1', explicitHashKey: '42' },
      { partitionKey: '🦀', data: Buffer.from([0, 255, 1]) },
    ]),
    approximateArrivalTimestamp: new Date(1_700_000_000_456),
  },
  {
    shardId: S0,
    sequenceNumber: sequenceNumber(0, 3),
    partitionKey: 'ключ',
    data: Buffer.from('p3'),
  },
];
/** Shard 1: an aggregate of 2, then a plain record. */
const s1Records: StoredRecord[] = [
  {
    shardId: S1,
    sequenceNumber: sequenceNumber(1, 1),
    ...aggregateOf([
      { partitionKey: 'b0', data: 'b0' },
      { partitionKey: 'b1', data: 'b1' },
    ]),
  },
  {
    shardId: S1,
    sequenceNumber: sequenceNumber(1, 2),
    partitionKey: 'b2',
    data: Buffer.from('b2'),
  },
];
// Interleaved, as a replayed or hand-merged event could be; Lambda itself sends one shard.
const event = toEvent([s0Records[0]!, s1Records[0]!, s0Records[1]!, s1Records[1]!, s0Records[2]!]);

const brief = (r: LambdaUserRecord): string =>
  `${r.shardId}/${r.sequenceNumber.slice(-2)}.${r.subSequenceNumber}:${r.data.toString('latin1')}`;

describe('kinesisHandler', () => {
  it('runs every user record in order within each shard, shard by shard', async () => {
    // Prepare
    const seen: LambdaUserRecord[] = [];
    const handler = kinesisHandler(async (r) => {
      await Promise.resolve();
      seen.push(r);
    });
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map(brief)).toEqual([
      `${S0}/01.0:p1`,
      `${S0}/02.0:a0`,
      `${S0}/02.1:a1`,
      `${S0}/02.2:\u0000\u00ff\u0001`,
      `${S0}/03.0:p3`,
      `${S1}/01.0:b0`,
      `${S1}/01.1:b1`,
      `${S1}/02.0:b2`,
    ]);
  });

  it('gives each user record its keys, position, arrival time and envelope', async () => {
    // Prepare
    const seen: LambdaUserRecord[] = [];
    const handler = kinesisHandler((r) => void seen.push(r));
    // Act
    await handler(toEvent(s0Records), fakeContext());
    // Assess
    const envelope = (n: number) => ({
      sequenceNumber: sequenceNumber(0, n),
      shardId: S0,
      eventSourceARN: STREAM_ARN,
      eventID: `${S0}:${sequenceNumber(0, n)}`,
    });
    const plainTime = new Date(1_700_000_000_123);
    const aggTime = new Date(1_700_000_000_456);
    expect(seen).toEqual([
      {
        ...envelope(1),
        data: Buffer.from('p1'),
        partitionKey: 'plain-1',
        subSequenceNumber: 0,
        aggregated: false,
        approximateArrivalTimestamp: plainTime,
      },
      {
        ...envelope(2),
        data: Buffer.from('a0'),
        partitionKey: 'café',
        subSequenceNumber: 0,
        aggregated: true,
        approximateArrivalTimestamp: aggTime,
      },
      {
        ...envelope(2),
        data: Buffer.from('a1'),
        partitionKey: '日本語キー',
        explicitHashKey: '42',
        subSequenceNumber: 1,
        aggregated: true,
        approximateArrivalTimestamp: aggTime,
      },
      {
        ...envelope(2),
        data: Buffer.from([0, 255, 1]),
        partitionKey: '🦀',
        subSequenceNumber: 2,
        aggregated: true,
        approximateArrivalTimestamp: aggTime,
      },
      {
        ...envelope(3),
        data: Buffer.from('p3'),
        partitionKey: 'ключ',
        subSequenceNumber: 0,
        aggregated: false,
        approximateArrivalTimestamp: plainTime,
      },
    ]);
  });

  it('passes the Lambda context through unchanged', async () => {
    // Prepare
    const context = fakeContext({ awsRequestId: 'req-1' });
    const contexts = new Set<unknown>();
    const handler = kinesisHandler((_r, c) => void contexts.add(c));
    // Act
    await handler(event, context);
    // Assess
    expect([...contexts]).toEqual([context]);
    expect([...contexts][0]).toBe(context);
  });

  it('reports the Kinesis record that failed and runs nothing after it in that shard', async () => {
    // Prepare: fail on the second sub-record of shard 0's aggregate.
    const seen: string[] = [];
    const logger = new MemoryLogger();
    const handler = kinesisHandler(
      async (r) => {
        seen.push(brief(r));
        if (r.shardId === S0 && r.subSequenceNumber === 1) throw new Error('db down');
        await Promise.resolve();
      },
      { logger },
    );
    // Act
    const response = await handler(event, fakeContext());
    // Assess: shard 1 is not affected; shard 0 stops at a1, so a2 and p3 never ran.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(0, 2) }] });
    expect(seen).toEqual([
      `${S0}/01.0:p1`,
      `${S0}/02.0:a0`,
      `${S0}/02.1:a1`,
      `${S1}/01.0:b0`,
      `${S1}/01.1:b1`,
      `${S1}/02.0:b2`,
    ]);
    const [line, ...more] = logger.find('error');
    expect(more).toEqual([]);
    expect(line!.fields).toMatchObject({
      shardId: S0,
      eventSourceARN: STREAM_ARN,
      sequenceNumber: sequenceNumber(0, 2),
      subSequenceNumber: 1,
      redeliveredRecords: 2,
      reported: true,
      error: new Error('db down'),
    });
  });

  it('reports one failure per failed shard, each at its first failure', async () => {
    // Prepare: synchronous throws of non-Error values count as failures too.
    const handler = kinesisHandler(
      (r) => {
        if (r.partitionKey === 'b1' || r.partitionKey === 'ключ' || r.partitionKey === 'b2') {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- users may throw anything
          throw 'nope';
        }
      },
      { logger: new MemoryLogger() },
    );
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(0, 3) },
      { itemIdentifier: sequenceNumber(1, 1) },
    ]);
  });

  it('rethrows the failure when ReportBatchItemFailures is not configured, running nothing more', async () => {
    // Prepare
    const seen: string[] = [];
    const failure = new Error('bad record');
    const handler = kinesisHandler(
      (r) => {
        seen.push(brief(r));
        if (r.partitionKey === 'café') throw failure;
      },
      { reportBatchItemFailures: false, logger: new MemoryLogger() },
    );
    // Act
    const outcome = handler(event, fakeContext());
    // Assess: the later shard is not run either, since Lambda retries the whole batch.
    await expect(outcome).rejects.toBe(failure);
    expect(seen).toEqual([`${S0}/01.0:p1`, `${S0}/02.0:a0`]);
  });

  it('answers an empty event without calling the function', async () => {
    // Prepare
    const fn = jest.fn();
    // Act
    const response = await kinesisHandler(fn)({ Records: [] }, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fn).not.toHaveBeenCalled();
  });

  it('drops an aggregate written to the wrong shard when given the shard ranges (KCL filter)', async () => {
    // Prepare: shard 0 owns only the hash key of "b0"; the lone plain records are never filtered.
    const b0 = partitionKeyToHashKey('b0');
    const lookups: [string, string][] = [];
    const seen: string[] = [];
    const handler = kinesisHandler((r) => void seen.push(brief(r)), {
      shardHashKeyRange: async (shardId, arn) => {
        lookups.push([shardId, arn]);
        await Promise.resolve();
        return shardId === S1 ? { start: b0, end: b0 } : undefined;
      },
    });
    // Act
    await handler(event, fakeContext());
    // Assess: shard 1's aggregate holds "b1" (outside) so all of it goes; shard 0 is unfiltered.
    expect(lookups).toEqual([
      [S0, STREAM_ARN],
      [S1, STREAM_ARN],
    ]);
    expect(seen.filter((s) => s.startsWith(S1))).toEqual([`${S1}/02.0:b2`]);
    expect(seen.filter((s) => s.startsWith(S0))).toHaveLength(5);
  });

  it('rejects bad options when the handler is created', () => {
    // Act
    const create = () =>
      kinesisHandler(() => undefined, {
        logger: {} as never,
        reportBatchItemFailures: 'yes' as never,
        shardHashKeyRange: 1 as never,
      });
    // Assess
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(/logger.*reportBatchItemFailures.*shardHashKeyRange/);
  });
});
