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

/** The throughput sources, in the order they run; `BENCH_THROUGHPUT` picks some (comma-separated). */
export const THROUGHPUT_SOURCES = [
  'unlimited-aggregated',
  'unlimited-plain',
  'shard-aggregated',
  'shard-plain',
  'emulator-aggregated',
  'emulator-plain',
] as const;
export type ThroughputSource = (typeof THROUGHPUT_SOURCES)[number];

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
  /** The throughput sources to run (`BENCH_THROUGHPUT`, comma-separated; default all). */
  readonly throughputSources: ReadonlySet<ThroughputSource>;
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

/** A comma-separated choice among `known` (all of them when the variable is unset or empty). */
function listFromEnv<T extends string>(name: string, known: readonly T[]): readonly T[] {
  const picked = (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const value of picked) {
    if (!(known as readonly string[]).includes(value)) {
      throw new Error(`${name}: unknown name ${value}; known: ${known.join(', ')}`);
    }
  }
  return picked.length > 0 ? (picked as T[]) : known;
}

/** Reads BENCH_FULL, BENCH_ONLY and the per-figure overrides. */
export function readBenchConfig(): BenchConfig {
  const full = process.env.BENCH_FULL === '1' || process.argv.includes('--full');
  return {
    full,
    sections: new Set(listFromEnv('BENCH_ONLY', SECTIONS)),
    aggregatedRecords: intFromEnv('BENCH_AGGREGATED_RECORDS', full ? 1_000_000 : 200_000),
    plainRecords: intFromEnv('BENCH_PLAIN_RECORDS', full ? 1_000_000 : 200_000),
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
    throughputSources: new Set(listFromEnv('BENCH_THROUGHPUT', THROUGHPUT_SOURCES)),
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
