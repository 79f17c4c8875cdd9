import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '@kinesis-kit/common';
import { DeliveryFailedError } from '../../src/errors.js';
import { producerWritable } from '../../src/writable.js';
import { FakeKinesis, awsError } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, text } from '../fakes/harness.js';

describe('producerWritable', () => {
  it('puts every chunk and finishes once all are in the stream', async () => {
    const fake = new FakeKinesis(2);
    const producer = makeProducer(fake);
    const source = Readable.from(
      Array.from({ length: 500 }, (_, i) => ({ partitionKey: `k${i}`, data: `v${i}` })),
    );
    await pipeline(source, producerWritable(producer));
    expect(readBack(fake).map(text).sort()).toEqual(
      Array.from({ length: 500 }, (_, i) => `v${i}`).sort(),
    );
    await producer.close();
  });

  it('stops pulling while the producer buffer is full', async () => {
    const fake = new FakeKinesis(1);
    fake.latencyMs = 50;
    const producer = makeProducer(fake, { maxBufferedRecords: 20 });
    let pulled = 0;
    let put = 0;
    let maxAhead = 0;
    function* source(): Generator<{ partitionKey: string; data: string }> {
      for (let i = 0; i < 200; i++) {
        pulled += 1;
        maxAhead = Math.max(maxAhead, pulled - put);
        yield { partitionKey: `k${i}`, data: `v${i}` };
      }
    }
    await pipeline(
      Readable.from(source()),
      producerWritable(producer, { highWaterMark: 4, onRecordPut: () => (put += 1) }),
    );
    await producer.close();
    // Pulled but not yet in the stream: the producer's bound, the stream's buffer, one in hand.
    expect(maxAhead).toBeLessThanOrEqual(20 + 4 + 2);
    expect(maxAhead).toBeGreaterThan(4);
    expect(readBack(fake)).toHaveLength(200);
  });

  it('fails the stream when an accepted record fails later, unless onRecordError handles it', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake);
    const gone = awsError('ResourceNotFoundException', 400);
    fake.putErrors.push(gone);
    const records = [{ partitionKey: 'k', data: 'v' }];
    const failure: unknown = await pipeline(
      Readable.from(records),
      producerWritable(producer),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryFailedError);
    expect((failure as DeliveryFailedError).cause).toBe(gone);
    fake.putErrors.push(gone);
    const handled: [unknown, unknown][] = [];
    const put: [unknown, unknown][] = [];
    const watching = {
      onRecordError: (e: unknown, chunk: unknown) => handled.push([e, chunk]),
      onRecordPut: (r: unknown, chunk: unknown) => put.push([r, chunk]),
    };
    const two = [records[0]!, { partitionKey: 'k2', data: 'w' }];
    await pipeline(Readable.from(two), producerWritable(producer, watching));
    expect(handled.map(([e]) => e instanceof DeliveryFailedError)).toEqual([true, true]);
    expect(handled.map(([, chunk]) => chunk)).toEqual(two);
    expect(put).toHaveLength(0);
    await pipeline(Readable.from(two), producerWritable(producer, watching));
    expect(put.map(([, chunk]) => chunk)).toEqual(two);
    await producer.close();
  });

  it('fails the stream on a bad record unless onRecordError handles it', async () => {
    const fake = new FakeKinesis(1);
    const producer = makeProducer(fake);
    const bad = [
      { partitionKey: 'ok', data: 'v' },
      { partitionKey: '', data: 'v' },
    ];
    await expect(pipeline(Readable.from(bad), producerWritable(producer))).rejects.toBeInstanceOf(
      ValidationError,
    );
    const errors: unknown[] = [];
    await pipeline(
      Readable.from(bad),
      producerWritable(producer, { onRecordError: (e) => errors.push(e) }),
    );
    expect(errors).toHaveLength(1);
    await producer.close();
  });
});
