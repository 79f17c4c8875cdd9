/**
 * Options of a multi-stream application (the Java KCL's `MultiStreamTracker`): the streams to
 * consume, as a list or a function re-polled every `streamSyncIntervalMs`, each with its own
 * initial position, and what happens to the leases of streams that leave the list. Resolved and
 * validated here; `options.ts` merges the problems into its one ConfigurationError.
 */
import type { FieldProblem } from '@kinesis-kit/common';
import {
  parseStreamArn,
  parseStreamIdentifier,
  isValidStreamName,
} from './core/streamIdentifier.js';
import type { FormerStreamsDeletionKind } from './core/streamTracking.js';
import type { InitialPosition } from './core/shardSync.js';

/**
 * One stream: its name, its ARN (needed for another account's stream), or its serialized KCL
 * identifier `account:stream:creationEpochSeconds`; as a string, or an object with its own
 * initial position.
 * @public
 */
export type StreamSpec =
  | string
  | {
      readonly streamName?: string;
      readonly streamArn?: string;
      readonly streamIdentifier?: string;
      /** @defaultValue the consumer's `initialPosition` */
      readonly initialPosition?: InitialPosition;
      /**
       * `retrieval: 'fanout'`: this stream's registered consumer (the KCL's per-stream
       * `StreamConfig.consumerArn`). @defaultValue find or register `consumerName` on the stream
       */
      readonly consumerArn?: string;
    };

/**
 * The streams to consume: a fixed list, or a function the consumer calls at start and every
 * `streamSyncIntervalMs` (a stream that appears is consumed, one that disappears is handled per
 * `formerStreamsLeasesDeletionStrategy`). A function that throws keeps the previous list.
 * @public
 */
export type StreamTrackerInput =
  | readonly StreamSpec[]
  | ((options: {
      readonly signal: AbortSignal;
    }) => readonly StreamSpec[] | Promise<readonly StreamSpec[]>);

/**
 * What happens to the leases of a stream that is no longer listed (the KCL's
 * `FormerStreamsLeasesDeletionStrategy`):
 * - `no-deletion`: nothing is deleted; leases already in the table are still processed to their
 *   end, but the stream's shards are no longer synced (no new leases).
 * - `auto-detect`: leases of a stream missing from the list for `waitPeriodMs` are deleted (their
 *   processors get `leaseLost`). Give every worker time to see a new list first.
 * - `provided`: the same, for the stream identifiers `streams()` returns (and only while unlisted).
 * @public
 */
export type FormerStreamsLeasesDeletionStrategy =
  | { readonly kind: 'no-deletion' }
  | { readonly kind: 'auto-detect'; readonly waitPeriodMs: number }
  | {
      readonly kind: 'provided';
      readonly waitPeriodMs: number;
      /** Serialized identifiers (`account:stream:epoch`) whose leases to delete. */
      readonly streams: () => readonly string[] | Promise<readonly string[]>;
    };

/**
 * The multi-stream form of the consumer's stream option.
 * @public
 * @example
 * ```ts
 * new KinesisConsumer({ applicationName: 'app', streams: ['orders', 'payments'], handler });
 * ```
 */
export interface MultiStreamInput {
  readonly streams: StreamTrackerInput;
  /** How often a `streams` function is called again. @defaultValue 60 000 (the KCL's) */
  readonly streamSyncIntervalMs?: number;
  /** @defaultValue \{ kind: 'no-deletion' \} (the one strategy the KCL ships ready-made) */
  readonly formerStreamsLeasesDeletionStrategy?: FormerStreamsLeasesDeletionStrategy;
  /**
   * Where a stream found in the lease table but not listed starts new shards.
   * @defaultValue 'LATEST' (the KCL's `orphanedStreamInitialPositionInStream`)
   */
  readonly orphanedStreamInitialPosition?: InitialPosition;
  readonly streamName?: never;
  readonly streamArn?: never;
}

/** @public */
export const MULTI_STREAM_DEFAULTS = {
  streamSyncIntervalMs: 60_000,
  formerStreamsLeasesDeletionStrategy: { kind: 'no-deletion' },
  orphanedStreamInitialPosition: 'LATEST',
} as const satisfies Partial<MultiStreamInput>;

/** A stream spec after validation: exactly what to resolve. @internal */
export interface NormalizedStreamSpec {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly streamIdentifier?: string;
  readonly initialPosition?: InitialPosition;
  readonly consumerArn?: string;
}

/** @internal */
export interface ResolvedMultiStreamOptions {
  /** Returns the validated specs; a bad entry throws (the consumer reports it, keeps the old list). */
  readonly listStreams: (signal: AbortSignal) => Promise<readonly NormalizedStreamSpec[]>;
  readonly streamSyncIntervalMs: number;
  readonly deletion: FormerStreamsDeletionKind;
  readonly waitPeriodMs: number;
  readonly providedStreams?: () => readonly string[] | Promise<readonly string[]>;
  readonly orphanedStreamInitialPosition: InitialPosition;
}

/**
 * Validates the multi-stream fields, appending to `problems`; a static list is checked here, a
 * function's answers each time it is called.
 * @internal
 */
