/**
 * CPU benchmark: the whole put() pipeline (validate, hash, route, aggregate, batch, settle the
 * promises) with Kinesis answered by an in-process stub, against aws-kinesis-agg's bare
 * aggregation of the same records (checkIfUserRecordFits/addUserRecord/build). 100-byte records
 * with unique 36-character keys. Rounds alternate between the two so load from other processes
 * hits both alike; the median round of each is reported, as CPU time of this process.
 *
 * Target: pipeline >= 2x the baseline's aggregation alone.
 *
 * A third function in the same rounds, the floor, does only what any producer with this API must
 * do per record (see `floor`); its ratio to the baseline is a ceiling for the pipeline's.
 * `BENCH_QUICK=1` (or `--quick`) runs fewer, smaller rounds.
 */
import { hash } from 'node:crypto';
import { ShardMap, evenHashKeyRanges, partitionKeyHashWords } from '@kinesis-kit/common';
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

/** What the floor's promises resolve to: put() resolves to a result object per record. */
interface FloorResult {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  attempts: number;
}

/**
 * The floor's put() promises, as the producer makes them (src/core/cohort.ts): one gate promise
 * per aggregate, and per record a then() on it whose k-th call yields the k-th result (a promise
 * with its own resolving functions per record costs more).
 */
interface FloorGate {
  readonly results: FloorResult[];
  cursor: number;
}
let openFloorGate: (gate: FloorGate) => void = () => undefined;
function captureFloorGate(resolve: (gate: FloorGate) => void): void {
  openFloorGate = resolve;
}
function deliverFloor(gate: FloorGate): FloorResult {
  return gate.results[gate.cursor++]!;
}

/**
 * The least work any producer with this API must do per record, run like `pipeline` (the same
 * chunks, the same caller's then()): the MD5 of the partition key (routing; the fastest MD5 here,
 * common's one-block JS MD5), a probe of a hash table of the aggregate's keys (the KPL dedups
 * keys, so byte compatibility needs it; an Int32Array indexed by the key's MD5, no Map), copying
 * the key and the data into a preallocated aggregate, the aggregate's MD5 once it holds 51200
 * bytes, and one promise per put() (a then() on its aggregate's gate promise, see FloorGate),
 * resolved with a result object once its aggregate is done.
 * Leaves out validation, varints, routing's search, budgets, batching, buffering time, retries
 * and bookkeeping: not a producer, a bound on one.
 */
async function floor(): Promise<number> {
  const start = cpuMs();
  const out = Buffer.allocUnsafe(64 * 1024);
  const words = new Uint32Array(4);
  const table = new Int32Array(4096);
  const keys: string[] = [];
  let gate = new Promise<FloorGate>(captureFloorGate);
  let members = 0;
  let o = 0;
  let seq = 0;
  let ok = 0;
  const onOk = (): void => {
    ok++;
  };
  const finish = (): void => {
    const digest = hash('md5', out.subarray(0, o), 'buffer');
    const sequenceNumber = String(seq++ + digest[0]!);
    const results: FloorResult[] = [];
    for (let i = 0; i < members; i++)
      results.push({
        shardId: 'shardId-000000000000',
        sequenceNumber,
        subSequenceNumber: i,
        attempts: 1,
      });
    openFloorGate({ results, cursor: 0 });
    gate = new Promise<FloorGate>(captureFloorGate);
    members = 0;
    keys.length = 0;
    table.fill(0);
    o = 0;
  };
  const CHUNK = 5000;
  for (let i = 0; i < COUNT; i += CHUNK) {
    const end = Math.min(COUNT, i + CHUNK);
    for (let j = i; j < end; j++) {
      const r = records[j]!;
      const pk = r.partitionKey;
      partitionKeyHashWords(pk, words);
      let slot = words[3]! & 4095;
      for (;;) {
        const at = table[slot]!;
        if (at === 0) {
          keys.push(pk);
          table[slot] = keys.length;
          o += out.write(pk, o, 'latin1');
          break;
        }
        if (keys[at - 1] === pk) break;
        slot = (slot + 1) & 4095;
      }
      out.set(r.data, o);
      o += r.data.length;
      gate.then(deliverFloor).then(onOk, onOk);
      members++;
      if (o >= 51200) finish();
    }
    await new Promise((r) => setImmediate(r));
  }
  if (members > 0) finish();
  await new Promise((r) => setImmediate(r));
  const elapsed = cpuMs() - start;
  if (ok !== COUNT) throw new Error(`floor settled ${ok} of ${COUNT}`);
  return elapsed;
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
  await floor();
  await pipeline(); // warm-up
  const base: number[] = [];
  const least: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    base.push(baseline());
    least.push(await floor());
    ours.push(await pipeline());
  }
  const baseRate = COUNT / (median(base) / 1000);
  const floorRate = COUNT / (median(least) / 1000);
  const ourRate = COUNT / (median(ours) / 1000);
  const us = (rate: number): string => `${(1e6 / rate).toFixed(2)} us/record`;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(
    `CPU pipeline benchmark: ${fmt(COUNT)} records of 100 B, 36-char unique keys, ${SHARDS} shards`,
  );
  console.log(
    `  aws-kinesis-agg aggregation only : ${fmt(baseRate)} records/s, ${us(baseRate)} (median of ${ROUNDS})`,
  );
  console.log(
    `  floor (least work of any put())  : ${fmt(floorRate)} records/s, ${us(floorRate)} = ${(floorRate / baseRate).toFixed(2)}x the baseline`,
  );
  console.log(
    `  @kinesis-kit/producer put() path : ${fmt(ourRate)} records/s, ${us(ourRate)} (median of ${ROUNDS})`,
  );
  console.log(
    `  ratio pipeline / baseline        : ${(ourRate / baseRate).toFixed(2)}x (target >= 2x; floor ${(floorRate / baseRate).toFixed(2)}x)`,
  );
}

void main();
