/**
 * The shapes a Lambda Kinesis handler deals in: the user record handed to the user's function
 * (one sub-record of a KPL aggregate, or a whole plain record) and the two function forms.
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';

/**
 * One user record of a Lambda Kinesis event: a sub-record of a KPL aggregate, or a whole record
 * that is not an aggregate (including a corrupted one, passed through raw as the KCL does).
 * @public
 */
export interface LambdaUserRecord {
  /** The user's bytes: a view into the decoded event data (no copy). */
  readonly data: Buffer;
  readonly partitionKey: string;
  /**
   * The explicit hash key from the aggregate's table, when the producer supplied one. Lambda does
   * not deliver a plain record's explicit hash key, so it is absent for non-aggregated records.
   */
  readonly explicitHashKey?: string;
  /** The Kinesis record's sequence number (shared by every sub-record of an aggregate). */
  readonly sequenceNumber: string;
  /** Position in the aggregate from 0, as the KCL numbers it; 0 for a plain record. */
  readonly subSequenceNumber: number;
  /** True for a sub-record of an aggregate. */
  readonly aggregated: boolean;
  /** When Kinesis accepted the (outer) record, from the event's epoch seconds. */
  readonly approximateArrivalTimestamp: Date;
  /** The shard the record was read from, e.g. `shardId-000000000000` (from the `eventID`). */
  readonly shardId: string;
  /** The stream's ARN (or, for an enhanced fan-out mapping, the consumer's ARN). */
  readonly eventSourceARN: string;
  /** Lambda's `eventID` of the Kinesis record: `<shardId>:<sequenceNumber>`. */
  readonly eventID: string;
}

/**
 * Called once per user record, in order within a shard. A throw (or rejection) fails the record:
 * the rest of its shard is not run and the Kinesis record is reported for re-delivery.
 * @public
 */
export type KinesisRecordFunction = (record: LambdaUserRecord, context: Context) => unknown;

/**
 * What a batch function may return to fail part of its batch: the first user record it did not
 * process. The records before it count as done.
 * @public
 */
export interface KinesisBatchResult {
  /** One of the records passed in; `undefined` means every record succeeded. */
  readonly failedRecord?: LambdaUserRecord | undefined;
}

/**
 * Called once per shard of the event with all its user records, in order. Throwing fails the
 * whole shard batch; returning `{ failedRecord }` fails from that record on.
 * @public
 */
export type KinesisBatchFunction = (
  records: readonly LambdaUserRecord[],
  context: Context,
  // `void` so that a plain `async (records) => { ... }` (Promise<void>) needs no return statement.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
) => KinesisBatchResult | void | Promise<KinesisBatchResult | void>;

/**
 * The Lambda handler the factories return; assignable to `KinesisStreamHandler` from
 * `@types/aws-lambda`.
 * @public
 */
export type KinesisLambdaHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;
