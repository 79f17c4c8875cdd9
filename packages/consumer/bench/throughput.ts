/**
 * Throughput: one in-process consumer (lease table, prefetch, deaggregation with the KCL's
 * hash-range filter, auto checkpoint after each batch) against a bare loop over the same shards
 * (GetShardIterator TRIM_HORIZON, then GetRecords until caught up, deaggregating with the common
 * codec and the same filter), on records already in the stream. Both read the four shards in
 * parallel, with the same client configuration and the same Limit (10 000). After one untimed
 * warm-up run each, rounds alternate which goes first; the median round is reported. On the
 * static endpoint the consumer also runs without its read pacing (see UNPACED_VARIANT).
 *
 * Two sources: kinesis-local (the real emulator, but it serves well under 1 MB/s, so both
 * readers mostly wait for it and only small volumes fit in a quick run) and a static read-only
 * endpoint in a child process (staticKinesisServer.ts) that answers from pre-serialised JSON, so
 * the client side is what is measured, at the volumes of the brief.
 *
 * Three figures per run: steady state (from the first record handed over to the last), end to
 * end (from `start()`, resp. the first GetShardIterator, to the last record; the consumer's
 * start-up, i.e. table check, shard sync and lease taking, is a one-off cost and included), and
 * this process's CPU time per record (user + system, everything the reader does in-process,
 * including the SDK's parsing), which the machine's load from other processes hardly moves.
 *
 * The static endpoint caps a response at 1 MiB (the service: 10 MiB, but a shard serves 2 MB/s,
 * so a backlog is read in about 2 MB per second anyway), so each shard is read in several calls
 * and the figures are rates rather than one round trip.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deaggregate, silentLogger } from '@kinesis-kit/common';
import {
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  listAllShards,
  testClientConfig,
} from '@kinesis-kit/integration';
import { DynamoLeaseStore, KinesisConsumer } from '../src/index.js';
import type { HandlerProcessorOptions } from '../src/index.js';
import type { BenchConfig } from './config.js';
import { addSummary, median, ms, note, num, pct, section, table } from './report.js';
import { startStaticKinesis } from './staticKinesis.js';
import { RECORD_BYTES, fillStream, shardRange } from './streamData.js';

const SHARDS = 4;
const LIMIT = 10_000;
const READ_TIMEOUT_MS = 300_000;
const STATIC_MAX_RESPONSE_BYTES = 1024 * 1024;

interface ReadRun {
  /** From the start of the run to the last record handed over. */
  readonly totalMs: number;
  /** From the first record handed over to the last. */
  readonly steadyMs: number;
  /** From the start of the run to the first record handed over. */
  readonly firstRecordMs: number;
  /** This process's CPU time (user + system) during the run. */
  readonly cpuMs: number;
  readonly records: number;
}

/** Counts what a reader hands over and notes when the first and the expected last arrive. */
class Tally {
  records = 0;
  bytes = 0;
  firstAt: number | undefined;
  doneAt: number | undefined;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(readonly expected: number) {}

  add(count: number, bytes: number): void {
    const now = performance.now();
    this.firstAt ??= now;
    this.records += count;
    this.bytes += bytes;
    if (this.doneAt === undefined && this.records >= this.expected) {
      this.doneAt = now;
      this.resolveDone();
    }
  }

  result(startedAt: number, cpuStart: NodeJS.CpuUsage): ReadRun {
    const cpu = process.cpuUsage(cpuStart);
    if (this.doneAt === undefined || this.firstAt === undefined) {
      throw new Error(`read ${this.records} of ${this.expected} records`);
    }
    return {
      totalMs: this.doneAt - startedAt,
      steadyMs: this.doneAt - this.firstAt,
      firstRecordMs: this.firstAt - startedAt,
      cpuMs: (cpu.user + cpu.system) / 1000,
      records: this.records,
    };
  }
}

function withTimeout(promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), READ_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function readShardBare(
  kinesis: KinesisClient,
  streamName: string,
  shard: Shard,
  tally: Tally,
): Promise<void> {
  const hashRange = shardRange(shard);
  const first = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shard.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  let iterator = first.ShardIterator;
  while (iterator !== undefined && tally.doneAt === undefined) {
    const out = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: LIMIT }),
    );
    const records = out.Records ?? [];
    let count = 0;
    let bytes = 0;
    for (const r of records) {
      const users = deaggregate(
        {
          data: r.Data!,
          partitionKey: r.PartitionKey!,
          sequenceNumber: r.SequenceNumber!,
          approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
        },
        { hashRange },
      );
      for (const u of users) bytes += u.data.length;
      count += users.length;
    }
    if (count > 0) tally.add(count, bytes);
    if (records.length === 0 && out.MillisBehindLatest === 0) return; // caught up
    iterator = out.NextShardIterator;
  }
}

/** Where the records are read from. */
export interface Source {
  readonly label: string;
  readonly streamName: string;
  readonly shards: readonly Shard[];
  readonly userRecords: number;
  /** A fresh client per run, the same configuration for both readers. */
  readonly client: () => KinesisClient;
}

