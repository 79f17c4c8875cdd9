/**
 * The consumer's options: one interface, one defaults table, one resolver that validates every
 * field at once and derives the lease timings. Shard-worker options (retrieval, processor retries)
 * are the worker's own table, merged in unchanged.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { ConfigurationError, createConsoleLogger, noopMetricsSink } from '@kinesis-kit/common';
import type { Clock, FieldProblem, Logger, MetricsSink } from '@kinesis-kit/common';
import { leaseTimings } from './core/leasePlanner.js';
import type { ChildInitialPosition } from './core/shardGraph.js';
import type { InitialPosition } from './core/shardSync.js';
import { resolveMultiStreamOptions } from './multiStreamOptions.js';
import type { MultiStreamInput, ResolvedMultiStreamOptions } from './multiStreamOptions.js';
import type {
  RecordHandler,
  HandlerProcessorOptions,
  ShardRecordProcessor,
  StreamInfo,
} from './processor.js';
import { LEASE_CLEANUP_DEFAULTS, resolveLeaseCleanupTimings } from './runtime/leaseCleanup.js';
import type { LeaseCleanupTimings } from './runtime/leaseCleanup.js';
import { SHARD_WORKER_DEFAULTS, resolveShardWorkerOptions } from './runtime/shardWorkerOptions.js';
import type { ShardWorkerOptions } from './runtime/shardWorkerOptions.js';

/** Either an SDK client (never destroyed by us) or a config to build one from. @public */
export type KinesisClientInput =
  | { readonly kinesisClient: KinesisClient; readonly kinesisClientConfig?: never }
  | { readonly kinesisClientConfig?: KinesisClientConfig; readonly kinesisClient?: never };

/** @public */
export type DynamoDBClientInput =
  | { readonly dynamoDBClient: DynamoDBClient; readonly dynamoDBClientConfig?: never }
  | { readonly dynamoDBClientConfig?: DynamoDBClientConfig; readonly dynamoDBClient?: never };

/**
 * Which stream: by name or by ARN (the ARN wins in requests, as in the KCL); or several streams
 * in one application (`streams`, see README.multistream.md).
 * @public
 */
export type StreamInput =
  | { readonly streamName: string; readonly streamArn?: string; readonly streams?: never }
  | { readonly streamArn: string; readonly streamName?: string; readonly streams?: never }
  | MultiStreamInput;

/** Builds the processor of one shard; `stream` is set in a multi-stream application. @public */
export type ProcessorFactory = (shardId: string, stream?: StreamInfo) => ShardRecordProcessor;

/** What processes the records: a KCL-style processor per shard, or a plain handler. @public */
export type ProcessingInput =
  | {
      readonly processorFactory: ProcessorFactory;
      readonly handler?: never;
    }
  | {
      readonly handler: RecordHandler;
      /** How the handler form checkpoints. @defaultValue \{ checkpointing: 'auto' \} */
      readonly handlerOptions?: HandlerProcessorOptions;
      readonly processorFactory?: never;
    };

