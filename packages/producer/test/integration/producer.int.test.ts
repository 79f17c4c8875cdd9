/**
 * The producer against kinesis-local: a 100 000-record run read back and deaggregated (ours and
 * aws-kinesis-agg), resharding while producing, bad input, and AWS errors.
 */
import {
  createTestStream,
  deleteStream,
  mergeShardsAndWait,
  splitShardAndWait,
  testClientConfig,
  uniqueName,
} from '@kinesis-kit/integration';
import { RecordTooLargeError, ValidationError } from '@kinesis-kit/common';
import { KinesisProducer } from '../../src/KinesisProducer.js';
import type { PutResult } from '../../src/core/records.js';
import { DeliveryFailedError } from '../../src/errors.js';
import type { ProducerTunables } from '../../src/options.js';
import { deaggregateAwsKinesisAgg, deaggregateOurs, readStream } from './readBack.js';
import type { StoredUserRecord } from './readBack.js';

jest.setTimeout(120_000);

const streams: string[] = [];
afterAll(async () => {
  await Promise.all(streams.map((s) => deleteStream(s)));
});

async function stream(shards: number): Promise<string> {
  const { streamName } = await createTestStream(shards);
  streams.push(streamName);
  return streamName;
}

function producerFor(streamName: string, options: ProducerTunables = {}): KinesisProducer {
  // Every retry is the producer's own: SDK retries would hide faults from it.
  return new KinesisProducer({
    streamName,
    clientConfig: { ...testClientConfig(), maxAttempts: 1 },
    retryBaseMs: 20,
    retryMaxMs: 1000,
    ...options,
  });
}

/** Each result points at exactly one stored copy of its record, on the shard it reported. */
function expectEachOnce(stored: readonly StoredUserRecord[], results: readonly PutResult[]): void {
  const byText = new Map<string, StoredUserRecord[]>();
  for (const s of stored) {
    const list = byText.get(s.text);
    if (list) list.push(s);
    else byText.set(s.text, [s]);
  }
  const problems: string[] = [];
  results.forEach((r, i) => {
    const copies = byText.get(`rec-${i}`) ?? [];
    if (copies.length !== 1) problems.push(`rec-${i}: ${copies.length} copies`);
    const c = copies[0];
    if (
      c &&
      (c.shardId !== r.shardId ||
        c.sequenceNumber !== r.sequenceNumber ||
        c.subSequenceNumber !== r.subSequenceNumber)
    ) {
      problems.push(`rec-${i}: reported ${JSON.stringify(r)}, stored ${JSON.stringify(c)}`);
    }
  });
  expect(problems.slice(0, 10)).toEqual([]);
  expect(stored).toHaveLength(results.length);
}

/** Puts `n` records `rec-<i>` with unique keys, awaiting in windows so the run stays bounded. */
async function putRun(
  producer: KinesisProducer,
  n: number,
  during?: (i: number) => Promise<void> | undefined,
): Promise<PutResult[]> {
  const puts: Promise<PutResult>[] = [];
  for (let i = 0; i < n; i++) {
    puts.push(producer.put({ partitionKey: `key-${i}-${i % 977}`, data: `rec-${i}` }));
    const pause = during?.(i);
    if (pause) await pause;
  }
  return Promise.all(puts);
}

const distinctKinesisRecords = (results: readonly PutResult[]): number =>
  new Set(results.map((r) => `${r.shardId}/${r.sequenceNumber}`)).size;

describe('KinesisProducer on kinesis-local', () => {
  it('stores every one of 100 000 records exactly once, where put() said', async () => {
    const streamName = await stream(4);
    const producer = producerFor(streamName);
    const results = await putRun(producer, 100_000);
    await producer.close();

    const records = await readStream(streamName, distinctKinesisRecords(results));
    expectEachOnce(await deaggregateOurs(streamName, records, false), results);
    expectEachOnce(deaggregateAwsKinesisAgg(records), results);
    // Aggregation happened: far fewer Kinesis records than user records.
    expect(records.length).toBeLessThan(2000);
  });

  it('loses nothing when a shard splits and two merge while producing', async () => {
    const streamName = await stream(2);
    const producer = producerFor(streamName, { shardMapRefreshIntervalMs: 1000 });
    let reshard: Promise<void> | undefined;
    const results = await putRun(producer, 20_000, (i) => {
      if (i === 4000) {
        reshard = (async () => {
          const [, high] = await splitShardAndWait(streamName, 'shardId-000000000000');
          await mergeShardsAndWait(streamName, high!, 'shardId-000000000001');
        })();
      }
      // Spread the run over a few seconds so the reshard happens while records flow.
      return i % 500 === 499 ? new Promise((r) => setTimeout(r, 60)) : undefined;
    });
    await reshard;
    const late = await putRun(producer, 0);
    await producer.close();
    expect(late).toEqual([]);

    const records = await readStream(streamName, distinctKinesisRecords(results));
    // As a KCL consumer sees it: aggregates on a shard not holding all their records are dropped.
    expectEachOnce(await deaggregateOurs(streamName, records, true), results);
    const shardsUsed = new Set(results.map((r) => r.shardId));
    expect(shardsUsed.size).toBeGreaterThanOrEqual(4);
  });

  it('rejects bad input per put with the field and limit, delivering the rest', async () => {
    const streamName = await stream(1);
    const producer = producerFor(streamName);
    const key = 'k';
    const outcomes = await Promise.allSettled([
      producer.put({ partitionKey: '', data: 'x' }),
      producer.put({ partitionKey: 'x'.repeat(257), data: 'x' }),
      producer.put({ partitionKey: key, data: 'x', explicitHashKey: '-1' }),
      producer.put({ partitionKey: key, data: 7 as never }),
      producer.put({ partitionKey: key, data: Buffer.alloc(1024 * 1024) }),
      producer.put({ partitionKey: key, data: Buffer.alloc(1024 * 1024 - key.length) }),
      producer.put({ partitionKey: key, data: 'fine' }),
    ]);
    await producer.close();
    const reasons = outcomes.map((o) =>
      o.status === 'rejected' ? (o.reason as Error) : undefined,
    );
    expect(reasons.slice(0, 4).map((e) => e instanceof ValidationError && e.field)).toEqual([
      'partitionKey',
      'partitionKey',
      'explicitHashKey',
      'data',
    ]);
    expect(reasons[4]).toBeInstanceOf(RecordTooLargeError);
    expect(reasons[4]!.message).toContain('1048576');
    // Exactly at the limit (data + key = 1 MiB) is accepted by the service.
    expect(outcomes[5].status).toBe('fulfilled');
    expect(outcomes[6].status).toBe('fulfilled');
  });

  it('rejects with the AWS error as cause when the stream does not exist', async () => {
    const producer = producerFor(uniqueName('missing'));
    const started = Date.now();
    const error = await producer.put({ partitionKey: 'k', data: 'v' }).catch((e: unknown) => e);
    await producer.close();
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect((error as DeliveryFailedError).errorCode).toBe('ResourceNotFoundException');
    expect(((error as DeliveryFailedError).cause as Error).name).toBe('ResourceNotFoundException');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
