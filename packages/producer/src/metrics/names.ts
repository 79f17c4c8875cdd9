/**
 * The producer's metric names: the KPL's names (kpl metrics.md) so dashboards and alarms built for
 * the KPL keep working, with the KPL's level (summary or detailed) per metric.
 */

/** Which metrics are emitted, as the KPL's MetricsLevel. @public */
export type MetricsLevel = 'none' | 'summary' | 'detailed';

/** How many dimensions metrics carry, as the KPL's MetricsGranularity. @public */
export type MetricsGranularity = 'global' | 'stream' | 'shard';

/** @public */
export const PRODUCER_METRICS = {
  UserRecordsReceived: 'UserRecordsReceived',
  UserRecordsPending: 'UserRecordsPending',
  UserRecordsPut: 'UserRecordsPut',
  UserRecordsDataPut: 'UserRecordsDataPut',
  KinesisRecordsPut: 'KinesisRecordsPut',
  KinesisRecordsDataPut: 'KinesisRecordsDataPut',
  ErrorsByCode: 'ErrorsByCode',
  AllErrors: 'AllErrors',
  RetriesPerRecord: 'RetriesPerRecord',
  UserRecordExpired: 'UserRecordExpired',
  BufferingTime: 'BufferingTime',
  RequestTime: 'RequestTime',
  UserRecordsPerKinesisRecord: 'UserRecordsPerKinesisRecord',
  KinesisRecordsPerPutRecordsRequest: 'KinesisRecordsPerPutRecordsRequest',
  UserRecordsPerPutRecordsRequest: 'UserRecordsPerPutRecordsRequest',
} as const;

/** @public */
export type ProducerMetricName = keyof typeof PRODUCER_METRICS;

/** The KPL's level of each metric: summary metrics are also emitted at level 'summary'. */
export const SUMMARY_METRICS: ReadonlySet<ProducerMetricName> = new Set<ProducerMetricName>([
  'UserRecordsPut',
  'KinesisRecordsPut',
  'ErrorsByCode',
  'AllErrors',
  'UserRecordExpired',
  'BufferingTime',
]);
