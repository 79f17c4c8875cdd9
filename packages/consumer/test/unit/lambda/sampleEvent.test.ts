/**
 * The upstream sample Lambda event (kinesis-aggregation's SampleLambdaEvent.json: one Kinesis
 * record holding the Java RecordAggregator's 100-record aggregate) through both handler forms,
 * checked against the vector's summary and against aws-kinesis-agg as an independent decoder.
 */
import type { KinesisStreamEvent } from 'aws-lambda';
import { kinesisBatchHandler, kinesisHandler } from '@kinesis-kit/consumer/lambda';
import type { LambdaUserRecord } from '@kinesis-kit/consumer/lambda';
import { MemoryLogger } from '@kinesis-kit/common/testing';

import { fakeContext, readVectorBytes, readVectorJson } from './lambdaEvents';

interface VectorSummary {
  user_records_summary: {
    count: number;
    partition_key: string;
    explicit_hash_key: string;
    data_even_index: string;
    data_odd_index: string;
  };
}

interface AggUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  data: string;
}
// Its index.d.ts imports aws-sdk v2 types (not installed): load it untyped and describe the call.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const awsKinesisAgg = require('aws-kinesis-agg') as {
  deaggregateSync(
    record: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (err: Error | null | undefined, records?: AggUserRecord[]) => void,
  ): void;
};

const sample = readVectorJson<KinesisStreamEvent>('SampleLambdaEvent.json');
const vector = readVectorJson<VectorSummary>('java_recordaggregator_100_abc.json');
const sampleRecord = sample.Records[0]!;

async function collect(event: KinesisStreamEvent): Promise<LambdaUserRecord[]> {
  const seen: LambdaUserRecord[] = [];
  const handler = kinesisHandler((r) => void seen.push(r), { logger: new MemoryLogger() });
  const response = await handler(event, fakeContext());
  expect(response).toEqual({ batchItemFailures: [] });
  return seen;
}

describe('SampleLambdaEvent.json', () => {
  it('wraps the java_recordaggregator_100_abc bytes', () => {
    // Assess: the fixture is what the expected records below describe.
    expect(Buffer.from(sampleRecord.kinesis.data, 'base64')).toEqual(
      readVectorBytes('java_recordaggregator_100_abc.bin'),
    );
  });

  it('yields the 100 user records of the aggregate, with the event envelope', async () => {
    // Prepare
    const s = vector.user_records_summary;
    // Act
    const records = await collect(sample);
    // Assess
    expect(records).toHaveLength(s.count);
    records.forEach((r, i) => {
      expect(r.data.toString('utf8')).toBe(i % 2 === 0 ? s.data_even_index : s.data_odd_index);
      expect(r).toMatchObject({
        partitionKey: s.partition_key,
        explicitHashKey: s.explicit_hash_key,
        sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
        subSequenceNumber: i,
        aggregated: true,
        approximateArrivalTimestamp: new Date(1428537600 * 1000),
        shardId: 'shardId-000000000000',
        eventSourceARN: 'arn:aws:kinesis:EXAMPLE',
        eventID: 'shardId-000000000000:49545115243490985018280067714973144582180062593244200961',
      });
      expect(Buffer.isBuffer(r.data)).toBe(true);
    });
  });

  it('agrees with aws-kinesis-agg on every user record', async () => {
    // Prepare
    let theirs: AggUserRecord[] = [];
    awsKinesisAgg.deaggregateSync(sampleRecord.kinesis, true, (err, recs) => {
      if (err) throw err;
      theirs = recs ?? [];
    });
    // Act
    const ours = await collect(sample);
    // Assess
    expect(
      ours.map((r) => ({
        partitionKey: r.partitionKey,
        explicitPartitionKey: r.explicitHashKey,
        sequenceNumber: r.sequenceNumber,
        subSequenceNumber: r.subSequenceNumber,
        data: r.data.toString('base64'),
      })),
    ).toEqual(theirs.map((t) => ({ ...t })));
  });

  it('passes a corrupted aggregate through raw, as the KCL does (aws-kinesis-agg fails it)', async () => {
    // Prepare: flip one bit of the MD5 trailer.
    const bytes = Buffer.from(sampleRecord.kinesis.data, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    const event = {
      Records: [
        { ...sampleRecord, kinesis: { ...sampleRecord.kinesis, data: bytes.toString('base64') } },
      ],
    };
    // Act
    const records = await collect(event);
    // Assess
    expect(records).toHaveLength(1);
    expect(records[0]!.data).toEqual(bytes);
    expect(records[0]).toMatchObject({
      partitionKey: 'partitionKey-03',
      subSequenceNumber: 0,
      aggregated: false,
    });
    expect(records[0]!.explicitHashKey).toBeUndefined();
  });

  it('hands the batch form all 100 records at once', async () => {
    // Prepare
    const batches: (readonly LambdaUserRecord[])[] = [];
    const handler = kinesisBatchHandler((records) => void batches.push(records));
    // Act
    const response = await handler(sample, fakeContext());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((r) => r.subSequenceNumber)).toEqual([...Array(100).keys()]);
  });
});
