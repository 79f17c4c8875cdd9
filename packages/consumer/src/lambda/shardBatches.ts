/**
 * The part both handler forms share: parse the event, split it by shard, deaggregate, run each
 * shard on its own and turn each shard's first failure into one `batchItemFailures` entry.
 */
import { deaggregate } from '@kinesis-kit/common';
import type { HashKeyRange } from '@kinesis-kit/common';
import type {
  Context,
  KinesisStreamBatchItemFailure,
  KinesisStreamBatchResponse,
} from 'aws-lambda';
import type { ResolvedKinesisHandlerOptions } from './options.js';
import { parseKinesisStreamEvent } from './parseEvent.js';
import type { KinesisEventRecord } from './parseEvent.js';
import type { LambdaUserRecord } from './types.js';

/** The records of one shard of an event, in event order. @internal */
export interface ShardBatch {
  readonly shardId: string;
  readonly eventSourceARN: string;
  readonly records: readonly KinesisEventRecord[];
}

/** Where a shard stopped: the Kinesis record Lambda must re-deliver from, and why. @internal */
export interface ShardFailure {
  readonly record: KinesisEventRecord;
  /** The sub-record that failed (0 for a plain record, or when a whole batch failed). */
  readonly subSequenceNumber: number;
  readonly error: unknown;
}

/** Runs one shard; resolves to its first failure, or undefined when every record succeeded. */
export type ShardRunner = (
  batch: ShardBatch,
  hashRange: HashKeyRange | undefined,
  context: Context,
) => Promise<ShardFailure | undefined>;

/**
 * Splits records by (stream, shard), keeping event order within each and the order in which
 * shards first appear. Lambda sends one shard per invocation; tests and replays may mix them.
 * @internal
 */
export function groupByShard(records: readonly KinesisEventRecord[]): ShardBatch[] {
  const groups = new Map<
    string,
    { shardId: string; eventSourceARN: string; records: KinesisEventRecord[] }
  >();
  for (const record of records) {
    // NUL cannot occur in an ARN, so the key is unambiguous.
    const key = `${record.eventSourceARN}\u0000${record.shardId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { shardId: record.shardId, eventSourceARN: record.eventSourceARN, records: [] };
      groups.set(key, group);
    }
    group.records.push(record);
  }
  return [...groups.values()];
}

/**
 * A Kinesis record's user records, with the KCL's deaggregation semantics.
 * @internal
 */
export function toUserRecords(
  record: KinesisEventRecord,
  hashRange: HashKeyRange | undefined,
): LambdaUserRecord[] {
  const { shardId, eventSourceARN, eventID, approximateArrivalTimestamp } = record;
  const users = deaggregate(record, hashRange === undefined ? {} : { hashRange });
  const out = new Array<LambdaUserRecord>(users.length);
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    // Sub-records are subarrays of the Buffer deaggregate was given, so Buffers already; rewrap
    // only if a plain Uint8Array ever comes back, so the type stays honest (still no copy).
    const data = Buffer.isBuffer(u.data)
      ? u.data
      : Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength);
    const user: Mutable<LambdaUserRecord> = {
      data,
      partitionKey: u.partitionKey,
      sequenceNumber: u.sequenceNumber,
      subSequenceNumber: u.subSequenceNumber,
      aggregated: u.aggregated,
      approximateArrivalTimestamp,
      shardId,
      eventSourceARN,
      eventID,
    };
    if (u.explicitHashKey !== undefined) user.explicitHashKey = u.explicitHashKey;
    out[i] = user;
  }
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses `event`, runs every shard through `runShard` one after the other and builds the
 * response. Without ReportBatchItemFailures it rethrows the first failure instead.
 * @internal
 */
export async function runShardBatches(
  event: unknown,
  context: Context,
  options: ResolvedKinesisHandlerOptions,
  runShard: ShardRunner,
): Promise<KinesisStreamBatchResponse> {
  const batchItemFailures: KinesisStreamBatchItemFailure[] = [];
  for (const batch of groupByShard(parseKinesisStreamEvent(event))) {
    const hashRange = await options.shardHashKeyRange?.(batch.shardId, batch.eventSourceARN);
    const failure = await runShard(batch, hashRange, context);
    if (failure === undefined) continue;
    const { record, subSequenceNumber, error } = failure;
    options.logger.error('kinesis record failed; it and the rest of its shard will be retried', {
      shardId: batch.shardId,
      eventSourceARN: batch.eventSourceARN,
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber,
      redeliveredRecords: batch.records.length - batch.records.indexOf(record),
      reported: options.reportBatchItemFailures,
      error,
    });
    // Stop at once: Lambda re-runs the whole batch after a throw, so going on is wasted work.
    if (!options.reportBatchItemFailures) throw error;
    batchItemFailures.push({ itemIdentifier: record.sequenceNumber });
  }
  return { batchItemFailures };
}
