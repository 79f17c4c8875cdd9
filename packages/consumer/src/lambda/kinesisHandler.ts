/**
 * The per-record Lambda handler: the user's function sees one user record at a time, and the
 * first failure in a shard stops that shard and is reported as a batch item failure.
 */
import { resolveKinesisHandlerOptions } from './options.js';
import type { KinesisHandlerOptions } from './options.js';
import { runShardBatches, toUserRecords } from './shardBatches.js';
import type { ShardFailure, ShardRunner } from './shardBatches.js';
import type { KinesisLambdaHandler, KinesisRecordFunction } from './types.js';

/**
 * Builds a Lambda handler for a Kinesis event source mapping. Every Kinesis record is decoded
 * and deaggregated as the KCL does (sub-sequence numbers; a corrupted aggregate is passed through
 * raw); `fn` is awaited for each user record in order within a shard. When `fn` throws, the
 * later records of that shard are not run and the response names the failed Kinesis record, so
 * Lambda re-delivers from it: when the failure is inside an aggregate, the aggregate's earlier
 * sub-records run again. A malformed event throws a ValidationError before `fn` runs at all.
 * @public
 * @example
 * ```ts
 * import { kinesisHandler } from '@kinesis-kit/consumer/lambda';
 *
 * export const handler = kinesisHandler(async (record) => {
 *   const order = JSON.parse(record.data.toString('utf8')) as Order;
 *   await saveOrder(order, record.sequenceNumber, record.subSequenceNumber);
 * });
 * ```
 */
export function kinesisHandler(
  fn: KinesisRecordFunction,
  options: KinesisHandlerOptions = {},
): KinesisLambdaHandler {
  const resolved = resolveKinesisHandlerOptions(options);
  const runShard: ShardRunner = async (batch, hashRange, context) => {
    for (const record of batch.records) {
      for (const user of toUserRecords(record, hashRange)) {
        try {
          await fn(user, context);
        } catch (error) {
          const failure: ShardFailure = {
            record,
            subSequenceNumber: user.subSequenceNumber,
            error,
          };
          return failure;
        }
      }
    }
    return undefined;
  };
  return (event, context) => runShardBatches(event, context, resolved, runShard);
}