export async function runBare(source: Source): Promise<ReadRun> {
  const kinesis = source.client();
  try {
    const tally = new Tally(source.userRecords);
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    const loops = Promise.all(
      source.shards.map((s) => readShardBare(kinesis, source.streamName, s, tally)),
    );
    await withTimeout(Promise.race([tally.done, loops.then(() => undefined)]), 'bare loop');
    const run = tally.result(startedAt, cpuStart);
    await loops;
    return run;
  } finally {
    kinesis.destroy();
  }
}

/** Consumer options the throughput runs vary. */
export interface ConsumerBenchOptions {
  readonly maxPrefetchBatches?: number;
  readonly minTimeBetweenReadsMs?: number;
  readonly handlerOptions?: HandlerProcessorOptions;
}

export async function runConsumer(
  source: Source,
  options: ConsumerBenchOptions = {},
): Promise<ReadRun> {
  const kinesis = source.client();
  const dynamo = new DynamoDBClient(testClientConfig('dynamodb'));
  const applicationName = createLeaseTableName();
  // The lease table is created before the clock starts: its creation is a deployment step.
  await new DynamoLeaseStore({ client: dynamo, tableName: applicationName }).ensureTable();
  const tally = new Tally(source.userRecords);
  const consumer = new KinesisConsumer({
    streamName: source.streamName,
    applicationName,
    initialPosition: 'TRIM_HORIZON',
    kinesisClient: kinesis,
    dynamoDBClient: dynamo,
    logger: silentLogger,
    ...options,
    handler: (records) => {
      let bytes = 0;
      for (const r of records) bytes += r.data.length;
      tally.add(records.length, bytes);
      return Promise.resolve();
    },
  });
  try {
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    await consumer.start();
    await withTimeout(tally.done, 'consumer');
    return tally.result(startedAt, cpuStart);
  } finally {
    await consumer.stop();
    kinesis.destroy();
    dynamo.destroy();
    await deleteTable(applicationName).catch(() => undefined);
  }
}

/** A consumer configuration to compare with the bare loop. */
interface ConsumerVariant {
  readonly name: string;
  readonly options: ConsumerBenchOptions;
  /** Whether the ≥ 90% target is judged on it (else the row is information). */
  readonly judged: boolean;
}

const DEFAULTS_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer (defaults)',
  options: {},
  judged: true,
};

/**
 * The consumer without its read pacing. By default it starts the next GetRecords of a shard at
 * least minTimeBetweenReadsMs (200 ms) after the previous one unless the batch had maxRecords
 * records, to respect the service's 5 reads per second per shard; a 1 MiB batch of KPL
 * aggregates has a few dozen records, so against an endpoint without read limits this pacing,
 * not the consumer's per-record cost, sets the rate. The bare loop does not pace.
 */
const UNPACED_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer, minTimeBetweenReadsMs 0',
  options: { minTimeBetweenReadsMs: 0 },
  judged: true,
};

/**
 * Information, not judged: the unpaced consumer checkpointing at most once a second instead of
 * after every batch. The handler awaits each auto checkpoint (a DynamoDB write) before the next
 * batch is delivered, and with 1 MiB responses a shard's backlog is only a handful of batches,
 * so this row shows how much of the gap to the bare loop (which never checkpoints) is that wait.
 */
const CHECKPOINT_EVERY_SECOND_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer, unpaced, checkpoint ≤ 1/s',
  options: { minTimeBetweenReadsMs: 0, handlerOptions: { checkpointIntervalMs: 1000 } },
  judged: false,
};

