import { partitionKeyToHashKey } from '@kinesis-kit/common';
import type { PutResult } from '../../src/core/records.js';
import { FakeKinesis } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, sleep, text } from '../fakes/harness.js';
import type { ReadBack } from '../fakes/harness.js';

/** Each put's result points at a stored copy of its record, in a shard whose range holds it. */
function expectExactlyOnce(fake: FakeKinesis, results: PutResult[], prefix: string): void {
  const stored = readBack(fake); // with the KCL's hash-range filter
  const byText = new Map<string, ReadBack[]>();
  for (const s of stored) byText.set(text(s), [...(byText.get(text(s)) ?? []), s]);
  results.forEach((r, i) => {
    const copies = byText.get(`${prefix}-${i}`) ?? [];
    expect(copies).toHaveLength(1);
    const copy = copies[0]!;
    expect(copy.shardId).toBe(r.shardId);
    expect(copy.sequenceNumber).toBe(r.sequenceNumber);
    expect(copy.subSequenceNumber).toBe(r.subSequenceNumber);
    const range = fake.rangeOf(r.shardId);
    const key = partitionKeyToHashKey(copy.partitionKey);
    expect(key >= range.start && key <= range.end).toBe(true);
  });
  expect(stored).toHaveLength(results.length);
}

async function produce(
  producer: ReturnType<typeof makeProducer>,
  n: number,
  prefix: string,
  pauseEvery = 100,
): Promise<PutResult[]> {
  const puts: Promise<PutResult>[] = [];
  for (let i = 0; i < n; i++) {
    puts.push(producer.put({ partitionKey: `${prefix}-${i}`, data: `${prefix}-${i}` }));
    if (i % pauseEvery === pauseEvery - 1) await sleep(5);
  }
  return Promise.all(puts);
}

describe('KinesisProducer across resharding', () => {
  it('loses nothing when a shard splits between prediction and put', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake);
    let split = false;
    fake.beforePut = () => {
      if (!split && fake.putCalls >= 3) {
        split = true;
        fake.split('shardId-000000000000');
      }
    };
    const refreshed: string[][] = [];
    producer.on('shardMapRefreshed', (e) => refreshed.push([...e.changedShardIds]));
    const results = await produce(producer, 3000, 's');
    await producer.close();
    expect(split).toBe(true);
    expect(refreshed.some((c) => c.includes('shardId-000000000000'))).toBe(true);
    expectExactlyOnce(fake, results, 's');
    // After the refresh, new records go to the children.
    expect(results.at(-1)!.shardId).not.toBe('shardId-000000000000');
  });

  it('loses nothing when two shards merge while producing', async () => {
    const fake = new FakeKinesis(3);
    const producer = makeProducer(fake);
    let merged = false;
    fake.beforePut = () => {
      if (!merged && fake.putCalls >= 3) {
        merged = true;
        fake.merge('shardId-000000000000', 'shardId-000000000001');
      }
    };
    const results = await produce(producer, 3000, 'm');
    await producer.close();
    expect(merged).toBe(true);
    expectExactlyOnce(fake, results, 'm');
    // A merge never puts a record outside the child's range: no record is sent twice.
    expect(readBack(fake, false)).toHaveLength(3000);
  });

  it('notices a reshard by itself through the periodic refresh', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { shardMapRefreshIntervalMs: 50 });
    await producer.put({ partitionKey: 'before', data: 'x' });
    fake.split('shardId-000000000000');
    const refreshed = new Promise<void>((resolve) =>
      producer.on('shardMapRefreshed', (e) => {
        if (e.changedShardIds.length > 0) resolve();
      }),
    );
    await refreshed;
    const results = await produce(producer, 200, 'p');
    await producer.close();
    expect(new Set(results.map((r) => r.shardId))).toEqual(
      new Set(['shardId-000000000001', 'shardId-000000000002']),
    );
    // No record needed a second try: the map was already right.
    expect(results.every((r) => r.attempts === 1)).toBe(true);
  });

  it('reads a paged shard list with NextToken alone on later pages', async () => {
    const fake = new FakeKinesis(5, undefined, undefined, 2);
    const producer = makeProducer(fake);
    const results = await produce(producer, 100, 'g');
    await producer.close();
    expect(new Set(results.map((r) => r.shardId)).size).toBe(5);
    expect(fake.listShardsInputs[0]).toMatchObject({
      StreamName: 'test-stream',
      ShardFilter: { Type: 'AT_LATEST' },
    });
    expect(fake.listShardsInputs[1]).toEqual({ NextToken: '2', MaxResults: 1000 });
  });
});
