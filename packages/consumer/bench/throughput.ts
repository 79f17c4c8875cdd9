/**
 * Throughput: one in-process consumer (lease table, prefetch, deaggregation with the KCL's
 * hash-range filter, the handler's automatic checkpoint at its default interval) against a bare loop over the same shards
 * (throughputRuns.ts), on records already in the stream. Both read the four shards in parallel,
 * with the same client configuration and the same Limit (10 000). After one untimed warm-up run
 * each, rounds alternate which goes first; the median round is reported.
 *
 * Three sources:
 * - a static read-only endpoint in a child process (staticKinesisServer.ts) answering from
 *   pre-serialised JSON with no read limits, responses capped at 1 MiB: the client side is all
 *   that is measured, so these rows are CPU-bound and measure our overhead. The consumer runs
 *   without its read pacing (UNPACED_VARIANT, judged) and, for information, at its defaults;
 * - the same endpoint behaving like real shards for reads (shardLimits.ts: 5 calls and 2 MiB per
 *   second per shard, 10 MiB answers, ProvisionedThroughputExceededException when exceeded): what
 *   a reader gets out of real shards with a backlog, the consumer at its defaults;
 * - kinesis-local (the real emulator, but it serves well under 1 MB/s, so both readers mostly
 *   wait for it and only small volumes fit in a quick run), as a sanity check.
 *
 * Figures per run: steady state (the records handed over after the first batch, over the time
 * from the first batch to the last), end to end (all records, from `start()`, resp. the first
 * GetShardIterator, to the last; the consumer's start-up, i.e. table check, shard sync and lease
 * taking, is a one-off cost and included), this process's CPU time per record (user + system,
 * everything the reader does in-process, including the SDK's parsing), over the whole run and over
 * the steady state, which the machine's load from other processes hardly moves, and the share of a
 * core the process got in the steady state. The ratios are medians of same-round ratios (each
 * round runs every reader back to back), which follow the machine's load less than a ratio of
 * medians would. On this 2-core machine the consumer's rows also carry DynamoDB Local (a JVM) and
 * the endpoint beside them; when other processes load the machine, the CPU share column shows
 * which reader got less of a core.
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  createTestStream,
  deleteStream,
  listAllShards,
} from '@kinesis-kit/integration';
import { THROUGHPUT_SOURCES } from './config.js';
import type { BenchConfig, ThroughputSource } from './config.js';
import { addSummary, median, ms, note, num, pct, section, table } from './report.js';
import { MAX_RESPONSE_BYTES } from './shardLimits.js';
import { startStaticKinesis } from './staticKinesis.js';
import { RECORD_BYTES, fillStream } from './streamData.js';
import { BARE_THROTTLE_RETRY_MS, runBare, runConsumer } from './throughputRuns.js';
import type { ConsumerBenchOptions, ReadRun, Source } from './throughputRuns.js';

const SHARDS = 4;
/** Response cap of the unlimited static endpoint (see onStaticEndpoint). */
const STATIC_MAX_RESPONSE_BYTES = 1024 * 1024;

/** A consumer configuration to compare with the bare loop. */
interface ConsumerVariant {
  readonly name: string;
  readonly options: ConsumerBenchOptions;
  /** Whether the ≥ 90% target is judged on it (else the row is information). */
  readonly judged: boolean;
}

/** The consumer at its defaults: judged on the endpoint with real-shard read limits. */
const DEFAULTS_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer (defaults)',
  options: {},
  judged: true,
};

/**
 * The defaults on the endpoint without read limits, for information: the consumer paces its reads
 * of a shard to what a real shard serves (5 reads and 2 MiB per second, see
 * `shardReadBytesPerSecond`), which that endpoint exceeds by far, so this row measures the pacing,
 * not the consumer; the bare loop does not pace.
 */
const DEFAULTS_UNLIMITED_VARIANT: ConsumerVariant = { ...DEFAULTS_VARIANT, judged: false };

/**
 * The consumer without its read pacing (`minTimeBetweenReadsMs` 0, `shardReadBytesPerSecond` 0):
 * on the endpoint without read limits both readers are CPU-bound and the ratio is our overhead.
 */