/** Options that do not depend on the unions above. @public */
export interface KinesisConsumerBaseOptions extends Partial<ShardWorkerOptions> {
  /** Names the lease table (unless `tableName`), as in the KCL. */
  readonly applicationName: string;
  /** @defaultValue applicationName */
  readonly tableName?: string;
  /** Unique per worker process. @defaultValue `${hostname}:${pid}:${uuid}` */
  readonly workerId?: string;
  /** Where a shard with no checkpoint starts. @defaultValue 'LATEST' (as the KCL) */
  readonly initialPosition?: InitialPosition;
  /**
   * Checkpoint given to child leases created at a parent's SHARD_END. The KCL always writes
   * TRIM_HORIZON (issues #734, #580); LATEST skips what was written to the child before its
   * parent finished. `'AT_TIMESTAMP'` reads children from `initialPosition`'s timestamp (the
   * table does not store one), so it requires `initialPosition: { timestamp }`.
   * @defaultValue 'TRIM_HORIZON'
   */
  readonly childInitialPosition?: ChildInitialPosition;
  /** A lease whose counter has not moved for this long is taken over. @defaultValue 10 000 */
  readonly failoverTimeMs?: number;
  /** @defaultValue failoverTimeMs / 3 − 25 (the KCL's) */
  readonly leaseRenewIntervalMs?: number;
  /** How often the lease table is scanned for leases to take. @defaultValue failover / 6, within 200–1500 */
  readonly leaseTakerIntervalMs?: number;
  /** @defaultValue unlimited */
  readonly maxLeasesForWorker?: number;
  /** @defaultValue 1 */
  readonly maxLeasesToStealAtOneTime?: number;
  /** ListShards + lease creation interval (new shards, holes). @defaultValue 60 000 */
  readonly shardSyncIntervalMs?: number;
  /** `stop()` waits this long for processors to finish before dropping the rest. @defaultValue 30 000 */
  readonly shutdownGraceMs?: number;
  /**
   * When finished (SHARD_END) leases are judged and deleted; `KCL_LEASE_CLEANUP_TIMINGS` is the
   * Java KCL's cadence. @defaultValue LEASE_CLEANUP_DEFAULTS (judged at every lease scan, the
   * service asked about one lease at most once a minute, the garbage check every 30 min)
   */
  readonly leaseCleanup?: Partial<LeaseCleanupTimings>;
  /**
   * How shards are read: `'polling'` (GetRecords, paced by `idleTimeBetweenReadsMs`) or
   * `'fanout'` (enhanced fan-out: SubscribeToShard through a registered stream consumer, records
   * pushed within about 70 ms, 2 MiB/s per shard for this application alone). Polling is the
   * default because it works everywhere with any HTTP handler (kinesis-local, LocalStack, HTTP/1.1
   * proxies) and costs nothing extra; fan-out is billed per consumer-shard hour and per GB, and
   * wants the SDK's default HTTP/2 handler against AWS (README.fanout.md).
   * @defaultValue 'polling'
   */
  readonly retrieval?: 'polling' | 'fanout';
  /** Fan-out: the stream consumer to find or register (the KCL's). @defaultValue applicationName */
  readonly consumerName?: string;
  /**
   * Fan-out: a stream consumer registered elsewhere, used as given (never registered or
   * deregistered); `start()` rejects with `StreamConsumerArnError` if it does not exist or belongs
   * to another stream. @defaultValue undefined (find or register `consumerName`)
   */
  readonly consumerArn?: string;
  /** @defaultValue console warnings and errors */
  readonly logger?: Logger;
  /** @defaultValue no metrics */
  readonly metrics?: MetricsSink;
  /** For tests. @defaultValue the system clock */
  readonly clock?: Clock;
  /** For tests. @defaultValue Math.random */
  readonly random?: () => number;
}

/** @public */
export type KinesisConsumerOptions = KinesisConsumerBaseOptions &
  StreamInput &
  ProcessingInput &
  KinesisClientInput &
  DynamoDBClientInput;

/** @public */
export const CONSUMER_DEFAULTS = {
  initialPosition: 'LATEST',
  childInitialPosition: 'TRIM_HORIZON',
  failoverTimeMs: 10_000,
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToStealAtOneTime: 1,
  shardSyncIntervalMs: 60_000,
  shutdownGraceMs: 30_000,
  retrieval: 'polling',
} as const satisfies Partial<KinesisConsumerBaseOptions>;

