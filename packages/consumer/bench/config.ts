/**
 * How long and how much the consumer benchmarks run. The default (quick) run finishes in a few
 * minutes on the 2-core development machine; `BENCH_FULL=1` repeats each scenario and moves more
 * data, for figures with less noise. `BENCH_ONLY` picks sections (comma-separated), e.g.
 * `BENCH_ONLY=latency`.
 */
import { loadavg } from 'node:os';

/** The benchmark sections, in the order they run. */
export const SECTIONS = ['calls', 'throughput', 'fleet-3000', 'fleet-10000', 'latency'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchConfig {
  readonly full: boolean;
  readonly sections: ReadonlySet<Section>;
  /** User records as KPL aggregates for the throughput run on the static endpoint. */
  readonly aggregatedRecords: number;
  /** Plain (non-aggregated) records for the throughput run on the static endpoint. */
  readonly plainRecords: number;
  /** KPL-aggregated user records on the static endpoint with real-shard read limits. */
  readonly shardAggregatedRecords: number;
  /** Plain records on the static endpoint with real-shard read limits. */
  readonly shardPlainRecords: number;
  /** The same on kinesis-local, which stores and serves well under 1 MB/s. */
  readonly emulatorAggregatedRecords: number;
  readonly emulatorPlainRecords: number;
  /** Timed rounds per throughput variant (median reported). */
  readonly throughputRounds: number;
  /** Repetitions of each fleet scenario (kill, stop, split). */
  readonly fleetRepeats: number;
  /** Real-time window of the live DynamoDB call count. */
  readonly liveCallWindowMs: number;
  /** Records timed from put to processRecords, per retrieval mode. */
  readonly latencySamples: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Reads BENCH_FULL, BENCH_ONLY and the per-figure overrides. */
export function readBenchConfig(): BenchConfig {
  const full = process.env.BENCH_FULL === '1' || process.argv.includes('--full');
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only ?? []) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new Error(`BENCH_ONLY: unknown section ${name}; known: ${SECTIONS.join(', ')}`);
    }
  }
  return {
    full,
    sections: new Set((only as Section[] | undefined) ?? SECTIONS),
    aggregatedRecords: intFromEnv('BENCH_AGGREGATED_RECORDS', full ? 1_000_000 : 200_000),
    plainRecords: intFromEnv('BENCH_PLAIN_RECORDS', full ? 400_000 : 100_000),
    shardAggregatedRecords: intFromEnv(
      'BENCH_SHARD_AGGREGATED_RECORDS',
      full ? 1_000_000 : 400_000,
    ),
    shardPlainRecords: intFromEnv('BENCH_SHARD_PLAIN_RECORDS', full ? 400_000 : 200_000),
    emulatorAggregatedRecords: intFromEnv(
      'BENCH_EMULATOR_AGGREGATED_RECORDS',
      full ? 50_000 : 20_000,
    ),
    emulatorPlainRecords: intFromEnv('BENCH_EMULATOR_PLAIN_RECORDS', full ? 20_000 : 5_000),
    throughputRounds: intFromEnv('BENCH_ROUNDS', full ? 7 : 3),
    fleetRepeats: intFromEnv('BENCH_FLEET_REPEATS', full ? 3 : 1),
    liveCallWindowMs: intFromEnv('BENCH_CALL_WINDOW_MS', full ? 180_000 : 30_000),
    latencySamples: intFromEnv('BENCH_LATENCY_SAMPLES', full ? 300 : 60),
  };
}

/** `uptime`'s load averages, printed next to every figure: the machine is shared. */
export function loadLine(): string {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen}`;
}
