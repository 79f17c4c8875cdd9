import type { _Record } from '@aws-sdk/client-kinesis';
import type { HashKeyRange } from '@kinesis-kit/common';
import {
  ExtendedSequenceNumber,
  MAX_HASH_KEY,
  RecordAggregator,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';

import { toRawRecord } from '../../../src/adapters/kinesisRecords.js';
import type { ConsumerRecord } from '../../../src/processor.js';
import type { RawRecord } from '../../../src/retrievalPorts.js';
import { ResumeFilter, UserRecordSlicer } from '../../../src/runtime/recordBatch.js';

const ARRIVAL = new Date('2024-05-06T07:08:09.000Z');

function sdkRecord(sequenceNumber: string, partitionKey: string, data: Uint8Array): _Record {
  return {
    SequenceNumber: sequenceNumber,
    PartitionKey: partitionKey,
    Data: data,
    ApproximateArrivalTimestamp: ARRIVAL,
  };
}

function aggregate(keys: readonly string[]): Uint8Array {
  const agg = new RecordAggregator();
  for (const [i, partitionKey] of keys.entries()) agg.add({ partitionKey, data: `d${i}` });
  return agg.toKinesisRecord().data;
}

/** Every slice of `raw`, at most `limit` records each. */
function slices(
  raw: readonly RawRecord[],
  limit: number,
  filter = new ResumeFilter(undefined),
  range?: HashKeyRange,
): ConsumerRecord[][] {
  const slicer = new UserRecordSlicer(raw, limit, range, filter);
  const out: ConsumerRecord[][] = [];
  while (!slicer.done) out.push(slicer.take().records);
  return out;
}

/** Everything in one slice. */
function run(
  raw: readonly RawRecord[],
  filter = new ResumeFilter(undefined),
  range?: HashKeyRange,
): ConsumerRecord[] {
  return new UserRecordSlicer(raw, Number.MAX_SAFE_INTEGER, range, filter).take().records;
}

const keys = (records: readonly ConsumerRecord[]) =>
  records.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`);

describe('UserRecordSlicer', () => {
  it('turns a plain record into a ConsumerRecord with sub-sequence number 0', () => {
    // Prepare
    const raw: RawRecord = {
      sequenceNumber: '7',
      partitionKey: 'k',
      data: Uint8Array.of(1, 2),
      approximateArrivalTimestamp: ARRIVAL,
    };
    // Act
    const [record] = run([raw]);
    // Assess
    expect(record).toStrictEqual({
      data: Uint8Array.of(1, 2),
      partitionKey: 'k',
      explicitHashKey: undefined,
      sequenceNumber: '7',
      subSequenceNumber: 0,
      approximateArrivalTimestamp: ARRIVAL,
      aggregated: false,
    });
  });

  it('splits a KPL aggregate into numbered sub-records sharing its sequence number', () => {
    // Prepare
    const raw = toRawRecord(sdkRecord('200', 'a', aggregate(['x', 'y', 'x'])));
    // Act
    const records = run([raw]);
    // Assess
    expect(
      records.map((r) => [
        r.partitionKey,
        Buffer.from(r.data).toString(),
        r.sequenceNumber,
        r.subSequenceNumber,
        r.aggregated,
        r.approximateArrivalTimestamp,
      ]),
    ).toEqual([
      ['x', 'd0', '200', 0, true, ARRIVAL],
      ['y', 'd1', '200', 1, true, ARRIVAL],
      ['x', 'd2', '200', 2, true, ARRIVAL],
    ]);
  });

  it('drops an aggregate with a sub-record outside the shard, never a plain record', () => {
    // Prepare: a range holding exactly the MD5 key of 'x'.
    const x = partitionKeyToHashKey('x');
    const range = { start: x, end: x };
    const raw = [
      toRawRecord(sdkRecord('1', 'a', aggregate(['x', 'x']))),
      toRawRecord(sdkRecord('2', 'a', aggregate(['x', 'y']))),
      toRawRecord(sdkRecord('3', 'y', Buffer.from('plain'))),
    ];
    // Act
    const out = run(raw, new ResumeFilter(undefined), range);
    const all = run(raw, new ResumeFilter(undefined), { start: 0n, end: MAX_HASH_KEY });
    // Assess
    expect(out.map((r) => [r.sequenceNumber, r.subSequenceNumber])).toEqual([
      ['1', 0],
      ['1', 1],
      ['3', 0],
    ]);
    expect(all).toHaveLength(5);
  });

  it('drops what a resume from the checkpoint must not redeliver, sub-records included', () => {
    // Prepare: checkpoint at sub-record 1 of the aggregate at sequence 20.
    const raw = [
      toRawRecord(sdkRecord('10', 'p', Buffer.from('old'))),
      toRawRecord(sdkRecord('20', 'a', aggregate(['x', 'y', 'z']))),
      toRawRecord(sdkRecord('30', 'p', Buffer.from('new'))),
    ];
    const filter = new ResumeFilter(ExtendedSequenceNumber.of('20', 1));
    // Act
    const records = run(raw, filter);
    // Assess
    expect(records.map((r) => [r.sequenceNumber, r.subSequenceNumber])).toEqual([
      ['20', 2],
      ['30', 0],
    ]);
    expect(filter.active).toBe(false);
  });

  it('hands a read over in slices of at most the limit, splitting an aggregate across them', () => {
    const raw = [
      toRawRecord(sdkRecord('1', 'p', Buffer.from('a'))),
      toRawRecord(sdkRecord('2', 'a', aggregate(['x', 'y', 'z', 'w', 'v']))),
      toRawRecord(sdkRecord('3', 'p', Buffer.from('b'))),
      toRawRecord(sdkRecord('4', 'a', aggregate(['x', 'y']))),
    ];

    const got = slices(raw, 3);

    expect(got.map(keys)).toEqual([
      ['1/0', '2/0', '2/1'],
      ['2/2', '2/3', '2/4'],
      ['3/0', '4/0', '4/1'],
    ]);
    // Slicing changes only the grouping: the same records, the same objects' contents.
    expect(got.flat()).toEqual(run(raw));
    // Each slice counts its records' data bytes (plain 'a', 'b'; sub-records 'd0'…).
    const slicer = new UserRecordSlicer(raw, 3, undefined, new ResumeFilter(undefined));
    expect([slicer.take(), slicer.take(), slicer.take()].map((s) => s.dataBytes)).toEqual([
      1 + 2 + 2,
      2 + 2 + 2,
      1 + 2 + 2,
    ]);
  });

  it('an aggregate larger than two slices spans three, and done is false until all is taken', () => {
    const raw = [toRawRecord(sdkRecord('9', 'a', aggregate(['a', 'b', 'c', 'd', 'e'])))];
    const slicer = new UserRecordSlicer(raw, 2, undefined, new ResumeFilter(undefined));

    expect(keys(slicer.take().records)).toEqual(['9/0', '9/1']);
    expect(slicer.done).toBe(false);
    expect(keys(slicer.take().records)).toEqual(['9/2', '9/3']);
    expect(slicer.done).toBe(false);
    expect(keys(slicer.take().records)).toEqual(['9/4']);
    expect(slicer.done).toBe(true);
  });

  it('the resume filter applies across slices, and a filtered-out start gives full slices after it', () => {
    const raw = [
      toRawRecord(sdkRecord('10', 'p', Buffer.from('old'))),
      toRawRecord(sdkRecord('20', 'a', aggregate(['x', 'y', 'z', 'w']))),
      toRawRecord(sdkRecord('30', 'p', Buffer.from('new'))),
    ];

    const got = slices(raw, 2, new ResumeFilter(ExtendedSequenceNumber.of('20', 0)));

    expect(got.map(keys)).toEqual([
      ['20/1', '20/2'],
      ['20/3', '30/0'],
    ]);
  });

  it('a read that filters down to nothing is one empty slice; an empty read is done at once', () => {
    const raw = [toRawRecord(sdkRecord('5', 'p', Buffer.from('old')))];

    expect(slices(raw, 10, new ResumeFilter(ExtendedSequenceNumber.of('5', 0)))).toEqual([[]]);
    expect(new UserRecordSlicer([], 10, undefined, new ResumeFilter(undefined)).done).toBe(true);
  });
});
