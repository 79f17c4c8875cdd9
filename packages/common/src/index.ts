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
