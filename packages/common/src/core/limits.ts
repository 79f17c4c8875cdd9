/**
 * Kinesis Data Streams service limits and the KPL's aggregation defaults, in one place so that
 * producer budgets, consumer batch sizes and validation all agree. Sizes are bytes, rates per
 * second per shard. Each constant links the AWS page that documents it.
 */

/**
 * Largest record (data plus partition key, UTF-8) the service accepts by default: 1 MiB.
 * A stream can raise it up to 10 MiB with UpdateMaxRecordSize.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
 * @public
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Largest record size a stream can be configured for (MaxRecordSizeInKiB 10240).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
 * @public
 */
export const MAX_CONFIGURABLE_RECORD_BYTES = 10 * 1024 * 1024;

/**
 * Most entries in one PutRecords request.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @public
 */
export const PUT_RECORDS_MAX_ENTRIES = 500;

/**
 * Most bytes (data plus partition keys) in one PutRecords request: 5 MiB.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 * @public
 */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/**
 * Write throughput of one shard: 1 MiB/s (data plus partition keys).
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * @public
 */
export const SHARD_WRITE_BYTES_PER_SECOND = 1024 * 1024;

/**
 * Write rate of one shard: 1000 records/s (an aggregate counts as one record).
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * @public
 */
export const SHARD_WRITE_RECORDS_PER_SECOND = 1000;

/**
 * Shared-throughput read rate of one shard: 2 MiB/s across all consumers.
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * @public
 */
export const SHARD_READ_BYTES_PER_SECOND = 2 * 1024 * 1024;

/**
 * GetRecords calls per shard per second (shared throughput).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 * @public
 */
export const SHARD_GET_RECORDS_CALLS_PER_SECOND = 5;

/**
 * Most records one GetRecords call returns (its Limit).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 * @public
 */
export const GET_RECORDS_MAX_RECORDS = 10000;

/**
 * Most data one GetRecords call returns: 10 MiB.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 * @public
 */
export const GET_RECORDS_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Longest partition key, in Unicode characters as Java counts them (UTF-16 code units).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecordsRequestEntry.html
 * @public
 */
export const MAX_PARTITION_KEY_LENGTH = 256;

/**
 * The KPL's default AggregationMaxSize: an aggregate (magic, protobuf and MD5) never exceeds
 * 51200 bytes. The KPL accepts 64..10485760.
 * https://github.com/awslabs/amazon-kinesis-producer/blob/master/java/amazon-kinesis-producer-sample/default_config.properties
 * @public
 */
export const DEFAULT_AGGREGATION_MAX_BYTES = 51200;

/**
 * The KPL's default AggregationMaxCount (user records per aggregate): effectively unlimited.
 * https://github.com/awslabs/amazon-kinesis-producer/blob/master/java/amazon-kinesis-producer-sample/default_config.properties
 * @public
 */
export const DEFAULT_AGGREGATION_MAX_COUNT = 4294967295;

/**
 * The KPL's default MaxUserRecordSize (data only; the partition key is not counted).
 * https://github.com/awslabs/amazon-kinesis-producer/blob/master/README.md
 * @public
 */
export const DEFAULT_MAX_USER_RECORD_BYTES = 1024 * 1024;
