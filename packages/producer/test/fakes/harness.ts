/** Builds a producer over a FakeKinesis and reads the fake stream back the way a KCL consumer would. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { deaggregate } from '@kinesis-kit/common';
import type { UserRecord } from '@kinesis-kit/common';
import { KinesisProducer } from '../../src/KinesisProducer.js';
import type { ProducerTunables } from '../../src/options.js';
import type { FakeKinesis, StoredRecord } from './fakeKinesis.js';

export function makeProducer(fake: FakeKinesis, options: ProducerTunables = {}): KinesisProducer {
  return new KinesisProducer({
    streamName: 'test-stream',
    kinesisClient: fake as unknown as KinesisClient,
    recordMaxBufferedTime: 20,
    retryBaseMs: 5,
    retryMaxMs: 50,
    ...options,
  });
}

export interface ReadBack extends UserRecord {
  readonly shardId: string;
}

/**
 * Every user record stored, deaggregated. With `kclFilter`, aggregates holding a record outside
 * the shard's range are dropped, as the KCL does.
 */
export function readBack(
  fake: FakeKinesis,
  kclFilter = true,
  records: readonly StoredRecord[] = fake.records,
): ReadBack[] {
  const out: ReadBack[] = [];
  for (const r of records) {
    const users = deaggregate(
      {
        data: r.data,
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        explicitHashKey: r.explicitHashKey,
      },
      kclFilter ? { hashRange: fake.rangeOf(r.shardId) } : {},
    );
    for (const u of users) out.push({ ...u, shardId: r.shardId });
  }
  return out;
}

export const text = (u: { data: Uint8Array }): string => Buffer.from(u.data).toString('utf8');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
