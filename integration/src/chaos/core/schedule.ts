/**
 * The fault schedule of a chaos run, decided up front from a seed: which episode starts when and
 * against which worker. Pure (the random source is seeded), so a run can be repeated and the
 * schedule printed before it starts. The runner carries the episodes out.
 */
import { seededRandom } from '../../proxy/random.js';

/** One episode of the schedule. Workers are indexes (0-based) into the fleet. @public */
export type ChaosEpisode =
  /** SIGKILL, then a new instance with the same worker id after `restartAfterMs`. */
  | { readonly kind: 'kill'; readonly worker: number; readonly restartAfterMs: number }
  /** SIGTERM (graceful stop: checkpoint and release), then a new instance. */
  | { readonly kind: 'term'; readonly worker: number; readonly restartAfterMs: number }
  /** SIGSTOP for `pauseMs` (longer than the failover time), then SIGCONT. */
  | { readonly kind: 'pause'; readonly worker: number; readonly pauseMs: number }
  /** Split a random open shard at its middle. */
  | { readonly kind: 'split' }
  /** Merge a random pair of adjacent open shards. */
  | { readonly kind: 'merge' }
  /** Two reshards in a row: a split, then at once a split of one of its children. */
  | { readonly kind: 'double-reshard' }
  /** Per-shard write limit lowered to `recordsPerSecond` for `durationMs`. */
  | {
      readonly kind: 'write-throttle';
      readonly durationMs: number;
      readonly recordsPerSecond: number;
    }
  /** Per-shard GetRecords limit lowered to `callsPerSecond` for `durationMs`. */
  | { readonly kind: 'read-throttle'; readonly durationMs: number; readonly callsPerSecond: number }
  /** Kinesis 500s/503s, connection resets (some after the write) and expired iterators. */
  | { readonly kind: 'kinesis-faults'; readonly durationMs: number }
  /** DynamoDB throttling and 500s on every lease-table operation. */
  | { readonly kind: 'dynamodb-throttle'; readonly durationMs: number }
  /** A rogue writer bumps the lease counter of an owned lease (a conditional-write conflict). */
  | { readonly kind: 'lease-conflict' };

/** An episode and when it starts (ms after the run started). @public */
export interface ScheduledEpisode {
  readonly atMs: number;
  readonly episode: ChaosEpisode;
}

/** Inputs of {@link planSchedule}. @public */
export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly workers: number;
  readonly failoverTimeMs: number;
}

type EpisodeKind = ChaosEpisode['kind'];

/** One of each kind; longer runs repeat the set. */
export const EPISODE_ROUND: readonly EpisodeKind[] = [
  'kill',
  'term',
  'pause',
  'split',
  'merge',
  'double-reshard',
  'write-throttle',
  'read-throttle',
  'kinesis-faults',
  'dynamodb-throttle',
  'lease-conflict',
];

/** A round takes about this long; a 5-minute run gets several. */
const ROUND_MS = 60_000;

/**
 * Plans the episodes between 8% and 80% of the run (the end is left quiet so that the consumers
 * can catch up), evenly spaced with seeded jitter, each round in a seeded order.
 * @public
 * @example
 * for (const { atMs, episode } of planSchedule({ seed: 1, durationMs: 60_000, workers: 3, failoverTimeMs: 4000 })) {
 *   console.log(atMs, episode.kind);
 * }
 */
export function planSchedule(options: ScheduleOptions): ScheduledEpisode[] {
  const random = seededRandom(options.seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const rounds = Math.max(1, Math.floor(options.durationMs / ROUND_MS));
  const kinds: EpisodeKind[] = [];
  for (let r = 0; r < rounds; r++) kinds.push(...shuffle(EPISODE_ROUND, random));
  const from = options.durationMs * 0.08;
  const span = options.durationMs * 0.72;
  const slot = span / kinds.length;
  const shortMs = Math.max(3000, Math.round(options.failoverTimeMs * 1.25));
  return kinds.map((kind, i) => {
    const atMs = Math.round(from + slot * i + random() * slot * 0.5);
    const worker = pick(options.workers);
    const episode: ChaosEpisode = (() => {
      switch (kind) {
        case 'kill':
        case 'term':
          return { kind, worker, restartAfterMs: 1000 + pick(3000) };
        case 'pause':
          // Three failover times: a consumer that keeps processing after the resume would
          // overlap with the new owner for about two failover times, which the checker flags.
          return { kind, worker, pauseMs: options.failoverTimeMs * 3 };
        case 'write-throttle':
          // Aggregation packs many user records per entry, so the entry rate must be low to bite.
          return { kind, durationMs: shortMs, recordsPerSecond: 1 };
        case 'read-throttle':
          return { kind, durationMs: shortMs, callsPerSecond: 0.5 };
        case 'kinesis-faults':
        case 'dynamodb-throttle':
          return { kind, durationMs: shortMs };
        default:
          return { kind };
      }
    })();
    return { atMs, episode };
  });
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
