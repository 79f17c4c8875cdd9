/**
 * CPU benchmark: the whole put() pipeline (validate, hash, route, aggregate, batch, settle the
 * promises) with Kinesis answered by an in-process stub, against aws-kinesis-agg's bare
 * aggregation of the same records (checkIfUserRecordFits/addUserRecord/build). 100-byte records
 * with unique 36-character keys. Rounds alternate between the two so load from other processes
 * hits both alike; the median round of each is reported, as CPU time of this process.
 *
 * Target: pipeline >= 2x the baseline's aggregation alone.
 * `BENCH_QUICK=1` (or `--quick`) runs fewer, smaller rounds.
 */
import { ShardMap, evenHashKeyRanges } from '@kinesis-kit/common';
import type { Shard } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '../src/KinesisProducer.js';
import type { RecordWriter, WriteEntry, WriteResult } from '../src/adapters/kinesisWriter.js';
import { awsKinesisAgg } from './awsKinesisAgg.js';
import { benchRecords } from './benchRecords.js';

const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const COUNT = quick ? 100_000 : 300_000;
const ROUNDS = quick ? 3 : 7;
const SHARDS = 4;

const records = benchRecords(COUNT);

const shards: Shard[] = evenHashKeyRanges(SHARDS).map((r, i) => ({
  ShardId: `shardId-${String(i).padStart(12, '0')}`,
  HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
  SequenceNumberRange: { StartingSequenceNumber: '0' },
}));
const map = new ShardMap(shards);

/** Answers every entry with success on the shard owning its explicit hash key. */
class StubWriter implements RecordWriter {
  private seq = 0n;
  putRecords(entries: readonly WriteEntry[]): Promise<WriteResult> {
    return Promise.resolve({
      ok: true,
      entries: entries.map((e) => ({
        ok: true as const,
        shardId: map.lookup(BigInt(e.explicitHashKey!))!.shardId,
        sequenceNumber: (this.seq++).toString(),
      })),
    });
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function baseline(): number {
  const start = cpuMs();
  const agg = new awsKinesisAgg.RecordAggregator();
  let built = 0;
  for (const r of records) {
    const rec = { partitionKey: r.partitionKey, data: r.data };
    if (!agg.checkIfUserRecordFits(rec)) {
      if (agg.build()) built++;
      agg.clearRecords();
    }
    agg.addUserRecord(rec);
  }
  if (agg.build()) built++;
  if (built === 0) throw new Error('nothing built');
  return cpuMs() - start;
}

async function pipeline(): Promise<number> {
  const producer = new KinesisProducer(
    {
      streamName: 'bench',
      // The stub has no shard limits; budgets must not be what is measured.
      rateLimit: 1_000_000,
      maxBufferedRecords: COUNT,
      maxBufferedBytes: 1024 * 1024 * 1024,
      recordMaxBufferedTime: 100,
    },
    {
      writer: new StubWriter(),
      shardMapSource: { listOpenShards: () => Promise.resolve(shards) },
    },
  );
  await producer.flush(); // let the shard map load before the clock starts
  await new Promise((r) => setTimeout(r, 20));
  const start = cpuMs();
  let ok = 0;
  let failed = 0;
  const onOk = (): void => {
    ok++;
  };
  const onErr = (): void => {
    failed++;
  };
  const CHUNK = 5000;
  for (let i = 0; i < COUNT; i += CHUNK) {
    const end = Math.min(COUNT, i + CHUNK);
    for (let j = i; j < end; j++) producer.put(records[j]!).then(onOk, onErr);
    await new Promise((r) => setImmediate(r));
  }
  await producer.flush();
  const elapsed = cpuMs() - start;
  await producer.close();
  if (ok !== COUNT || failed !== 0)
    throw new Error(`pipeline lost records: ${ok} ok, ${failed} failed`);
  return elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  baseline();
  await pipeline(); // warm-up
  const base: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    base.push(baseline());
    ours.push(await pipeline());
  }
  const baseRate = COUNT / (median(base) / 1000);
  const ourRate = COUNT / (median(ours) / 1000);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `CPU pipeline benchmark: ${fmt(COUNT)} records of 100 B, 36-char unique keys, ${SHARDS} shards`,
  );
  console.log(
    `  aws-kinesis-agg aggregation only : ${fmt(baseRate)} records/s (median of ${ROUNDS})`,
  );
  console.log(
    `  @kinesis-kit/producer put() path : ${fmt(ourRate)} records/s (median of ${ROUNDS})`,
  );
  console.log(
    `  ratio pipeline / baseline        : ${(ourRate / baseRate).toFixed(2)}x (target >= 2x)`,
  );
}

void main();
