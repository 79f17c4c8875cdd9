/**
 * Heap and external memory per buffered user record: puts 20 000 records into a producer whose
 * writer never answers, forces a GC, and divides the growth. The source of RECORD_OVERHEAD_BYTES
 * in src/capacity.ts. Run: `node --expose-gc --import tsx bench/recordOverhead.ts` (SIZE=<bytes>).
 * The figure includes the caller's side of each put (its key string and promise chain), or
 * with WRITABLE=1 of each record written to producerWritable (no promise per record).
 */
import type { Shard } from '@aws-sdk/client-kinesis';
import { evenHashKeyRanges } from '@kinesis-kit/common';
import { KinesisProducer } from '../src/KinesisProducer.js';
import { producerWritable } from '../src/writable.js';
import type { RecordWriter, WriteResult } from '../src/adapters/kinesisWriter.js';
const shards: Shard[] = evenHashKeyRanges(4).map((r, i) => ({
  ShardId: `shardId-${i}`,
  HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
  SequenceNumberRange: { StartingSequenceNumber: '0' },
}));
class Never implements RecordWriter {
  putRecords(): Promise<WriteResult> {
    return new Promise(() => undefined);
  }
}
async function main() {
  const N = 20000;
  const size = Number(process.env.SIZE ?? 100);
  const p = new KinesisProducer(
    {
      streamName: 's',
      maxBufferedRecords: N + 10,
      maxBufferedBytes: 1 << 30,
      maxConcurrentRequests: 1,
      maxInFlightBytes: 1024,
      recordMaxBufferedTime: 60000,
    },
    { writer: new Never(), shardMapSource: { listOpenShards: () => Promise.resolve(shards) } },
  );
  await new Promise((r) => setTimeout(r, 50));
  const pad = 'x'.repeat(size);
  global.gc!();
  const m0 = process.memoryUsage();
  const ps: Promise<unknown>[] = [];
  const writable = process.env.WRITABLE === '1';
  const w = writable ? producerWritable(p, { highWaterMark: N }) : undefined;
  for (let i = 0; i < N; i++) {
    const record = { partitionKey: `key-${i}-${Math.random()}`, data: `${i}${pad}` };
    if (w) {
      w.write(record);
      continue;
    }
    const pr = p.put(record);
    pr.catch(() => undefined);
    ps.push(pr.then(() => 1));
  }
  await new Promise((r) => setTimeout(r, 10));
  global.gc!();
  const m1 = process.memoryUsage();
  const per = (k: 'heapUsed' | 'external' | 'arrayBuffers' | 'rss') =>
    ((m1[k] - m0[k]) / N).toFixed(0);
  console.log(
    `${writable ? 'Writable, ' : 'put(), '}record ${size} B: per buffered record heap ${per('heapUsed')} B, external ${per('external')} B, rss ${per('rss')} B; outstanding ${p.outstandingRecords}`,
  );
  process.exit(0);
}
void main();
