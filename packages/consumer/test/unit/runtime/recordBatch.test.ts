import type { _Record } from '@aws-sdk/client-kinesis';
import {
  ExtendedSequenceNumber,
  MAX_HASH_KEY,
  RecordAggregator,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';

import { toRawRecord } from '../../../src/adapters/kinesisRecords.js';
import type { ConsumerRecord } from '../../../src/processor.js';
import type { RawRecord } from '../../../src/retrievalPorts.js';
import { ResumeFilter, appendUserRecords } from '../../../src/runtime/recordBatch.js';

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

function run(raw: readonly RawRecord[], filter = new ResumeFilter(undefined)): ConsumerRecord[] {
  const out: ConsumerRecord[] = [];
  appendUserRecords(raw, undefined, filter, out);
  return out;
}

describe('appendUserRecords', () => {
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
    const out: ConsumerRecord[] = [];
    appendUserRecords(raw, range, new ResumeFilter(undefined), out);
    const all: ConsumerRecord[] = [];
    appendUserRecords(raw, { start: 0n, end: MAX_HASH_KEY }, new ResumeFilter(undefined), all);
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
});
