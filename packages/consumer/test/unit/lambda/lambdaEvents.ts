/**
 * Builds Lambda Kinesis events the way the event source mapping does (base64 data, eventID
 * `<shardId>:<sequenceNumber>`, arrival time in epoch seconds with a millisecond fraction), a
 * Lambda Context double, and loads the shared vectors (`<repo>/../shared/vectors`).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { RecordAggregator } from '@kinesis-kit/common';
import type { AggregatorRecordInput } from '@kinesis-kit/common';

const REPO_ROOT = path.resolve(__dirname, '../../../../..');
export const VECTORS_DIR = path.resolve(REPO_ROOT, '../shared/vectors');

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';

/** A stored Kinesis record, as GetRecords returns it. */
export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly approximateArrivalTimestamp?: Date;
  readonly eventSourceARN?: string;
}

/** One event record exactly as Lambda's Kinesis event source mapping writes it. */
export function toEventRecord(record: StoredRecord): KinesisStreamRecord {
  const arrival = record.approximateArrivalTimestamp ?? new Date(1_700_000_000_123);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: arrival.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    awsRegion: 'us-east-1',
    eventSourceARN: record.eventSourceARN ?? STREAM_ARN,
  };
}

export function toEvent(records: readonly StoredRecord[]): KinesisStreamEvent {
  return { Records: records.map(toEventRecord) };
}

/**
 * What a producer writes for `users`: one aggregate from the real RecordAggregator (a lone
 * record comes out raw, as the KPL sends it).
 */
export function aggregateOf(users: readonly AggregatorRecordInput[]): {
  partitionKey: string;
  data: Uint8Array;
} {
  const aggregator = new RecordAggregator({ maxBytes: 1024 * 1024 });
  for (const user of users) {
    if (!aggregator.add(user)) throw new Error('test records do not fit one aggregate');
  }
  const { partitionKey, data } = aggregator.toKinesisRecord();
  return { partitionKey, data };
}

/** Sequence numbers that increase within a shard, shaped like real ones (56 digits). */
export function sequenceNumber(shardIndex: number, n: number): string {
  return (
    49_000_000_000_000_000_000_000_000n * 10n ** 28n +
    BigInt(shardIndex) * 10n ** 20n +
    BigInt(n)
  )
    .toString()
    .padStart(56, '0');
}

export function shardName(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/** A Lambda Context double: the fields a handler may read, with fixed values. */
export function fakeContext(overrides: Partial<Context> = {}): Context {
  const unsupported = (): never => {
    throw new Error('deprecated Context callbacks are not used by async handlers');
  };
  // Deprecated members, still part of the type; built apart so the literal below names none.
  const legacy = { done: unsupported, fail: unsupported, succeed: unsupported };
  return {
    ...legacy,
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'orders-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-consumer',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/orders-consumer',
    logStreamName: '2024/01/01/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- typed JSON fixture loader
export function readVectorJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, name), 'utf8')) as T;
}

export function readVectorBytes(name: string): Buffer {
  return readFileSync(path.join(VECTORS_DIR, name));
}
