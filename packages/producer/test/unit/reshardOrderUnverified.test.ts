/**
 * Found by the chaos suite (a key's record first appearing after a younger one, 1 in 18 000
 * during a double split): an aggregate predicted for a shard that split in flight lands on one
 * child, whose consumer drops the records hashing into the other child (the KCL's hash-range
 * filter); the producer learns which child only from the next shard map, and sends those records
 * again. With preserveOrder, nothing younger may be sent while such a verdict is pending.
 */
import { partitionKeyToHashKey } from '@kinesis-kit/common';
import { FakeKinesis } from '../fakes/fakeKinesis.js';
import { makeProducer, readBack, sleep, text } from '../fakes/harness.js';

const MID = 2n ** 127n;

/** Two partition keys, one in each half of the hash space. */
function keysOnBothSides(): [string, string] {
  let low: string | undefined;
  let high: string | undefined;
  for (let i = 0; low === undefined || high === undefined; i++) {
    const key = `key-${String(i)}`;
    if (partitionKeyToHashKey(key) < MID) low ??= key;
    else high ??= key;
  }
  return [low, high];
}

describe('KinesisProducer with preserveOrder when an aggregate lands on an unknown child', () => {
  it('sends nothing younger until the new map says where the aggregate went', async () => {
    const [low, high] = keysOnBothSides();
    const fake = new FakeKinesis(1);
    // A slow ListShards keeps the producer on the old map for a while after the split.
    const send = fake.send.bind(fake);
    (fake as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (c) => {
      if ((c as object).constructor.name === 'ListShardsCommand' && fake.putCalls > 0) {
        await sleep(200);
      }
      return send(c);
    };
    const producer = makeProducer(fake, { preserveOrder: true });
    let split = false;
    fake.beforePut = () => {
      if (!split) {
        split = true;
        fake.split('shardId-000000000000', MID);
      }
    };
    const first = [
      producer.put({ partitionKey: low, data: `${low}:0` }),
      producer.put({ partitionKey: high, data: `${high}:0` }),
    ];
    await sleep(60); // the aggregate of both has landed on one child; the map is still old
    // Alone, it goes raw, routed by its own hash: straight to the right child.
    const later = [producer.put({ partitionKey: high, data: `${high}:1` })];
    await Promise.all([...first, ...later]);
    await producer.close();

    // What a KCL consumer sees first, per key (hash-range filter on).
    const seen = new Map<string, string[]>();
    for (const r of readBack(fake)) {
      const [key] = text(r).split(':');
      const list = seen.get(key!) ?? [];
      if (!list.includes(text(r))) list.push(text(r));
      seen.set(key!, list);
    }
    expect(seen.get(low)).toEqual([`${low}:0`]);
    expect(seen.get(high)).toEqual([`${high}:0`, `${high}:1`]);
  });
});
