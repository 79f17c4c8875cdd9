/**
 * Producer options: one interface, one defaults table, one resolver. KPL property names are accepted
 * where they mean the same thing (`aggregationMaxSize`, `recordMaxBufferedTime`, `recordTtl`,
 * `collectionMaxCount`, `collectionMaxSize`, `rateLimit`, `failIfThrottled`, `maxConnections`,
 * `requestTimeout`, `connectTimeout`), so a KPL configuration can be carried over; the README maps
 * every KPL property. Everything is validated at once and reported in one ConfigurationError.
 */
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { Clock, Logger, MetricsSink } from '@kinesis-kit/common';
import {
  ConfigurationError,
  noopMetricsSink,
  silentLogger,
  systemClock,
} from '@kinesis-kit/common';
import type { FieldProblem } from '@kinesis-kit/common';
import type { MetricsGranularity, MetricsLevel } from './metrics/names.js';

/** Service limits the defaults are derived from. @public */
export const SHARD_LIMITS = {
  /** Write bytes per shard per second (data + partition key). */
  bytesPerSecond: 1024 * 1024,
  /** Write records per shard per second. */
  recordsPerSecond: 1000,
  /** Entries per PutRecords request. */
  maxEntriesPerRequest: 500,
  /** Bytes per PutRecords request, partition keys included. */
  maxBytesPerRequest: 5 * 1024 * 1024,
  /** Largest record a stream can be configured to accept (UpdateMaxRecordSize). */
  maxRecordSizeCeiling: 10 * 1024 * 1024,
} as const;

/** Where the records go: a stream name or its ARN. @public */
export type StreamTarget =
  | { readonly streamName: string; readonly streamArn?: string }
  | { readonly streamName?: string; readonly streamArn: string };

/** The Kinesis client: injected, or built from a config (never both). @public */
export type ClientInjection =
  | { readonly kinesisClient: KinesisClient; readonly clientConfig?: never }
  | { readonly clientConfig?: KinesisClientConfig; readonly kinesisClient?: never };

/** Tunables shared by every target. @public */
export interface ProducerTunables {
  /** Pack user records bound for the same shard into KPL aggregates. @defaultValue true */
  readonly aggregationEnabled?: boolean;
  /** Largest aggregate in bytes (magic and MD5 included), as in the KPL. @defaultValue 51200 */
  readonly aggregationMaxSize?: number;
  /** Most user records per aggregate. @defaultValue 4294967295 */
  readonly aggregationMaxCount?: number;
  /** Most Kinesis records per PutRecords request (1..500). @defaultValue 500 */
  readonly collectionMaxCount?: number;
  /** Most bytes per PutRecords request, partition keys counted. @defaultValue 5242880 */
  readonly collectionMaxSize?: number;
  /** Longest a record waits in the buffer before it is sent, in ms. @defaultValue 100 */
  readonly recordMaxBufferedTime?: number;
  /** A record not in the stream after this many ms is rejected with RecordExpiredError. @defaultValue 30000 */
  readonly recordTtl?: number;
  /**
   * Ceiling of the per-shard send rate in percent of the shard limits (1 MiB/s, 1000 records/s).
   * The KPL defaults to 150 and lets the service throttle; ours defaults to 100 because the
   * limiter counts bytes the way the service does and adapts to throttling below this ceiling.
   * @defaultValue 100
   */
  readonly rateLimit?: number;
  /** Reject a record at its first throttling instead of retrying. @defaultValue false */
  readonly failIfThrottled?: boolean;
  /** HTTP connections of the client we build (ignored with an injected client). @defaultValue 24 */
  readonly maxConnections?: number;
  /** Request timeout of the client we build, in ms. @defaultValue 6000 */
  readonly requestTimeout?: number;
  /** Connect timeout of the client we build, in ms. @defaultValue 6000 */
  readonly connectTimeout?: number;
  /** PutRecords requests in flight at once. @defaultValue 24 */
  readonly maxConcurrentRequests?: number;
  /**
   * Bytes (data + keys) in flight before no new request starts (one request may exceed it).
   * A request in flight also holds its JSON body (base64: 4/3 of its size); this keeps a slow
   * endpoint from multiplying memory.
   * @defaultValue 8388608
   */
  readonly maxInFlightBytes?: number;
  /**
   * The stream's maximum record size (data + partition key), 1 MiB unless raised with
   * UpdateMaxRecordSize (up to 10 MiB). @defaultValue 1048576
   */
  readonly maxRecordSizeBytes?: number;
  /**
   * Bound on the memory of buffered user records not yet durably put: data + partition key +
   * an estimated 600 bytes per record for its objects (see the README's Memory section).
   * @defaultValue 33554432
   */
  readonly maxBufferedBytes?: number;
  /** Bound on buffered user records not yet durably put. @defaultValue 65536 */
  readonly maxBufferedRecords?: number;
  /** What put() does when the buffer is full: wait for room, or reject with BufferFullError. @defaultValue 'wait' */
  readonly onBufferFull?: 'wait' | 'reject';
  /**
   * Keep per-partition-key order under retries: at most one PutRecords in flight per shard and
   * at most one Kinesis record per shard in each request. @defaultValue false
   */
  readonly preserveOrder?: boolean;
  /** Refresh the shard map this often even without a hint, in ms (0 disables). @defaultValue 60000 */
  readonly shardMapRefreshIntervalMs?: number;
  /** First retry delay scale (exponential, full jitter), in ms. @defaultValue 100 */
  readonly retryBaseMs?: number;
  /** Longest retry delay, in ms. @defaultValue 5000 */
  readonly retryMaxMs?: number;
  /** How long close() keeps flushing before it rejects what is left, in ms. @defaultValue 30000 */
  readonly closeTimeoutMs?: number;
  /** @defaultValue noopMetricsSink */
  readonly metricsSink?: MetricsSink;
  /** Which metrics are emitted, as in the KPL. @defaultValue 'detailed' */
  readonly metricsLevel?: MetricsLevel;
  /** Dimension depth of metrics, as in the KPL. @defaultValue 'shard' */
  readonly metricsGranularity?: MetricsGranularity;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
  /** Randomness for backoff jitter. @defaultValue Math.random */
  readonly random?: () => number;
}

