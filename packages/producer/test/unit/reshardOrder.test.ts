/**
 * Found by the chaos suite (integration/src/chaos): with preserveOrder, a key's records reached
 * the stream out of put order when a PutRecords aimed at a shard failed after that shard was
 * split. The new map sent the key's younger records to the child at once, while the parent's
 * request was still in flight; its failed records were then retried behind them.
 */
import { FakeKinesis, awsError } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, sleep, text } from '../fakes/harness.js';

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(2);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('KinesisProducer with preserveOrder across a split', () => {
  it('sends nothing to the children until the parent request returns, then its retries first', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake, { preserveOrder: true, shardMapRefreshIntervalMs: 10 });
    fake.latencyMs = 150;
    const first = producer.put({ partitionKey: 'k', data: 'k:0' });
    await until(() => fake.putCalls === 1, 'the first request');
    fake.split('shardId-000000000000');
    await new Promise<void>((resolve) =>
      producer.on('shardMapRefreshed', (e) => {
        if (e.changedShardIds.includes('shardId-000000000000')) resolve();
      }),
    );
    // The parent's request, still in flight, fails: its record must be retried on the child.
    fake.putErrors.push(awsError('ServiceUnavailable', 503));
    const second = producer.put({ partitionKey: 'k', data: 'k:1' });
    const third = producer.put({ partitionKey: 'k', data: 'k:2' });

    const results = await Promise.all([first, second, third]);
    await producer.close();

    expect(readBack(fake).map(text)).toEqual(['k:0', 'k:1', 'k:2']);
    expect(results[0].attempts).toBe(2);
    expect(results.map((r) => r.shardId)).toEqual(Array(3).fill(results[1].shardId));
  });
});
