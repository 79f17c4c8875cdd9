/**
 * `@kinesis-kit/common`: the pure core shared by the producer and the consumer.
 * @packageDocumentation
 */
export {
  AbortError,
  ClosedError,
  ConfigurationError,
  KinesisKitError,
  RecordTooLargeError,
  ValidationError,
  isAbortError,
  isKinesisKitError,
} from './errors.js';
export type {
  ErrorContext,
  FieldProblem,
  KinesisKitErrorCode,
  KinesisKitErrorOptions,
} from './errors.js';
export { childLogger, createConsoleLogger, silentLogger } from './logger.js';
export type { LogFields, LogLevel, Logger } from './logger.js';
export { noopMetricsSink } from './metrics.js';
export type { MetricDatum, MetricDimensions, MetricUnit, MetricsSink } from './metrics.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { BACKOFF_DEFAULTS, computeBackoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { seededRandom } from './core/seededRandom.js';
export { Task } from './task.js';
export type { TaskOptions } from './task.js';
export { TypedEmitter } from './events.js';
export type { Listener } from './events.js';
export {
  ExtendedSequenceNumber,
  SENTINEL_CHECKPOINTS,
  compareExtendedSequenceNumbers,
  compareSequenceNumbers,
  isSentinelCheckpoint,
  isSequenceNumber,
} from './core/sequenceNumber.js';
export type { SentinelCheckpoint } from './core/sequenceNumber.js';
export {
  MAX_HASH_KEY,
  hashKeyToDecimal,
  parseExplicitHashKey,
  partitionKeyToHashKey,
  toDataBytes,
  validatePartitionKey,
} from './core/hashKey.js';
export { hashWordsToBigInt, partitionKeyHashWords } from './core/md5Words.js';
export {
  FULL_HASH_KEY_RANGE,
  ShardMap,
  checkCoverage,
  evenHashKeyRanges,
  hashKeyRangeContains,
  toShardInfo,
} from './core/hashRange.js';
export type {
  CoverageReport,
  HashKeyOverlap,
  HashKeyRange,
  ListShardsShard,
  ShardInfo,
} from './core/hashRange.js';
export {
  DEFAULT_AGGREGATION_MAX_BYTES,
  DEFAULT_AGGREGATION_MAX_COUNT,
  DEFAULT_MAX_USER_RECORD_BYTES,
  GET_RECORDS_MAX_BYTES,
  GET_RECORDS_MAX_RECORDS,
  MAX_CONFIGURABLE_RECORD_BYTES,
  MAX_PARTITION_KEY_LENGTH,
  MAX_RECORD_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  SHARD_GET_RECORDS_CALLS_PER_SECOND,
  SHARD_READ_BYTES_PER_SECOND,
  SHARD_WRITE_BYTES_PER_SECOND,
  SHARD_WRITE_RECORDS_PER_SECOND,
} from './core/limits.js';
export {
  AGGREGATE_PARTITION_KEY,
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
} from './core/aggregation/format.js';
export { RecordAggregator } from './core/aggregation/aggregator.js';
export type {
  AggregatedKinesisRecord,
  AggregatorRecordInput,
  RecordAggregatorOptions,
} from './core/aggregation/aggregator.js';
export { deaggregate, deaggregateAll, isAggregated } from './core/aggregation/deaggregate.js';
export type {
  DeaggregateOptions,
  KinesisRecordInput,
  UserRecord,
} from './core/aggregation/deaggregate.js';