/**
 * Options of {@link KinesisProducer}.
 * @public
 * @example
 * ```ts
 * const producer = new KinesisProducer({ streamName: 'events', clientConfig: { region: 'eu-west-1' } });
 * ```
 */
export type KinesisProducerOptions = StreamTarget & ClientInjection & ProducerTunables;

/** The defaults table. @public */
export const PRODUCER_DEFAULTS = {
  aggregationEnabled: true,
  aggregationMaxSize: 51_200,
  aggregationMaxCount: 4_294_967_295,
  collectionMaxCount: 500,
  collectionMaxSize: SHARD_LIMITS.maxBytesPerRequest,
  recordMaxBufferedTime: 100,
  recordTtl: 30_000,
  rateLimit: 100,
  failIfThrottled: false,
  maxConnections: 24,
  requestTimeout: 6000,
  connectTimeout: 6000,
  maxConcurrentRequests: 24,
  maxInFlightBytes: 8 * 1024 * 1024,
  maxRecordSizeBytes: 1024 * 1024,
  maxBufferedBytes: 32 * 1024 * 1024,
  maxBufferedRecords: 65_536,
  onBufferFull: 'wait',
  preserveOrder: false,
  shardMapRefreshIntervalMs: 60_000,
  retryBaseMs: 100,
  retryMaxMs: 5000,
  closeTimeoutMs: 30_000,
  metricsLevel: 'detailed',
  metricsGranularity: 'shard',
} as const satisfies Partial<ProducerTunables>;

/** Options after defaults and validation. @internal */
export interface ResolvedProducerOptions extends Required<
  Omit<ProducerTunables, 'metricsSink' | 'logger' | 'clock' | 'random'>
> {
  readonly streamName: string | undefined;
  readonly streamArn: string | undefined;
  /** Name used in metrics and errors: the stream name, or the name part of the ARN. */
  readonly streamLabel: string;
  readonly kinesisClient: KinesisClient | undefined;
  readonly clientConfig: KinesisClientConfig | undefined;
  readonly metricsSink: MetricsSink;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
}

type NumericKey = {
  [K in keyof typeof PRODUCER_DEFAULTS]: (typeof PRODUCER_DEFAULTS)[K] extends number ? K : never;
}[keyof typeof PRODUCER_DEFAULTS];

/** Inclusive ranges; the KPL's where a KPL name exists. */
const RANGES: Record<NumericKey, readonly [number, number]> = {
  aggregationMaxSize: [64, SHARD_LIMITS.maxRecordSizeCeiling],
  aggregationMaxCount: [1, Number.MAX_SAFE_INTEGER],
  collectionMaxCount: [1, SHARD_LIMITS.maxEntriesPerRequest],
  collectionMaxSize: [52_224, SHARD_LIMITS.maxBytesPerRequest],
  recordMaxBufferedTime: [0, 3_600_000],
  // Clamped so that arrival + TTL cannot overflow into the past (maxwell PR #2147).
  recordTtl: [100, 86_400_000],
  rateLimit: [1, 1_000_000],
  maxConnections: [1, 256],
  requestTimeout: [100, 600_000],
  connectTimeout: [100, 300_000],
  maxConcurrentRequests: [1, 1024],
  maxInFlightBytes: [1024, Number.MAX_SAFE_INTEGER],
  maxRecordSizeBytes: [1024, SHARD_LIMITS.maxRecordSizeCeiling],
  maxBufferedBytes: [1024, Number.MAX_SAFE_INTEGER],
  maxBufferedRecords: [1, Number.MAX_SAFE_INTEGER],
  shardMapRefreshIntervalMs: [0, 86_400_000],
  retryBaseMs: [1, 600_000],
  retryMaxMs: [1, 600_000],
  closeTimeoutMs: [0, 3_600_000],
};

