/**
 * The batch Lambda handler: the user's function gets all user records of a shard at once and
 * may fail part of them by returning the first record it did not process.
 */
import { ValidationError } from '@kinesis-kit/common';
import { resolveKinesisHandlerOptions } from './options.js';
import type { KinesisHandlerOptions } from './options.js';
import { runShardBatches, toUserRecords } from './shardBatches.js';
import type { ShardRunner } from './shardBatches.js';
import type { KinesisBatchFunction, KinesisLambdaHandler, LambdaUserRecord } from './types.js';

/**
 * Builds a Lambda handler that calls `fn` once per shard of the event with all of that shard's
 * user records in order (deaggregated as in {@link kinesisHandler}). If `fn` throws, the whole
 * shard batch is reported failed (Lambda re-delivers all of it). If it returns
 * `{ failedRecord }`, the records before it count as done and Lambda re-delivers from the Kinesis
 * record holding it (so from the start of its aggregate). `fn` is not called for a shard whose
 * records were all dropped by the `shardHashKeyRange` filter.
 * @public
 * @example
 * ```ts
 * import { kinesisBatchHandler } from '@kinesis-kit/consumer/lambda';
 *
 * export const handler = kinesisBatchHandler(async (records) => {
 *   for (const [i, r] of records.entries()) {
 *     if (!(await tryIndex(r.data))) return { failedRecord: records[i] };
 *   }
 * });
 * ```
 */
export function kinesisBatchHandler(
  fn: KinesisBatchFunction,
  options: KinesisHandlerOptions = {},
): KinesisLambdaHandler {
  const resolved = resolveKinesisHandlerOptions(options);
  const runShard: ShardRunner = async (batch, hashRange, context) => {
    const users = batch.records.flatMap((record) => toUserRecords(record, hashRange));
    if (users.length === 0) return undefined;
    let failedRecord: LambdaUserRecord | undefined;
    try {
      failedRecord = (await fn(users, context))?.failedRecord;
    } catch (error) {
      return { record: batch.records[0]!, subSequenceNumber: 0, error };
    }
    if (failedRecord === undefined) return undefined;
    const record = batch.records.find((r) => r.sequenceNumber === failedRecord.sequenceNumber);
    if (record === undefined || !users.some((u) => isSameRecord(u, failedRecord))) {
      // A made-up identifier would make Lambda fail and retry the whole batch anyway; say why.
      throw new ValidationError(
        'failedRecord',
        'is not one of the records passed to the batch function',
        { shardId: batch.shardId, sequenceNumber: failedRecord.sequenceNumber },
      );
    }
    const error = new Error(
      `batch function reported record ${failedRecord.sequenceNumber}/${failedRecord.subSequenceNumber} failed`,
    );
    return { record, subSequenceNumber: failedRecord.subSequenceNumber, error };
  };
  return (event, context) => runShardBatches(event, context, resolved, runShard);
}

function isSameRecord(a: LambdaUserRecord, b: LambdaUserRecord): boolean {
  return (
    a === b ||
    (a.sequenceNumber === b.sequenceNumber &&
      a.subSequenceNumber === b.subSequenceNumber &&
      a.shardId === b.shardId)
  );
}