/** Options after defaults and validation. @internal */
export interface ResolvedConsumerOptions {
  readonly streamName: string | undefined;
  readonly streamArn: string | undefined;
  readonly applicationName: string;
  readonly tableName: string;
  readonly workerId: string;
  readonly initialPosition: InitialPosition;
  readonly childInitialPosition: ChildInitialPosition;
  readonly failoverTimeMs: number;
  readonly leaseRenewIntervalMs: number;
  readonly leaseTakerIntervalMs: number;
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  readonly shardSyncIntervalMs: number;
  readonly shutdownGraceMs: number;
  readonly leaseCleanup: LeaseCleanupTimings;
  readonly retrieval: 'polling' | 'fanout';
  readonly consumerName: string;
  readonly consumerArn: string | undefined;
  readonly worker: ShardWorkerOptions;
  /** Set for a multi-stream application (`streams`). */
  readonly multiStream: ResolvedMultiStreamOptions | undefined;
  readonly processorFactory: ProcessorFactory | undefined;
  readonly handler: RecordHandler | undefined;
  readonly handlerOptions: HandlerProcessorOptions | undefined;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly clock: Clock | undefined;
  readonly random: () => number;
}

const WORKER_KEYS = Object.keys(SHARD_WORKER_DEFAULTS) as (keyof ShardWorkerOptions)[];
/** DynamoDB table names: 3..255 of [a-zA-Z0-9_.-]. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** RegisterStreamConsumer's ConsumerName pattern. */
const CONSUMER_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** The service's ConsumerARN pattern (DescribeStreamConsumer), by parts. */
const CONSUMER_ARN =
  /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:\d+$/;

/**
 * Merges defaults, derives timings and validates every field, throwing one ConfigurationError
 * that lists all the problems.
 * @internal
 */