/**
 * Merges defaults, validates every field and derives the rest; throws one ConfigurationError
 * naming every invalid field.
 * @internal
 */
export function resolveProducerOptions(options: KinesisProducerOptions): ResolvedProducerOptions {
  const problems: FieldProblem[] = [];
  const o = options as ProducerTunables & {
    streamName?: unknown;
    streamArn?: unknown;
    kinesisClient?: KinesisClient;
    clientConfig?: KinesisClientConfig;
  };
  const streamName = optionalString(o.streamName, 'streamName', problems);
  const streamArn = optionalString(o.streamArn, 'streamArn', problems);
  if (streamName === undefined && streamArn === undefined) {
    problems.push({ field: 'streamName', message: 'streamName or streamArn is required' });
  }
  if (o.kinesisClient !== undefined && o.clientConfig !== undefined) {
    problems.push({
      field: 'kinesisClient',
      message: 'give kinesisClient or clientConfig, not both',
    });
  }
  const merged = { ...PRODUCER_DEFAULTS, ...stripUndefined(o) } as Record<string, unknown>;
  for (const [key, [min, max]] of Object.entries(RANGES)) {
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
      problems.push({ field: key, message: `must be an integer, got ${String(value)}` });
    } else if (value < min || value > max) {
      problems.push({ field: key, message: `must be between ${min} and ${max}, got ${value}` });
    }
  }
  for (const key of ['aggregationEnabled', 'failIfThrottled', 'preserveOrder'] as const) {
    if (typeof merged[key] !== 'boolean')
      problems.push({ field: key, message: 'must be a boolean' });
  }
  oneOf(merged, 'onBufferFull', ['wait', 'reject'], problems);
  oneOf(merged, 'metricsLevel', ['none', 'summary', 'detailed'], problems);
  oneOf(merged, 'metricsGranularity', ['global', 'stream', 'shard'], problems);
  const r = merged as unknown as ResolvedProducerOptions;
  if (problems.length === 0) crossChecks(r, problems);
  if (problems.length > 0) throw new ConfigurationError('KinesisProducer', problems);
  return {
    ...r,
    streamName,
    streamArn,
    streamLabel: streamName ?? streamArn!.slice(streamArn!.lastIndexOf('/') + 1),
    kinesisClient: o.kinesisClient,
    clientConfig: o.clientConfig,
    metricsSink: o.metricsSink ?? noopMetricsSink,
    logger: o.logger ?? silentLogger,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
}

/** Relations between fields that only make sense once each field is valid on its own. */
function crossChecks(r: ResolvedProducerOptions, problems: FieldProblem[]): void {
  // An aggregate is sent with the one-byte outer key "a", so it must fit the stream's record size.
  if (r.aggregationEnabled && r.aggregationMaxSize + 1 > r.maxRecordSizeBytes) {
    problems.push({
      field: 'aggregationMaxSize',
      message: `must be below maxRecordSizeBytes (${r.maxRecordSizeBytes})`,
    });
  }
  if (r.retryMaxMs < r.retryBaseMs) {
    problems.push({
      field: 'retryMaxMs',
      message: `must be at least retryBaseMs (${r.retryBaseMs})`,
    });
  }
  if (r.maxBufferedBytes < r.maxRecordSizeBytes) {
    problems.push({
      field: 'maxBufferedBytes',
      message: `must hold at least one record of maxRecordSizeBytes (${r.maxRecordSizeBytes})`,
    });
  }
}

function optionalString(
  value: unknown,
  field: string,
  problems: FieldProblem[],
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'must be a non-empty string' });
    return undefined;
  }
  return value.trim();
}

function oneOf(
  merged: Record<string, unknown>,
  key: string,
  allowed: readonly string[],
  problems: FieldProblem[],
): void {
  if (!allowed.includes(merged[key] as string)) {
    problems.push({ field: key, message: `must be one of ${allowed.join(', ')}` });
  }
}

function stripUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
