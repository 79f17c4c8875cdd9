/**
 * KCL `.properties` keys (peers-and-emulators.md §1.7, kcl.md §3.4) that kinesis-kit reads but
 * does not use, each with the reason printed as a note. Keys in neither this table nor the
 * mapped ones are unknown: ignored with a warning, since a typo there silently changes nothing in
 * the Java daemon either (commons-beanutils skips keys without a setter).
 */

const FAN_OUT = "fan-out registration uses kinesis-kit's own retries and backoff";
const KCL3 =
  'kinesis-kit workers take leases themselves (the KCL 2.x protocol); KCL 3.x leader-based ' +
  'assignment, worker metrics and graceful handoff are not implemented';
const METRICS = 'the daemon publishes no CloudWatch metrics';
const NOT_NEEDED = 'not needed by kinesis-kit';

/** Key → why it is ignored. @internal */
export const IGNORED_KEYS: ReadonlyMap<string, string> = new Map([
  ['processingLanguage', 'only a user-agent suffix in the Java daemon'],
  ['metricsLevel', METRICS],
  ['metricsBufferTimeMillis', METRICS],
  ['metricsMaxQueueSize', METRICS],
  ['metricsEnabledDimensions', METRICS],
  ['maxActiveThreads', 'Node runs one child process per shard without a thread pool'],
  ['cleanupLeasesUponShardCompletion', 'finished parent leases are always cleaned up'],
  ['validateSequenceNumberBeforeCheckpointing', 'checkpoints are always validated locally'],
  ['taskBackoffTimeMillis', 'processor retries use their own backoff'],
  ['logWarningForTaskAfterMillis', NOT_NEEDED],
  ['listShardsBackoffTimeInMillis', 'the AWS SDK retries ListShards'],
  ['maxListShardsRetryAttempts', 'the AWS SDK retries ListShards'],
  ['ignoreUnexpectedChildShards', NOT_NEEDED],
  ['enablePriorityLeaseAssignment', 'always on'],
  ['leaseTableDeletionProtectionEnabled', 'the lease table is created with the defaults'],
  ['leaseTablePitrEnabled', 'the lease table is created with the defaults'],
  ['initialLeaseTableReadCapacity', 'the lease table is created PAY_PER_REQUEST'],
  ['initialLeaseTableWriteCapacity', 'the lease table is created PAY_PER_REQUEST'],
  ['billingMode', 'the lease table is created PAY_PER_REQUEST'],
  ['leaseTableScanTotalSegments', NOT_NEEDED],
  ['maxLeaseRenewalThreads', NOT_NEEDED],
  ['shardPrioritization', 'children always wait for their parents'],
  ['skipShardSyncAtWorkerInitializationIfLeasesExist', NOT_NEEDED],
  ['schedulerInitializationBackoffTimeMillis', NOT_NEEDED],
  ['retryGetRecordsInSeconds', NOT_NEEDED],
  ['maxGetRecordsThreadPool', NOT_NEEDED],
  ['millisBehindLatestThresholdForReducedTps', NOT_NEEDED],
  ['maxDescribeStreamSummaryRetries', FAN_OUT],
  ['maxDescribeStreamConsumerRetries', FAN_OUT],
  ['registerStreamConsumerRetries', FAN_OUT],
  ['retryBackoffMillis', FAN_OUT],
  ['clientVersionConfig', KCL3],
  ['gracefulLeaseHandoffTimeoutMillis', KCL3],
  ['isGracefulLeaseHandoffEnabled', KCL3],
  ['leaseAssignmentIntervalMillis', KCL3],
  ['inMemoryWorkerMetricsCaptureFrequencyMillis', KCL3],
  ['workerMetricsReporterFreqInMillis', KCL3],
  ['noOfPersistedMetricsPerWorkerMetrics', KCL3],
  ['disableWorkerMetrics', KCL3],
  ['maxThroughputPerHostKBps', KCL3],
  ['dampeningPercentage', KCL3],
  ['reBalanceThresholdPercentage', KCL3],
  ['allowThroughputOvershoot', KCL3],
  ['varianceBalancingFrequency', KCL3],
  ['workerMetricsEMAAlpha', KCL3],
  ['staleWorkerMetricsEntryCleanupDuration', KCL3],
  ['migrateAllEntitiesToLeaseTable', KCL3],
  ['tableMigrationCompleteBakeTimeSeconds', KCL3],
]);

/** Prefixes of KCL 3.x table settings (`coordinatorStateBillingMode`, `workerMetricsTableName`, …). */
const IGNORED_PREFIXES: readonly (readonly [string, string])[] = [
  ['coordinatorState', KCL3],
  ['workerMetrics', KCL3],
];

/** Why `key` is ignored, or undefined when it is unknown. @internal */
export function ignoredReason(key: string): string | undefined {
  const exact = IGNORED_KEYS.get(key);
  if (exact !== undefined) return exact;
  return IGNORED_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}
