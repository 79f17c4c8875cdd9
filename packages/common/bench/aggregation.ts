/**
 * Aggregation benchmark: our codec against aws-kinesis-agg in the same process, on the same
 * records and the same aggregate boundaries (51200-byte aggregates, the KPL default).
 * Run with `npm run bench -w @kinesis-kit/common`. Each case warms up, then runs several timed
 * rounds; the median round is reported.
 */
import { randomBytes } from 'node:crypto';

import {
  RecordAggregator,
  deaggregate,
  MAX_HASH_KEY,
  partitionKeyToHashKey,
} from '../src/index.js';
import { aggDecode, aggEncode } from '../test/unit/core/aggregation/awsKinesisAgg.js';
import { encodeFloor, md5Only } from './floors.js';

interface Input {
  partitionKey: string;
  data: Buffer;
}

const ROUNDS = 15;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomKey(length: number): string {
  const bytes = randomBytes(length);
  let key = '';
  for (const b of bytes) key += ALPHABET.charAt(b % ALPHABET.length);
  return key;
}

function makeRecords(count: number, dataBytes: number): Input[] {
  return Array.from({ length: count }, () => ({
    partitionKey: randomKey(36),
    data: randomBytes(dataBytes),
  }));
}

/** Splits records into the groups our aggregator packs into one aggregate each. */
function groups(records: Input[]): Input[][] {
  const out: Input[][] = [];
  const agg = new RecordAggregator<Input>();
  for (const r of records) {
    if (!agg.add(r)) {
      out.push([...agg.records]);
      agg.reset();
      agg.add(r);
    }
  }
  out.push([...agg.records]);
  return out;
}

/**
 * Median CPU milliseconds (user + system) of each function over ROUNDS rounds, after a warm-up.
 * The functions run interleaved within each round, so load from other processes on a shared
 * machine hits all of them alike, and CPU time rather than wall time keeps that load out of
 * the figures.
 */
function timeAll(fns: readonly (() => number)[]): number[] {
  let sink = 0;
  for (const fn of fns) sink += fn(); // warm-up (JIT)
  const durations = fns.map(() => [] as number[]);
  for (let i = 0; i < ROUNDS; i++) {
    fns.forEach((fn, j) => {
      const start = process.cpuUsage();
      sink += fn();
      const used = process.cpuUsage(start);
      durations[j]!.push((used.user + used.system) / 1000);
    });
  }
  if (sink === -1) console.log(sink); // keep results observable so nothing is optimised away
  return durations.map((d) => {
    d.sort((a, b) => a - b);
    return d[Math.floor(d.length / 2)]!;
  });
}

interface Row {
  case: string;
  impl: string;
  ms: number;
  records: number;
  bytes: number;
}

function row(c: string, impl: string, ms: number, records: number, bytes: number): Row {
  return { case: c, impl, ms, records, bytes };
}

function bench(label: string, count: number, dataBytes: number): Row[] {
  const records = makeRecords(count, dataBytes);
  const dataTotal = records.reduce((n, r) => n + r.data.length, 0);
  const packed = groups(records);

  const aggregates = packed.map((g) => {
    const agg = new RecordAggregator();
    for (const r of g) agg.add(r);
    return Buffer.from(agg.toKinesisRecord().data);
  });
  const [oursEncode = 0, theirsEncode = 0, encodeMd5 = 0, encodeMinimum = 0] = timeAll([
    () => {
      const agg = new RecordAggregator();
      let bytes = 0;
      for (const r of records) {
        if (!agg.add(r)) {
          bytes += agg.toKinesisRecord().data.length;
          agg.reset();
          agg.add(r);
        }
      }
      return bytes + agg.toKinesisRecord().data.length;
    },
    () => {
      let bytes = 0;
      for (const g of packed) bytes += aggEncode(g).data.length;
      return bytes;
    },
    md5Only(aggregates),
    encodeFloor(packed),
  ]);

  // All but the top key: every record is inside, but the filter must hash each partition key
  // (a range covering all 2^128 keys, a single-shard stream, skips the hashing).
  const range = { start: 0n, end: MAX_HASH_KEY - 1n };
  const [oursDecode = 0, oursDecodeFiltered = 0, theirsDecode = 0, decodeMd5 = 0] = timeAll([
    () => {
      let n = 0;
      for (const data of aggregates) {
        for (const u of deaggregate({ data, partitionKey: 'a', sequenceNumber: '1' })) {
          n += u.data.length;
        }
      }
      return n;
    },
    () => {
      let n = 0;
      for (const data of aggregates) {
        const users = deaggregate(
          { data, partitionKey: 'a', sequenceNumber: '1' },
          { hashRange: range },
        );
        for (const u of users) n += u.data.length;
      }
      return n;
    },
    () => {
      let n = 0;
      for (const data of aggregates) for (const u of aggDecode(data)) n += u.data.length;
      return n;
    },
    md5Only(aggregates),
  ]);

  return [
    row(`${label} encode`, 'kinesis-kit', oursEncode, count, dataTotal),
    row(`${label} encode`, 'aws-kinesis-agg', theirsEncode, count, dataTotal),
    row(`${label} encode`, 'floor: MD5 alone', encodeMd5, count, dataTotal),
    row(`${label} encode`, 'floor: MD5+dedup+copies', encodeMinimum, count, dataTotal),
    row(`${label} decode`, 'kinesis-kit', oursDecode, count, dataTotal),
    row(`${label} decode`, 'kinesis-kit + hashRange', oursDecodeFiltered, count, dataTotal),
    row(`${label} decode`, 'aws-kinesis-agg', theirsDecode, count, dataTotal),
    row(`${label} decode`, 'floor: MD5 alone', decodeMd5, count, dataTotal),
  ];
}

function hashing(): Row {
  const keys = Array.from({ length: 50000 }, () => randomKey(36));
  const [ms = 0] = timeAll([
    () => {
      let x = 0n;
      for (const k of keys) x ^= partitionKeyToHashKey(k);
      return Number(x & 1n);
    },
  ]);
  return row('partitionKeyToHashKey (36 chars)', 'kinesis-kit', ms, keys.length, keys.length * 36);
}

function print(rows: Row[]): void {
  const fmt = (n: number, digits = 0): string =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(
    `${'case'.padEnd(34)}${'implementation'.padEnd(26)}${'records/s'.padStart(14)}${'MB/s'.padStart(10)}${'vs aws-kinesis-agg'.padStart(20)}`,
  );
  for (const r of rows) {
    const perSec = (r.records / r.ms) * 1000;
    const mbps = ((r.bytes / r.ms) * 1000) / 1e6;
    const baseline = rows.find((b) => b.case === r.case && b.impl === 'aws-kinesis-agg');
    const ratio = baseline && baseline !== r ? `${fmt(baseline.ms / r.ms, 1)}x` : '';
    console.log(
      `${r.case.padEnd(34)}${r.impl.padEnd(26)}${fmt(perSec).padStart(14)}${fmt(mbps, 1).padStart(10)}${ratio.padStart(20)}`,
    );
  }
}

console.log(
  `Node ${process.version}; median CPU time of ${ROUNDS} interleaved rounds after a warm-up; ` +
    '51200-byte aggregates; MB/s counts user data bytes.\n' +
    '"floor" rows time only the work every implementation must do (bench/floors.ts): their ' +
    'ratio is a ceiling for any encoder or decoder, measured in the same rounds.',
);
print([
  ...bench('100 B, 36-char keys', 20000, 100),
  ...bench('10 KB, 36-char keys', 2000, 10 * 1024),
  hashing(),
]);
