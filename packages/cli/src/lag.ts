/**
 * How far behind a lease's checkpoint is, measured on the stream: the age of the oldest record
 * after the checkpoint (GetRecords of one record from there), 0 when there is none. This works the
 * same on AWS and on emulators, whose MillisBehindLatest differs (kinesis-local: 0 at the tip, but
 * measured between returned records otherwise). A checkpoint inside an aggregate counts as past it.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Lease } from '@kinesis-kit/consumer';
import { formatDuration } from './core/table.js';
import { describeError } from './errors.js';
import { getRecords, shardIterator } from './kinesisShards.js';

/** The lag of one lease, as shown and as a number (ms) for --json. */
export interface LagInfo {
  readonly text: string;
  readonly ms: number | undefined;
}

/** The stream a lease belongs to: its multi-stream identifier's name, else `fallback`. */
export function leaseStream(lease: Lease, fallback: string | undefined): string | undefined {
  const id = lease.streamIdentifier;
  if (id !== undefined) {
    const parts = id.split(':');
    if (parts.length === 3 && parts[1] !== undefined && parts[1] !== '') return parts[1];
  }
  return fallback;
}

/** Measures the lag of `lease`; never throws (a failure is shown in the cell). */
export async function measureLag(
  kinesis: KinesisClient,
  streamName: string | undefined,
  lease: Lease,
  now: number,
  where: string,
): Promise<LagInfo> {
  const cp = lease.checkpoint.sequenceNumber;
  if (cp === 'SHARD_END') return { text: 'ended', ms: 0 };
  if (cp === 'LATEST') return { text: 'at LATEST', ms: undefined };
  if (cp === 'AT_TIMESTAMP') return { text: '-', ms: undefined };
  if (streamName === undefined) return { text: '(--stream)', ms: undefined };
  try {
    const iterator = await shardIterator(
      kinesis,
      streamName,
      lease.shardId,
      cp === 'TRIM_HORIZON'
        ? { type: 'TRIM_HORIZON' }
        : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: cp },
    );
    if (iterator === undefined) return { text: '0', ms: 0 };
    const out = await getRecords(kinesis, iterator, 1);
    const first = out.Records?.[0];
    if (first?.ApproximateArrivalTimestamp !== undefined) {
      const ms = Math.max(0, now - first.ApproximateArrivalTimestamp.getTime());
      return { text: formatDuration(ms), ms };
    }
    const behind = out.MillisBehindLatest ?? 0;
    return behind > 0 ? { text: formatDuration(behind), ms: behind } : { text: '0', ms: 0 };
  } catch (error) {
    return { text: `? ${describeError(error, { where }).slice(0, 40)}`, ms: undefined };
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
