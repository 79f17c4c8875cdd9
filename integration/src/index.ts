/**
 * `@kinesis-kit/integration`: the emulator harness (and, later, the shard-limit and fault proxy)
 * shared by every package's integration tests, the benchmarks and the demo.
 * @packageDocumentation
 */
export { startEmulators } from './harness/emulators.js';
export type { Emulators, StartEmulatorsOptions } from './harness/emulators.js';
export { startKinesisLocal } from './harness/kinesisLocal.js';
export type { KinesisLocalOptions } from './harness/kinesisLocal.js';
export { startDynamoDB } from './harness/dynamoDB.js';
export type { DynamoDBEngineChoice, DynamoDBOptions } from './harness/dynamoDB.js';
export type {
  DynamoDBEmulator,
  DynamoDBEngine,
  EmulatorHandle,
  KinesisEmulator,
  KinesisEngine,
} from './harness/types.js';
export {
  DYNAMODB_ENDPOINT_VAR,
  DYNAMODB_ENGINE_VAR,
  EMULATORS_VAR,
  KINESIS_ENDPOINT_VAR,
} from './harness/env.js';
export {
  TEST_CREDENTIALS,
  TEST_REGION,
  createDynamoDBClient,
  createKinesisClient,
  destroySharedClients,
  testClientConfig,
} from './harness/clients.js';
export type { TestClientConfig, TestService } from './harness/clients.js';
export { createLeaseTableName, uniqueName } from './harness/names.js';
export { deleteTable } from './harness/tables.js';
export { compareHashKeys, midpointHashKey } from './harness/hashKeys.js';
export {
  createTestStream,
  deleteStream,
  listAllShards,
  mergeShardsAndWait,
  splitShardAndWait,
  waitForStreamActive,
} from './harness/streams.js';
export type { StreamHelperOptions, TestStream } from './harness/streams.js';
export { readAllRecords } from './harness/records.js';
export type { ReadAllRecordsOptions, ReadRecord } from './harness/records.js';
export {
  CONTROL_PREFIX,
  DEFAULT_PROXY_LIMITS,
  FaultEngine,
  ShardLimitModel,
  TokenBucket,
  emptyShardStats,
  rateExceededMessage,
  resolveProxyLimits,
  seededRandom,
  startProxy,
  startProxyProcess,
  validateFaultRules,
} from './proxy/index.js';
export type {
  Fault,
  FaultContext,
  FaultKind,
  FaultRule,
  FiredFault,
  ProxyKind,
  ProxyLimits,
  ProxyProcess,
  ProxyServer,
  ProxyStats,
  RequestFaults,
  ShardStats,
  StartProxyOptions,
  StartProxyProcessOptions,
  ThrottleReason,
  TokenBucketSpec,
} from './proxy/index.js';
export { runChaos } from './chaos/runChaos.js';
export type { ChaosOptions, ChaosResult } from './chaos/runChaos.js';
export { formatRunSummary } from './chaos/summary.js';
export { checkHistory, formatChaosReport } from './chaos/core/checkHistory.js';
export type { ChaosReport } from './chaos/core/checkHistory.js';
export type {
  AckedRecord,
  ChaosHistory,
  CheckpointWrite,
  Delivery,
  LeaseLoss,
  LeaseSample,
  LeaseTake,
  ShardInfo,
  WorkerAction,
} from './chaos/core/history.js';
export type { DeliveryFigures } from './chaos/core/deliveryChecks.js';
export type { LeaseFigures, PauseFigures } from './chaos/core/leaseChecks.js';
export { CHAOS_RULES } from './chaos/core/violations.js';
export type { ChaosRule, RuleViolations } from './chaos/core/violations.js';
export { planSchedule } from './chaos/core/schedule.js';
export type { ChaosEpisode, ScheduleOptions, ScheduledEpisode } from './chaos/core/schedule.js';