export function resolveConsumerOptions(options: KinesisConsumerOptions): ResolvedConsumerOptions {
  const problems: FieldProblem[] = [];
  const o = options as unknown as KinesisConsumerBaseOptions & Partial<Record<string, unknown>>;
  const str = (field: string, value: unknown, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push({ field, message: 'must be a non-empty string' });
      return undefined;
    }
    return value;
  };
  const streamName = str('streamName', o.streamName, false);
  const streamArn = str('streamArn', o.streamArn, false);
  let multiStream: ResolvedMultiStreamOptions | undefined;
  if (o.streams !== undefined) {
    if (o.streamName !== undefined || o.streamArn !== undefined) {
      problems.push({
        field: 'streams',
        message: 'give streams, or streamName/streamArn, not both',
      });
    }
    multiStream = resolveMultiStreamOptions(o as unknown as MultiStreamInput, problems, (p) =>
      validPosition(p),
    );
  } else if (o.streamName === undefined && o.streamArn === undefined) {
    problems.push({ field: 'streamName', message: 'streamName, streamArn or streams is required' });
  }
  const applicationName = str('applicationName', o.applicationName, true) ?? '';
  // Derived from the application name unless given; a bad application name is reported once.
  const tableName =
    o.tableName === undefined ? applicationName : (str('tableName', o.tableName, true) ?? '');
  if (tableName !== '' && !TABLE_NAME.test(tableName)) {
    problems.push({
      field: o.tableName === undefined ? 'applicationName' : 'tableName',
      message:
        'must be a valid DynamoDB table name (3-255 of a-z, A-Z, 0-9, _ . -) since it names the lease table',
    });
  }
  const workerId =
    str('workerId', o.workerId ?? `${hostname()}:${process.pid}:${randomUUID()}`, true) ?? '';
  const initialPosition = o.initialPosition ?? CONSUMER_DEFAULTS.initialPosition;
  if (!validPosition(initialPosition)) {
    problems.push({
      field: 'initialPosition',
      message: "must be 'LATEST', 'TRIM_HORIZON' or { timestamp: Date }",
    });
  }
  const childInitialPosition = o.childInitialPosition ?? CONSUMER_DEFAULTS.childInitialPosition;
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(childInitialPosition)) {
    problems.push({
      field: 'childInitialPosition',
      message: "must be 'TRIM_HORIZON', 'LATEST' or 'AT_TIMESTAMP'",
    });
  }
  const int = (
    field: string,
    value: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    if (
      !(Number.isInteger(value) || value === Number.POSITIVE_INFINITY) ||
      value < min ||
      value > max
    ) {
      problems.push({
        field,
        message: `must be an integer in [${min}, ${max}], got ${String(value)}`,
      });
    }
    return value;
  };
  const failoverTimeMs = int(
    'failoverTimeMs',
    o.failoverTimeMs ?? CONSUMER_DEFAULTS.failoverTimeMs,
    100,
    86_400_000,
  );
  const timings = leaseTimings(failoverTimeMs);
  const leaseRenewIntervalMs = int(
    'leaseRenewIntervalMs',
    o.leaseRenewIntervalMs ?? timings.renewIntervalMs,
    1,
  );
  if (leaseRenewIntervalMs >= failoverTimeMs) {
    problems.push({
      field: 'leaseRenewIntervalMs',
      message: `must be below failoverTimeMs (${failoverTimeMs})`,
    });
  }
  const leaseTakerIntervalMs = int(
    'leaseTakerIntervalMs',
    o.leaseTakerIntervalMs ?? timings.takerIntervalMs,
    10,
  );
  const maxLeasesForWorker = int(
    'maxLeasesForWorker',
    o.maxLeasesForWorker ?? CONSUMER_DEFAULTS.maxLeasesForWorker,
    1,
    Number.POSITIVE_INFINITY,
  );
  const maxLeasesToStealAtOneTime = int(
    'maxLeasesToStealAtOneTime',
    o.maxLeasesToStealAtOneTime ?? CONSUMER_DEFAULTS.maxLeasesToStealAtOneTime,
    0,
  );
  const shardSyncIntervalMs = int(
    'shardSyncIntervalMs',
    o.shardSyncIntervalMs ?? CONSUMER_DEFAULTS.shardSyncIntervalMs,
    100,
  );
  const shutdownGraceMs = int(
    'shutdownGraceMs',
    o.shutdownGraceMs ?? CONSUMER_DEFAULTS.shutdownGraceMs,
    0,
  );
  let leaseCleanup: LeaseCleanupTimings = LEASE_CLEANUP_DEFAULTS;
  try {
    leaseCleanup = resolveLeaseCleanupTimings(o.leaseCleanup);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    for (const p of error.problems) {
      problems.push({ field: `leaseCleanup.${p.field}`, message: p.message });
    }
  }
  const retrieval = o.retrieval ?? CONSUMER_DEFAULTS.retrieval;
  if (retrieval !== 'polling' && retrieval !== 'fanout') {
    problems.push({ field: 'retrieval', message: "must be 'polling' or 'fanout'" });
  }
  const consumerName =
    o.consumerName === undefined
      ? applicationName
      : (str('consumerName', o.consumerName, true) ?? '');
  if (o.consumerName !== undefined && !CONSUMER_NAME.test(consumerName)) {
    problems.push({ field: 'consumerName', message: 'must be 1-128 of a-z, A-Z, 0-9, _ . -' });
  }
  const consumerArn = str('consumerArn', o.consumerArn, false);
  if (consumerArn !== undefined && !CONSUMER_ARN.test(consumerArn)) {
    problems.push({
      field: 'consumerArn',
      message:
        'must be a stream consumer ARN: arn:<partition>:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<epoch>',
    });
  }
  if (consumerArn !== undefined && multiStream !== undefined) {
    problems.push({
      field: 'consumerArn',
      message: 'a consumer ARN belongs to one stream: give consumerArn per stream in streams',
    });
  }
  for (const [field, value] of [
    ['consumerName', o.consumerName],
    ['consumerArn', o.consumerArn],
  ] as const) {
    if (value !== undefined && retrieval === 'polling') {
      problems.push({ field, message: "only applies with retrieval: 'fanout'" });
    }
  }
  const hasFactory = typeof o.processorFactory === 'function';
  const hasHandler = typeof o.handler === 'function';
  if (hasFactory === hasHandler) {
    problems.push({
      field: 'processorFactory',
      message: 'give exactly one of processorFactory(shardId) or handler(records, context)',
    });
  }
  if (o.kinesisClient !== undefined && o.kinesisClientConfig !== undefined) {
    problems.push({
      field: 'kinesisClient',
      message: 'give kinesisClient or kinesisClientConfig, not both',
    });
  }
  if (o.dynamoDBClient !== undefined && o.dynamoDBClientConfig !== undefined) {
    problems.push({
      field: 'dynamoDBClient',
      message: 'give dynamoDBClient or dynamoDBClientConfig, not both',
    });
  }
  let worker: ShardWorkerOptions = SHARD_WORKER_DEFAULTS;
  try {
    const picked: Partial<Record<keyof ShardWorkerOptions, unknown>> = {};
    for (const key of WORKER_KEYS) if (o[key] !== undefined) picked[key] = o[key];
    worker = resolveShardWorkerOptions({
      ...(picked as Partial<ShardWorkerOptions>),
      ...(typeof initialPosition === 'object' &&
        validTimestamp(initialPosition.timestamp) && {
          initialPositionTimestamp: initialPosition.timestamp,
        }),
    });
  } catch (error) {
    if (error instanceof ConfigurationError) problems.push(...error.problems);
    else throw error;
  }
  const childProblem = childTimestampProblem(
    childInitialPosition,
    worker.initialPositionTimestamp,
    o.streams,
    multiStream,
  );
  if (childProblem !== undefined) problems.push(childProblem);
  if (problems.length > 0) throw new ConfigurationError('KinesisConsumer', problems);
  return {
    streamName,
    streamArn,
    applicationName,
    tableName,
    workerId,
    initialPosition,
    childInitialPosition,
    failoverTimeMs,
    leaseRenewIntervalMs,
    leaseTakerIntervalMs,
    maxLeasesForWorker,
    maxLeasesToStealAtOneTime,
    shardSyncIntervalMs,
    leaseCleanup,
    shutdownGraceMs,
    retrieval,
    consumerName,
    consumerArn,
    worker,
    multiStream,
    processorFactory: hasFactory ? (o.processorFactory as ProcessorFactory) : undefined,
    handler: hasHandler ? (o.handler as RecordHandler) : undefined,
    handlerOptions: o.handlerOptions as HandlerProcessorOptions | undefined,
    logger: o.logger ?? createConsoleLogger('warn'),
    metrics: o.metrics ?? noopMetricsSink,
    clock: o.clock,
    random: o.random ?? Math.random,
  };
}