export function resolveMultiStreamOptions(
  o: MultiStreamInput,
  problems: FieldProblem[],
  validPosition: (p: unknown) => boolean,
): ResolvedMultiStreamOptions {
  const interval = o.streamSyncIntervalMs ?? MULTI_STREAM_DEFAULTS.streamSyncIntervalMs;
  if (!Number.isInteger(interval) || interval < 100) {
    problems.push({ field: 'streamSyncIntervalMs', message: 'must be an integer ≥ 100' });
  }
  const strategy: FormerStreamsLeasesDeletionStrategy =
    o.formerStreamsLeasesDeletionStrategy ??
    MULTI_STREAM_DEFAULTS.formerStreamsLeasesDeletionStrategy;
  const kinds: readonly string[] = ['no-deletion', 'auto-detect', 'provided'];
  if (!kinds.includes(strategy.kind)) {
    problems.push({
      field: 'formerStreamsLeasesDeletionStrategy',
      message: "kind must be 'no-deletion', 'auto-detect' or 'provided'",
    });
  }
  const waitPeriodMs = 'waitPeriodMs' in strategy ? strategy.waitPeriodMs : 0;
  if (!Number.isInteger(waitPeriodMs) || waitPeriodMs < 0) {
    problems.push({
      field: 'formerStreamsLeasesDeletionStrategy',
      message: 'waitPeriodMs must be an integer ≥ 0',
    });
  }
  if (strategy.kind === 'provided' && typeof strategy.streams !== 'function') {
    problems.push({
      field: 'formerStreamsLeasesDeletionStrategy',
      message: "'provided' needs a streams() function",
    });
  }
  const orphaned =
    o.orphanedStreamInitialPosition ?? MULTI_STREAM_DEFAULTS.orphanedStreamInitialPosition;
  if (!validPosition(orphaned)) {
    problems.push({
      field: 'orphanedStreamInitialPosition',
      message: "must be 'LATEST', 'TRIM_HORIZON' or { timestamp: Date }",
    });
  }
  const source = o.streams;
  let listStreams: ResolvedMultiStreamOptions['listStreams'];
  if (typeof source === 'function') {
    listStreams = async (signal) => {
      const specProblems: FieldProblem[] = [];
      const specs = normalizeSpecs(await source({ signal }), specProblems, validPosition);
      if (specProblems.length > 0) {
        throw new TypeError(`streams(): ${specProblems.map((p) => p.message).join('; ')}`);
      }
      return specs;
    };
  } else if (Array.isArray(source)) {
    const specs = normalizeSpecs(source, problems, validPosition);
    listStreams = () => Promise.resolve(specs);
  } else {
    problems.push({ field: 'streams', message: 'must be an array of streams or a function' });
    listStreams = () => Promise.resolve([]);
  }
  return {
    listStreams,
    streamSyncIntervalMs: interval,
    deletion: strategy.kind,
    waitPeriodMs,
    ...(strategy.kind === 'provided' && { providedStreams: strategy.streams }),
    orphanedStreamInitialPosition: orphaned,
  };
}

function normalizeSpecs(
  specs: readonly StreamSpec[],
  problems: FieldProblem[],
  validPosition: (p: unknown) => boolean,
): NormalizedStreamSpec[] {
  if (!Array.isArray(specs)) {
    problems.push({ field: 'streams', message: 'must be an array' });
    return [];
  }
  return specs.flatMap((spec, i): NormalizedStreamSpec[] => {
    const field = `streams[${i}]`;
    const s: NormalizedStreamSpec =
      typeof spec === 'string' ? fromString(spec) : ((spec as NormalizedStreamSpec | null) ?? {});
    const problem = specProblem(s);
    if (problem !== undefined) {
      problems.push({ field, message: problem });
      return [];
    }
    if (s.initialPosition !== undefined && !validPosition(s.initialPosition)) {
      problems.push({
        field: `${field}.initialPosition`,
        message: "must be 'LATEST', 'TRIM_HORIZON' or { timestamp: Date }",
      });
      return [];
    }
    return [s];
  });
}

/** A string is an ARN, a serialized identifier, or a stream name, told apart by shape. */
function fromString(value: string): NormalizedStreamSpec {
  if (value.startsWith('arn:')) return { streamArn: value };
  if (value.includes(':')) return { streamIdentifier: value };
  return { streamName: value };
}

function specProblem(s: NormalizedStreamSpec): string | undefined {
  const given = [s.streamName, s.streamArn, s.streamIdentifier].filter((v) => v !== undefined);
  if (given.length === 0) return 'give a streamName, streamArn or streamIdentifier';
  if (s.streamArn !== undefined && parseStreamArn(s.streamArn) === undefined) {
    return `${s.streamArn} is not a Kinesis stream ARN`;
  }
  if (s.streamIdentifier !== undefined && parseStreamIdentifier(s.streamIdentifier) === undefined) {
    return `${s.streamIdentifier} is not a stream identifier (account:stream:creationEpochSeconds)`;
  }
  if (s.streamName !== undefined && !isValidStreamName(s.streamName)) {
    return `${s.streamName} is not a valid stream name`;
  }
  if (
    s.consumerArn !== undefined &&
    !/^arn:aws[a-z-]*:kinesis:[^:]+:[0-9]+:stream\/[^/]+\/consumer\/[^/:]+:[0-9]+$/.test(
      s.consumerArn,
    )
  ) {
    return `${s.consumerArn} is not a stream consumer ARN`;
  }
  return undefined;
}
