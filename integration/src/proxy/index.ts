/**
 * The shard-limit and fault proxy: put it between AWS SDK clients and kinesis-local (or DynamoDB
 * Local) to get the service's per-shard limits and injected faults. See README.md beside this file.
 * @packageDocumentation
 */
export { startProxy } from './server.js';
export type { ProxyServer, StartProxyOptions } from './server.js';
export { startProxyProcess } from './process.js';
export type { ProxyProcess, StartProxyProcessOptions } from './process.js';
export { CONTROL_PREFIX } from './control.js';
export type { ProxyKind } from './faultResponses.js';
export { emptyShardStats } from './stats.js';
export type { ProxyStats, ShardStats } from './stats.js';
export { seededRandom } from './random.js';
export { DEFAULT_PROXY_LIMITS, ShardLimitModel, resolveProxyLimits } from './core/shardLimits.js';
export type { ProxyLimits, ThrottleReason } from './core/shardLimits.js';
export { TokenBucket } from './core/tokenBucket.js';
export type { TokenBucketSpec } from './core/tokenBucket.js';
export { FaultEngine, validateFaultRules } from './core/faultRules.js';
export type {
  Fault,
  FaultContext,
  FaultKind,
  FaultRule,
  FiredFault,
  RequestFaults,
} from './core/faultRules.js';
export { rateExceededMessage } from './core/putRecordsPlan.js';