/** Rounds of every reader on one source; prints the table and adds the summary rows. */
async function compareOn(
  source: Source,
  rounds: number,
  variants: readonly ConsumerVariant[],
): Promise<void> {
  // One untimed run each first: module loading and JIT warm-up would otherwise land on
  // whichever reader runs first.
  await runBare(source);
  for (const v of variants) await runConsumer(source, v.options);
  const bare: ReadRun[] = [];
  const ours: ReadRun[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so that a warm endpoint or a load spike does not favour one side.
    if (round % 2 === 0) bare.push(await runBare(source));
    for (const [i, v] of variants.entries()) ours[i]!.push(await runConsumer(source, v.options));
    if (round % 2 === 1) bare.push(await runBare(source));
  }
  const cpuPerRecord = (runs: readonly ReadRun[]): number =>
    median(runs.map((r) => (r.cpuMs * 1000) / r.records));
  const rate = (runs: readonly ReadRun[], key: 'totalMs' | 'steadyMs'): number =>
    median(runs.map((r) => (r.records * 1000) / r[key]));
  const rows: [string, readonly ReadRun[]][] = [
    ['bare GetRecords loop', bare],
    ...variants.map((v, i): [string, readonly ReadRun[]] => [v.name, ours[i]!]),
  ];
  table(
    rows.map(([name, runs]) => ({
      reader: name,
      'rounds, end to end': runs.map((r) => Math.round(r.totalMs)).join(', ') + ' ms',
      'first record after': ms(median(runs.map((r) => r.firstRecordMs))),
      'records/s end to end': num(rate(runs, 'totalMs')),
      'records/s steady': num(rate(runs, 'steadyMs')),
      'CPU µs/record': num(cpuPerRecord(runs), 2),
    })),
  );
  for (const [i, v] of variants.entries()) {
    const runs = ours[i]!;
    const cpu = cpuPerRecord(bare) / cpuPerRecord(runs);
    const endToEnd = rate(runs, 'totalMs') / rate(bare, 'totalMs');
    const steady = rate(runs, 'steadyMs') / rate(bare, 'steadyMs');
    note(
      `${v.name} / bare: steady state ${pct(steady)}${v.judged ? ' (target ≥ 90%)' : ' (information)'}; end to end, start-up ` +
        `included, ${pct(endToEnd)}; per CPU time (bare CPU/record ÷ ours) ${pct(cpu)}`,
    );
    addSummary({
      figure: `Throughput, ${source.label}: ${v.name} / bare, steady state`,
      measured: `${pct(steady)} (${num(rate(runs, 'steadyMs'))} vs ${num(rate(bare, 'steadyMs'))} rec/s)`,
      target: v.judged ? '≥ 90%' : '—',
      baseline: 'bare GetRecords loop, same run',
      verdict: !v.judged ? 'info' : steady >= 0.9 ? 'met' : 'MISSED',
    });
    addSummary({
      figure: `Throughput, ${source.label}: ${v.name} / bare, per CPU time`,
      measured: `${pct(cpu)} (${num(cpuPerRecord(runs), 2)} vs ${num(cpuPerRecord(bare), 2)} µs/record)`,
      target: '—',
      baseline: 'bare GetRecords loop, same run',
      verdict: 'info',
    });
  }
  note('');
}

async function onEmulator(config: BenchConfig, aggregated: boolean): Promise<void> {
  const count = aggregated ? config.emulatorAggregatedRecords : config.emulatorPlainRecords;
  const kind = aggregated ? 'KPL aggregates' : 'plain records';
  const kinesis = createKinesisClient();
  const { streamName } = await createTestStream(SHARDS);
  try {
    const shards = await listAllShards(streamName);
    const writeStart = performance.now();
    const kinesisRecords = await fillStream(kinesis, streamName, shards, count, aggregated);
    note(
      `kinesis-local, ${kind}: ${num(count)} user records of ${RECORD_BYTES} B in ` +
        `${num(kinesisRecords)} Kinesis records on ${SHARDS} shards (written in ` +
        `${ms(performance.now() - writeStart)})`,
    );
    const source: Source = {
      label: `kinesis-local, ${kind} (${num(count)} × ${RECORD_BYTES} B)`,
      streamName,
      shards,
      userRecords: count,
      client: () => createKinesisClient(),
    };
    // kinesis-local sets the pace here; the small volume makes this a sanity check.
    await compareOn(source, config.throughputRounds, [{ ...DEFAULTS_VARIANT, judged: false }]);
  } finally {
    kinesis.destroy();
    await deleteStream(streamName).catch(() => undefined);
  }
}

async function onStaticEndpoint(config: BenchConfig, aggregated: boolean): Promise<void> {
  const count = aggregated ? config.aggregatedRecords : config.plainRecords;
  const kind = aggregated ? 'KPL aggregates' : 'plain records';
  const server = await startStaticKinesis({
    shards: SHARDS,
    records: count,
    aggregated,
    recordBytes: RECORD_BYTES,
    maxResponseBytes: STATIC_MAX_RESPONSE_BYTES,
  });
  try {
    const client = (): KinesisClient => createKinesisClient({ endpoint: server.endpoint });
    const lister = client();
    const shards =
      (await lister.send(new ListShardsCommand({ StreamName: 'static' }))).Shards ?? [];
    lister.destroy();
    note(
      `static endpoint, ${kind}: ${num(count)} user records of ${RECORD_BYTES} B in ` +
        `${num(server.kinesisRecords)} Kinesis records on ${SHARDS} shards`,
    );
    const source: Source = {
      label: `static endpoint, ${kind} (${num(count)} × ${RECORD_BYTES} B)`,
      streamName: 'static',
      shards,
      userRecords: count,
      client,
    };
    await compareOn(source, config.throughputRounds, [
      DEFAULTS_VARIANT,
      UNPACED_VARIANT,
      CHECKPOINT_EVERY_SECOND_VARIANT,
    ]);
  } finally {
    await server.stop();
  }
}

export async function runThroughputBench(config: BenchConfig): Promise<void> {
  section('Throughput: KinesisConsumer against a bare GetRecords loop');
  await onStaticEndpoint(config, true);
  await onStaticEndpoint(config, false);
  await onEmulator(config, true);
  await onEmulator(config, false);
}
