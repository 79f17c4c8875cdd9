/**
 * The batch form: one call per shard with all its user records, and the three outcomes (all
 * done, a thrown error failing the shard batch, a returned first failed record).
 */
import { kinesisBatchHandler } from '@kinesis-kit/consumer/lambda';
import type { LambdaUserRecord } from '@kinesis-kit/consumer/lambda';
import { ValidationError, partitionKeyToHashKey } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';

import { aggregateOf, fakeContext, sequenceNumber, shardName, toEvent } from './lambdaEvents';

const S0 = shardName(0);
const S1 = shardName(1);
const event = toEvent([
  { shardId: S0, sequenceNumber: sequenceNumber(0, 1), partitionKey: 'x', data: Buffer.from('x0') },
  {
    shardId: S1,
    sequenceNumber: sequenceNumber(1, 1),
    ...aggregateOf([
      { partitionKey: 'ü1', data: 'y0' },
      { partitionKey: 'ü2', data: 'y1' },
    ]),
  },
  {
    shardId: S0,
    sequenceNumber: sequenceNumber(0, 2),
    ...aggregateOf([
      { partitionKey: 'z', data: 'x1' },
      { partitionKey: 'z', data: 'x2' },
      { partitionKey: 'z', data: 'x3' },
    ]),
  },
  { shardId: S0, sequenceNumber: sequenceNumber(0, 3), partitionKey: 'x', data: Buffer.from('x4') },
]);

const texts = (records: readonly LambdaUserRecord[]) => records.map((r) => r.data.toString());

describe('kinesisBatchHandler', () => {
  it('calls the function once per shard with its user records in order', async () => {
    // Prepare
    const batches: string[][] = [];
    const handler = kinesisBatchHandler(async (records) => {
      await Promise.resolve();
      batches.push(texts(records));
    });
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batches).toEqual([
      ['x0', 'x1', 'x2', 'x3', 'x4'],
      ['y0', 'y1'],
    ]);
  });

  it('fails the whole shard batch when the function throws', async () => {
    // Prepare
    const logger = new MemoryLogger();
    const handler = kinesisBatchHandler(
      (records) => {
        if (records[0]!.shardId === S0) throw new Error('bulk write failed');
      },
      { logger },
    );
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(0, 1) }] });
    expect(logger.find('error')[0]!.fields).toMatchObject({
      shardId: S0,
      redeliveredRecords: 3,
      error: new Error('bulk write failed'),
    });
  });

  it.each([
    ['a plain record', 'x4', sequenceNumber(0, 3)],
    [
      'a sub-record inside an aggregate (the whole aggregate is re-delivered)',
      'x2',
      sequenceNumber(0, 2),
    ],
    ['the first sub-record of an aggregate', 'x1', sequenceNumber(0, 2)],
  ])('reports the Kinesis record holding a returned failed record: %s', async (_, failed, seq) => {
    // Prepare
    const handler = kinesisBatchHandler(
      (records) => ({ failedRecord: records.find((r) => r.data.toString() === failed) }),
      { logger: new MemoryLogger() },
    );
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq }] });
  });

  it('accepts a copy of a record as the failed record', async () => {
    // Prepare
    const handler = kinesisBatchHandler((records) => ({ failedRecord: { ...records[1]! } }), {
      logger: new MemoryLogger(),
    });
    // Act
    const response = await handler(event, fakeContext());
    // Assess: x1 is shard 0's aggregate; y1 is shard 1's aggregate.
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(0, 2) },
      { itemIdentifier: sequenceNumber(1, 1) },
    ]);
  });

  it('rejects a failed record that was not in the batch', async () => {
    // Prepare: a record of another sub-sequence number than any in the aggregate.
    const handler = kinesisBatchHandler((records) => ({
      failedRecord: { ...records[1]!, subSequenceNumber: 7 },
    }));
    // Act
    const outcome = handler(event, fakeContext());
    // Assess
    await expect(outcome).rejects.toThrow(ValidationError);
    await expect(outcome).rejects.toMatchObject({ field: 'failedRecord' });
  });

  it('rethrows when ReportBatchItemFailures is not configured', async () => {
    // Prepare
    const handler = kinesisBatchHandler((records) => ({ failedRecord: records[0] }), {
      reportBatchItemFailures: false,
      logger: new MemoryLogger(),
    });
    // Act
    const outcome = handler(event, fakeContext());
    // Assess
    await expect(outcome).rejects.toThrow(/reported record .* failed/);
  });

  it('is not called for a shard whose aggregates were all dropped by the range filter', async () => {
    // Prepare: shard 1 owns a range that contains neither of its aggregate's keys.
    const outside = partitionKeyToHashKey('ü1') + 1n;
    const calls: string[] = [];
    const handler = kinesisBatchHandler((records) => void calls.push(records[0]!.shardId), {
      shardHashKeyRange: (shardId) =>
        shardId === S1 ? { start: outside, end: outside } : undefined,
    });
    // Act
    const response = await handler(event, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([S0]);
  });
});
