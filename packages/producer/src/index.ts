/**
 * `@kinesis-kit/producer`: a KPL for TypeScript.
 * @packageDocumentation
 */
export { KinesisProducer } from './KinesisProducer.js';
export type { PutOptions } from './KinesisProducer.js';
export { PRODUCER_DEFAULTS, SHARD_LIMITS } from './options.js';
export type {
  ClientInjection,
  KinesisProducerOptions,
  ProducerTunables,
  StreamTarget,
} from './options.js';
export type { Attempt, PutResult } from './core/records.js';
export type { UserRecordInput } from './core/validate.js';
export {
  BufferFullError,
  CloseTimeoutError,
  DeliveryFailedError,
  RecordExpiredError,
} from './errors.js';
export type { ProducerEvents } from './events.js';
export { producerWritable } from './writable.js';
export type { ProducerWritableOptions } from './writable.js';
export { PRODUCER_METRICS } from './metrics/names.js';
export type { MetricsGranularity, MetricsLevel, ProducerMetricName } from './metrics/names.js';
export { CloudWatchMetricsSink } from './metrics/cloudWatchSink.js';
export type { CloudWatchMetricsSinkOptions } from './metrics/cloudWatchSink.js';
export { EmfMetricsSink } from './metrics/emfSink.js';
export type { EmfMetricsSinkOptions } from './metrics/emfSink.js';