/**
 * Child leases at AT_TIMESTAMP are read from a timestamp the lease table does not store (the
 * KCL's rule): without one, every child would stall at start. The consumer-wide timestamp
 * (`initialPosition: { timestamp }`) covers every stream; without it, a multi-stream application
 * needs a timestamp on every listed stream and on `orphanedStreamInitialPosition` (a `streams`
 * function cannot be checked ahead, so it needs the consumer-wide one).
 */
function childTimestampProblem(
  childInitialPosition: ChildInitialPosition,
  consumerTimestamp: Date | undefined,
  streams: unknown,
  multiStream: ResolvedMultiStreamOptions | undefined,
): FieldProblem | undefined {
  if (childInitialPosition !== 'AT_TIMESTAMP' || consumerTimestamp !== undefined) return undefined;
  const message =
    "'AT_TIMESTAMP' needs a timestamp to read child shards from (the lease table does not store it): give initialPosition: { timestamp }";
  if (multiStream === undefined) return { field: 'childInitialPosition', message };
  const hasTimestamp = (p: unknown): boolean => typeof p === 'object' && p !== null;
  const everyStream =
    Array.isArray(streams) &&
    streams.every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        hasTimestamp((s as { initialPosition?: unknown }).initialPosition),
    );
  if (everyStream && hasTimestamp(multiStream.orphanedStreamInitialPosition)) return undefined;
  return {
    field: 'childInitialPosition',
    message: `${message}, or a { timestamp } initialPosition on every listed stream and orphanedStreamInitialPosition`,
  };
}

function validPosition(value: unknown): value is InitialPosition {
  return (
    value === 'LATEST' ||
    value === 'TRIM_HORIZON' ||
    (typeof value === 'object' &&
      value !== null &&
      validTimestamp((value as { timestamp?: unknown }).timestamp))
  );
}

function validTimestamp(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
