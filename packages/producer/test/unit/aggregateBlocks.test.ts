/**
 * Aggregates are written into reused blocks (src/core/blockPool.ts). A block may be reused only
 * when nothing can read its aggregate any more: these tests run the producer over writers that
 * read entries late, fail them, or never answer, and check every byte that reached the stream
 * and that every block comes back, exactly when the producer is done with it.
 */
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { deaggregate, evenHashKeyRanges } from '@kinesis-kit/common';
import { KinesisProducer } from '../../src/KinesisProducer.js';
import type { ProducerPorts } from '../../src/KinesisProducer.js';
import type { RecordWriter, WriteEntry, WriteResult } from '../../src/adapters/kinesisWriter.js';
import { BlockPool } from '../../src/core/blockPool.js';
import type { PutResult } from '../../src/core/records.js';
import { CloseTimeoutError, DeliveryFailedError, RecordExpiredError } from '../../src/errors.js';
import type { ProducerTunables } from '../../src/options.js';
import { FakeKinesis } from '../fakes/fakeKinesis.js';
import { readBack, sleep, text } from '../fakes/harness.js';

// One shard: the writers below answer every entry with it.
const shards: Shard[] = evenHashKeyRanges(1).map((r, i) => ({
  ShardId: `shardId-${i}`,
  HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
  SequenceNumberRange: { StartingSequenceNumber: '0' },
}));
const listShards = { listOpenShards: () => Promise.resolve(shards) };

function newBlocks(): BlockPool {
  return new BlockPool({ maxBlockBytes: 51_200, maxIdleBytes: 1 << 20 });
}

function producerOver(
  ports: ProducerPorts,
  options: ProducerTunables = {},
  fake?: FakeKinesis,
): KinesisProducer {
  return new KinesisProducer(
    {
      streamName: 'blocks',
      recordMaxBufferedTime: 20,
      retryBaseMs: 5,
      retryMaxMs: 20,
      ...(fake
        ? { kinesisClient: fake as unknown as KinesisClient }
        : { clientConfig: { region: 'eu-west-1' } }),
      ...options,
    },
    fake ? ports : { shardMapSource: listShards, ...ports },
  );
}

/** Records of about 1 KB: a few fill a block-sized aggregate. */
const record = (i: number): { partitionKey: string; data: string } => ({
  partitionKey: `k-${i}`,
  data: `r-${i}:`.padEnd(1000, '.'),
});

/** The user records' texts in a Kinesis record's bytes, read now. */
function textsIn(entry: WriteEntry): string[] {
  const bytes = Buffer.from(entry.data); // a copy: what the SDK would have written
  return deaggregate({ data: bytes, partitionKey: entry.partitionKey, sequenceNumber: '0' }).map(
    text,
  );
}

const success = (entries: readonly WriteEntry[]): WriteResult => ({
  ok: true,
  entries: entries.map((_, i) => ({ ok: true, shardId: 'shardId-0', sequenceNumber: String(i) })),
});

