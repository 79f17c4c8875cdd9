/**
 * Where the CPU benchmark's time goes: the parts of the put() path measured alone on the same
 * records as bench/cpu.ts (100 B, unique 36-character keys), next to the baseline. Not part of
 * `npm run bench`; run `npx tsx bench/cpuParts.ts`. Medians of 7 rounds of CPU time.
 *
 * - aws-kinesis-agg: the baseline of bench/cpu.ts (aggregation alone).
 * - RecordAggregator: common's aggregator alone (one shard), through `add` (which validates)
 *   and through `addValidated` as the producer calls it (key already checked and measured).
 * - validate + hash: the producer's validation and partition-key hash (core/validate.ts).
 * - promise per record: what the put() API costs at the least: one promise per record, settled
 *   in batches, with the caller's then() as in bench/cpu.ts; made as the producer makes them, a
 *   then() per record on one gate promise per batch (src/core/cohort.ts).
 *
 * The sum of the last three (the producer's path) bounds the pipeline's speed whatever the
 * producer's bookkeeping. bench/cpu.ts times a floor of the work itself in the same rounds.
 */
import { RecordAggregator, partitionKeyHashWords } from '@kinesis-kit/common';
import { keyHashWordsOf } from '../src/core/keyHash.js';
import { validateRecord } from '../src/core/validate.js';
import { awsKinesisAgg } from './awsKinesisAgg.js';
import { benchRecords } from './benchRecords.js';

const COUNT = 300_000;
const CHUNK = 5000;
const records = benchRecords(COUNT);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function baseline(): number {
  const agg = new awsKinesisAgg.RecordAggregator();
  for (const r of records) {
    const rec = { partitionKey: r.partitionKey, data: r.data };
    if (!agg.checkIfUserRecordFits(rec)) {
      agg.build();
      agg.clearRecords();
    }
    agg.addUserRecord(rec);
  }
  agg.build();
  return 0;
}

function aggregator(): number {
  const agg = new RecordAggregator({ maxBytes: 51200 });
  for (const r of records) {
    if (!agg.add(r)) {
      agg.toKinesisRecord();
      agg.reset();
      agg.add(r);
    }
  }
  agg.toKinesisRecord();
  return 0;
}

// What the producer hands addValidated besides the record: the low word of the key's MD5, which
// routing computed (so it is not timed here).
const keyHashes = records.map((r) => {
  const words = new Uint32Array(4);
  partitionKeyHashWords(r.partitionKey, words);
  return words[3]!;
});

// The keys are ASCII: their UTF-8 length is their length, as validation finds it.
function aggregatorValidated(): number {
  const agg = new RecordAggregator({ maxBytes: 51200 });
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const keyBytes = r.partitionKey.length;
    if (!agg.addValidated(r, r.data, keyBytes, keyHashes[i]!)) {
      agg.toKinesisRecord();
      agg.reset();
      agg.addValidated(r, r.data, keyBytes, keyHashes[i]!);
    }
  }
  agg.toKinesisRecord();
  return 0;
}

function validateAndHash(): number {
  let sink = 0;
  for (const r of records) sink += keyHashWordsOf(validateRecord(r, 1 << 20))[0]!;
  return sink;
}

interface Gate {
  readonly results: unknown[];
  cursor: number;
}
let openGate: (gate: Gate) => void = () => undefined;
function captureGate(resolve: (gate: Gate) => void): void {
  openGate = resolve;
}
function deliver(gate: Gate): unknown {
  return gate.results[gate.cursor++];
}

async function promises(): Promise<number> {
  let ok = 0;
  const onOk = (): void => {
    ok++;
  };
  for (let i = 0; i < COUNT; i += CHUNK) {
    const gate = new Promise<Gate>(captureGate);
    const open = openGate;
    for (let j = i; j < i + CHUNK; j++) void gate.then(deliver).then(onOk);
    await new Promise((r) => setImmediate(r));
    const results: unknown[] = [];
    for (let j = i; j < i + CHUNK; j++)
      results.push({ shardId: 's', sequenceNumber: '1', subSequenceNumber: 0, attempts: 1 });
    open({ results, cursor: 0 });
  }
  await new Promise((r) => setImmediate(r));
  return ok;
}

async function time(run: () => number | Promise<number>): Promise<number> {
  const start = cpuMs();
  await run();
  return (cpuMs() - start) / COUNT;
}

async function main(): Promise<void> {
  const parts: [string, () => number | Promise<number>][] = [
    ['aws-kinesis-agg aggregation (baseline)', baseline],
    ['common RecordAggregator.add alone', aggregator],
    ['common RecordAggregator.addValidated', aggregatorValidated],
    ['producer validate + hash alone', validateAndHash],
    ['one promise per record alone', promises],
  ];
  const samples = parts.map((): number[] => []);
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < parts.length; i++) {
      const ms = await time(parts[i]![1]);
      if (round > 0) samples[i]!.push(ms);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const base = median(samples[0]!);
  console.log(`CPU per record, ${COUNT.toLocaleString('en-US')} records of 100 B (median of 7)`);
  let floor = 0;
  parts.forEach(([name], i) => {
    const us = median(samples[i]!) * 1000;
    // The producer's path: addValidated, validation + hash, a promise (not the checking add).
    if (i > 1) floor += us;
    console.log(`  ${name.padEnd(40)}: ${us.toFixed(2)} us`);
  });
  console.log(
    `  sum of the parts (a bound on the pipeline): ${floor.toFixed(2)} us = at most ${((base * 1000) / floor).toFixed(2)}x the baseline`,
  );
}

void main();