const UNPACED_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer, unpaced',
  options: { minTimeBetweenReadsMs: 0, shardReadBytesPerSecond: 0 },
  judged: true,
};

/**
 * Information, not judged: the unpaced consumer with the handler's automatic checkpoint after
 * every batch (`checkpointIntervalMs: 0`, the default before session 4) instead of at most once a
 * second, to show what a DynamoDB write per batch costs (the bare loop never checkpoints).
 */
const CHECKPOINT_EVERY_BATCH_VARIANT: ConsumerVariant = {
  name: 'KinesisConsumer, unpaced, checkpoint every batch',
  options: { ...UNPACED_VARIANT.options, handlerOptions: { checkpointIntervalMs: 0 } },
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
  const rows: [string, readonly ReadRun[]][] = [
    ['bare GetRecords loop', bare],
    ...variants.map((v, i): [string, readonly ReadRun[]] => [v.name, ours[i]!]),
  ];
  const cpuPerRecord = (runs: readonly ReadRun[]): number =>
    median(runs.map((r) => (r.cpuMs * 1000) / r.records));
  const steadyCpu = (runs: readonly ReadRun[]): number =>
    median(runs.map((r) => (r.steadyCpuMs * 1000) / r.steadyRecords));
  const throttled = rows.some(([, runs]) => runs.some((r) => r.throttles > 0));
  // Steady state counts only the records handed over after the first batch: the first batch's
  // records were read and made before the window opened (the bare loop's first batch is a whole
  // answer, ~9 000 records; the consumer's a slice of at most 1 000), so counting them would
  // favour whichever reader hands over the larger first batch.
  const endToEndRate = (r: ReadRun): number => (r.records * 1000) / r.totalMs;
  const steadyRate = (r: ReadRun): number => (r.steadyRecords * 1000) / r.steadyMs;
  /** Share of one core this process got in the steady state (over 100%: GC and I/O threads). */
  const cpuShare = (r: ReadRun): number => r.steadyCpuMs / r.steadyMs;
  table(
    rows.map(([name, runs]) => ({
      reader: name,
      'rounds, end to end': runs.map((r) => Math.round(r.totalMs)).join(', ') + ' ms',
      'first record after': ms(median(runs.map((r) => r.firstRecordMs))),
      'records/s end to end': num(median(runs.map(endToEndRate))),
      'records/s steady': num(median(runs.map(steadyRate))),
      'CPU µs/record': num(cpuPerRecord(runs), 2),
      'CPU µs/record, steady': num(steadyCpu(runs), 2),
      'CPU share, steady': pct(median(runs.map(cpuShare))),
      ...(throttled && { 'throttled reads': num(median(runs.map((r) => r.throttles))) }),
    })),
  );
  for (const [i, v] of variants.entries()) {
    const runs = ours[i]!;
    const cpu = cpuPerRecord(bare) / cpuPerRecord(runs);
    const cpuSteady = steadyCpu(bare) / steadyCpu(runs);
    // Each round has one run of every reader, back to back: the ratio within a round is measured
    // at (nearly) the same machine load, so its median drifts less with the load than the ratio
    // of the two medians, which pairs runs minutes apart. Judged on the paired figure.
    const paired = (rate: (r: ReadRun) => number): number =>
      median(runs.map((r, round) => rate(r) / rate(bare[round]!)));
    const steady = paired(steadyRate);
    const endToEnd = paired(endToEndRate);
    const ofMedians = median(runs.map(steadyRate)) / median(bare.map(steadyRate));
    note(
      `${v.name} / bare: steady state ${pct(steady)}${v.judged ? ' (target ≥ 90%)' : ' (information)'} ` +
        `(median of ${runs.length} same-round ratios: ${runs.map((r, round) => pct(steadyRate(r) / steadyRate(bare[round]!))).join(', ')}; ` +
        `ratio of the medians ${pct(ofMedians)}); end to end, start-up included, ${pct(endToEnd)}; ` +
        `per CPU time (bare CPU/record ÷ ours) ${pct(cpu)}, steady state ${pct(cpuSteady)}`,
    );
    addSummary({
      figure: `Throughput, ${source.label}: ${v.name} / bare, steady state`,
      measured: `${pct(steady)} (${num(median(runs.map(steadyRate)))} vs ${num(median(bare.map(steadyRate)))} rec/s)`,
      target: v.judged ? '≥ 90%' : '—',
      baseline: 'bare GetRecords loop, same rounds',
      verdict: !v.judged ? 'info' : steady >= 0.9 ? 'met' : 'MISSED',
    });
    addSummary({
      figure: `Throughput, ${source.label}: ${v.name} / bare, per CPU time`,
      measured:
        `${pct(cpu)} (${num(cpuPerRecord(runs), 2)} vs ${num(cpuPerRecord(bare), 2)} µs/record); ` +
        `steady ${pct(cpuSteady)} (${num(steadyCpu(runs), 2)} vs ${num(steadyCpu(bare), 2)})`,
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

/**
 * How the static endpoint serves reads: `unlimited` (no read limits, 1 MiB answers: CPU-bound,
 * our overhead) or `real-shard` (a real shard's read limits, shardLimits.ts).
 */
type StaticMode = 'unlimited' | 'real-shard';

async function onStaticEndpoint(
  config: BenchConfig,
  aggregated: boolean,
  mode: StaticMode,
): Promise<void> {
  const limited = mode === 'real-shard';
  const count = limited
    ? aggregated
      ? config.shardAggregatedRecords
      : config.shardPlainRecords
    : aggregated
      ? config.aggregatedRecords
      : config.plainRecords;
  const kind = aggregated ? 'KPL aggregates' : 'plain records';
  const where = limited ? 'static endpoint with real-shard read limits' : 'static endpoint';
  const server = await startStaticKinesis({
    shards: SHARDS,
    records: count,
    aggregated,
    recordBytes: RECORD_BYTES,
    maxResponseBytes: limited ? MAX_RESPONSE_BYTES : STATIC_MAX_RESPONSE_BYTES,
    shardLimits: limited,
  });
  try {
    const client = (): KinesisClient => createKinesisClient({ endpoint: server.endpoint });
    const lister = client();
    const shards =
      (await lister.send(new ListShardsCommand({ StreamName: 'static' }))).Shards ?? [];
    lister.destroy();
    note(
      `${where}, ${kind}: ${num(count)} user records of ${RECORD_BYTES} B in ` +
        `${num(server.kinesisRecords)} Kinesis records on ${SHARDS} shards` +
        (limited
          ? `; per shard 5 reads and 2 MiB per second, answers up to 10 MiB; the bare loop ` +
            `calls again ${BARE_THROTTLE_RETRY_MS} ms after a throttled read`
          : ''),
    );
    const source: Source = {
      label: `${where}, ${kind} (${num(count)} × ${RECORD_BYTES} B)`,
      streamName: 'static',
      shards,
      userRecords: count,
      client,
      ...(limited && { beforeRun: () => server.resetReadLimits() }),
    };
    await compareOn(
      source,
      config.throughputRounds,
      limited
        ? [DEFAULTS_VARIANT]
        : [DEFAULTS_UNLIMITED_VARIANT, UNPACED_VARIANT, CHECKPOINT_EVERY_BATCH_VARIANT],
    );
  } finally {
    await server.stop();
  }
}

export async function runThroughputBench(config: BenchConfig): Promise<void> {
  section('Throughput: KinesisConsumer against a bare GetRecords loop');
  const runs: Record<ThroughputSource, () => Promise<void>> = {
    'unlimited-aggregated': () => onStaticEndpoint(config, true, 'unlimited'),
    'unlimited-plain': () => onStaticEndpoint(config, false, 'unlimited'),
    'shard-aggregated': () => onStaticEndpoint(config, true, 'real-shard'),
    'shard-plain': () => onStaticEndpoint(config, false, 'real-shard'),
    'emulator-aggregated': () => onEmulator(config, true),
    'emulator-plain': () => onEmulator(config, false),
  };
  for (const name of THROUGHPUT_SOURCES) {
    if (config.throughputSources.has(name)) await runs[name]();
  }
}
