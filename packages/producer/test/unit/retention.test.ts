/**
 * Memory regressions found by the memory benchmark: nothing the producer has finished with may
 * stay reachable. Checked with WeakRefs and a forced full GC (V8's gc exposed at run time).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ShardBuffer } from '../../src/core/shardBuffer.js';
import { producerWritable } from '../../src/writable.js';
import { FakeKinesis } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack } from '../fakes/harness.js';
import { pending } from '../fakes/pendingRecords.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** How many of the referents survive a full GC (after the current microtasks ran). */
async function survivors(refs: readonly WeakRef<object>[]): Promise<number> {
  await new Promise((r) => setImmediate(r));
  gc();
  return refs.filter((r) => r.deref() !== undefined).length;
}

/** Adds 100 records, then takes them all (60 sent, 40 expired); returns refs to their data. */
function fillAndTakeAll(buffer: ShardBuffer): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  // Fewer than the 1024 taken records after which the queue compacts itself.
  for (let i = 0; i < 100; i++) {
    const data = new Uint8Array(1000);
    refs.push(new WeakRef(data));
    buffer.add(pending(`k${i}`, data));
  }
  for (let i = 0; i < 60; i++) buffer.shift('ready');
  expect(buffer.takeExpired(Number.POSITIVE_INFINITY)).toHaveLength(40);
  return refs;
}

describe('retention', () => {
  it('a shard buffer keeps no record it has handed out', async () => {
    const buffer = new ShardBuffer(
      's0',
      {
        aggregationEnabled: false,
        aggregationMaxCount: 1,
        aggregationMaxSize: 51_200,
        recordMaxBufferedTime: 100,
      },
      undefined,
    );
    // In a plain function: an async function's suspended frame keeps stale registers alive.
    const refs = fillAndTakeAll(buffer);
    expect(buffer.isEmpty).toBe(true);
    expect(await survivors(refs)).toBe(0);
  });

  it('the Writable lets go of a chunk once it is accepted, unless a callback wants it', async () => {
    const fake = new FakeKinesis(1);
    // Nothing settles during the test: records stay buffered or in flight.
    fake.latencyMs = 3000;
    const producer = makeProducer(fake);
    const writable = producerWritable(producer);
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 50; i++) {
      const chunk = { partitionKey: `k${i}`, data: 'x'.repeat(1000) + String(i) };
      refs.push(new WeakRef(chunk));
      await new Promise<void>((resolve, reject) =>
        writable.write(chunk, (error) => (error ? reject(error) : resolve())),
      );
    }
    expect(await survivors(refs)).toBe(0);
    // ...while the records were still on their way: the fake had stored none of them.
    expect(readBack(fake)).toHaveLength(0);

    const kept: WeakRef<object>[] = [];
    const watching = producerWritable(producer, { onRecordPut: () => undefined });
    for (let i = 0; i < 5; i++) {
      const chunk = { partitionKey: `w${i}`, data: `v${i}` };
      kept.push(new WeakRef(chunk));
      watching.write(chunk);
    }
    // A callback that receives the chunk keeps it until the record settles: the control.
    expect(await survivors(kept)).toBe(5);
    expect(readBack(fake)).toHaveLength(0);
    writable.end();
    watching.end();
    await producer.close();
    expect(readBack(fake)).toHaveLength(55);
  });
});
