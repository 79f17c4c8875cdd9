/**
 * `@kinesis-kit/consumer/lambda`: Kinesis event handlers for AWS Lambda that deaggregate KPL
 * records with the KCL's semantics and report partial batch failures.
 * @packageDocumentation
 */
export { kinesisHandler } from './kinesisHandler.js';
export { kinesisBatchHandler } from './kinesisBatchHandler.js';
export { parseKinesisStreamEvent } from './parseEvent.js';
export type { KinesisEventRecord } from './parseEvent.js';
export { KINESIS_HANDLER_DEFAULTS } from './options.js';
export type { KinesisHandlerOptions, ShardHashKeyRangeLookup } from './options.js';
export type {
  KinesisBatchFunction,
  KinesisBatchResult,
  KinesisLambdaHandler,
  KinesisRecordFunction,
  LambdaUserRecord,
} from './types.js';
