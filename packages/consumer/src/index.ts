/**
 * `@kinesis-kit/consumer`: a KCL for TypeScript on a Java-compatible lease table.
 * @packageDocumentation
 */
export { KinesisConsumer, FleetConflictError } from './KinesisConsumer.js';
export { CONSUMER_DEFAULTS } from './options.js';
export type {
  DynamoDBClientInput,
  KinesisClientInput,
  KinesisConsumerBaseOptions,
  KinesisConsumerOptions,
  ProcessingInput,
  ProcessorFactory,
  StreamInput,
} from './options.js';
export { MULTI_STREAM_DEFAULTS } from './multiStreamOptions.js';
export type {
  FormerStreamsLeasesDeletionStrategy,
  MultiStreamInput,
  StreamSpec,
  StreamTrackerInput,
} from './multiStreamOptions.js';
export { StreamNotFoundError } from './runtime/shardSyncer.js';
export { IncompleteShardListError } from './runtime/shardSyncCoverage.js';
export {
  formatStreamIdentifier,
  parseStreamArn,
  parseStreamIdentifier,
} from './core/streamIdentifier.js';
export type { StreamArnParts, StreamIdentifierParts } from './core/streamIdentifier.js';
export type { KinesisConsumerEvents } from './events.js';
export { processorFromHandler } from './processor.js';
export type {
  ConsumerRecord,
  HandlerContext,
  HandlerProcessorOptions,
  InitializeInput,
  PreparedCheckpointer,
  ProcessRecordsInput,
  RecordHandler,
  RecordProcessorCheckpointer,
  ShardEndedInput,
  ShardRecordProcessor,
  ShutdownRequestedInput,
  StreamInfo,
} from './processor.js';
export { LeaseLostError } from './checkpointer.js';
export { SHARD_WORKER_DEFAULTS } from './runtime/shardWorkerOptions.js';
export { KCL_LEASE_CLEANUP_TIMINGS, LEASE_CLEANUP_DEFAULTS } from './runtime/leaseCleanup.js';
export type { LeaseCleanupTimings } from './runtime/leaseCleanup.js';
export type {
  FailedBatch,
  ProcessorErrorPolicy,
  ShardWorkerOptions,
} from './runtime/shardWorkerOptions.js';
export type {
  BatchSummary,
  ProcessorPhase,
  ShardWorkerOutcome,
  ShardWorkerState,
} from './runtime/shardWorkerEvents.js';
export type { LeaseLossReason } from './runtime/leaseCoordinator.js';
export { DynamoLeaseStore } from './adapters/dynamoLeaseStore.js';
export type { DynamoLeaseStoreOptions } from './adapters/dynamoLeaseStore.js';
export { LeaseStoreError, MalformedLeaseError } from './core/leaseErrors.js';
export { RetrievalError, isRetrievalError } from './retrievalPorts.js';
export type { RetrievalErrorKind } from './retrievalPorts.js';
export { StreamConsumerArnError } from './adapters/fanOutRegistration.js';
export type { InitialPosition } from './core/shardSync.js';
export type { ChildInitialPosition } from './core/shardGraph.js';
export type {
  CheckpointUpdate,
  ChildShard,
  ClientVersionState,
  Lease,
  LeaseHashKeyRange,
  LeaseStore,
  LeaseWriteResult,
  NewLease,
  ShardDescription,
  WorkerHeartbeat,
} from './ports.js';