describe('aggregate blocks', () => {
  it('come back once their records are stored, and are reused', async () => {
    const fake = new FakeKinesis(2);
    const blocks = newBlocks();
    const acquire = jest.spyOn(blocks, 'acquire');
    const producer = producerOver({ blocks }, {}, fake);
    for (let wave = 0; wave < 5; wave++) {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => producer.put(record(wave * 200 + i))),
      );
    }
    await producer.close();
    const stored = readBack(fake).map(text);
    expect(new Set(stored).size).toBe(1000);
    expect(stored.filter((t) => t.startsWith('r-'))).toHaveLength(1000);
    expect(blocks.inUseBytes).toBe(0);
    const given = acquire.mock.results.map((r) => (r.value as Buffer).buffer);
    expect(given.length).toBeGreaterThan(10);
    expect(new Set(given).size).toBeLessThan(given.length / 2);
  });

  it('are not reused while a request may still read them', async () => {
    const blocks = newBlocks();
    const seen: string[] = [];
    // Like the SDK, which writes the body after the send() call returned: read each entry once
    // at the call and again later, while new aggregates are being written.
    const writer: RecordWriter = {
      async putRecords(entries) {
        const early = entries.map(textsIn);
        await sleep(5 + Math.random() * 20);
        const late = entries.map(textsIn);
        expect(late).toEqual(early);
        for (const texts of late) seen.push(...texts);
        return success(entries);
      },
    };
    const producer = producerOver({ blocks, writer });
    const puts: Promise<PutResult>[] = [];
    for (let i = 0; i < 3000; i++) {
      puts.push(producer.put(record(i)));
      if (i % 50 === 49) await sleep(1);
    }
    await Promise.all(puts);
    await producer.close();
    expect(seen).toHaveLength(3000);
    expect(new Set(seen).size).toBe(3000);
    expect(blocks.inUseBytes).toBe(0);
  });

  it('keep their bytes across retries: a retry sends what the first attempt sent', async () => {
    const blocks = newBlocks();
    const first = new Map<Uint8Array, Buffer>();
    let resent = 0;
    const writer: RecordWriter = {
      async putRecords(entries) {
        await sleep(2);
        return {
          ok: true,
          entries: entries.map((e, i) => {
            const before = first.get(e.data);
            if (before === undefined) {
              first.set(e.data, Buffer.from(e.data));
              return { ok: false, code: 'ProvisionedThroughputExceededException', message: 'x' };
            }
            resent += 1;
            expect(Buffer.compare(before, Buffer.from(e.data))).toBe(0);
            return { ok: true, shardId: 'shardId-0', sequenceNumber: String(i) };
          }),
        };
      },
    };
    const producer = producerOver({ blocks, writer });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => producer.put(record(i))),
    );
    await producer.close();
    expect(results.every((r) => r.attempts === 2)).toBe(true);
    expect(resent).toBe(first.size);
    expect(blocks.inUseBytes).toBe(0);
  });

  it.each([
    ['throttled', RecordExpiredError],
    ['fatal', DeliveryFailedError],
  ] as const)('come back when their records fail (%s) for good', async (answer, errorClass) => {
    const blocks = newBlocks();
    const writer: RecordWriter = {
      async putRecords(entries) {
        await sleep(2);
        if (answer === 'fatal') {
          return { ok: false, code: 'ResourceNotFoundException', kind: 'fatal', error: 'gone' };
        }
        return {
          ok: true,
          entries: entries.map(() => ({
            ok: false,
            code: 'ProvisionedThroughputExceededException',
            message: 'x',
          })),
        };
      },
    };
    const producer = producerOver({ blocks, writer }, { recordTtl: 150 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => producer.put(record(i))),
    );
    await producer.close();
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof errorClass)).toBe(
      true,
    );
    expect(blocks.inUseBytes).toBe(0);
  });

  it('of requests that close() gave up on come back only when those requests settle', async () => {
    const blocks = newBlocks();
    let answer: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const writer: RecordWriter = {
      async putRecords(entries) {
        await answered;
        return success(entries);
      },
    };
    const producer = producerOver({ blocks, writer }, { closeTimeoutMs: 100 });
    const outcomes = Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => producer.put(record(i))),
    );
    await sleep(50);
    const closed = producer.close();
    const settled = await outcomes;
    expect(
      settled.every((o) => o.status === 'rejected' && o.reason instanceof CloseTimeoutError),
    ).toBe(true);
    // The records are rejected, but the requests carrying them are still in flight.
    expect(blocks.inUseBytes).toBeGreaterThan(0);
    answer!();
    await closed;
    expect(blocks.inUseBytes).toBe(0);
  });

  it('of records routed again after a split come back, and nothing is lost', async () => {
    const fake = new FakeKinesis(2);
    const blocks = newBlocks();
    let split = false;
    fake.beforePut = () => {
      if (!split && fake.putCalls >= 3) {
        split = true;
        fake.split('shardId-000000000000');
      }
    };
    const producer = producerOver({ blocks }, {}, fake);
    const puts: Promise<PutResult>[] = [];
    for (let i = 0; i < 2000; i++) {
      puts.push(producer.put(record(i)));
      if (i % 100 === 99) await sleep(5);
    }
    await Promise.all(puts);
    await producer.close();
    expect(split).toBe(true);
    const stored = readBack(fake).map(text);
    expect(stored).toHaveLength(2000);
    expect(new Set(stored).size).toBe(2000);
    expect(blocks.inUseBytes).toBe(0);
  });
});
