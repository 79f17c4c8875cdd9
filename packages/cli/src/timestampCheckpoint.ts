/**
 * The checkpoint that makes a worker resume at the first record written at or after a time. A
 * checkpoint is the last record processed and the table cannot store a time, so this is the last
 * record *before* the time (with its last sub-record when it is a KPL aggregate), or TRIM_HORIZON
 * when there is none. Kinesis only reads forward, so windows reaching further back (×4 each time)
 * are read until one holds a record before the time.
 */
import type { KinesisClient, _Record } from '@aws-sdk/client-kinesis';
import { ExtendedSequenceNumber, deaggregate } from '@kinesis-kit/common';
import { getRecords, shardIterator } from './kinesisShards.js';

const FIRST_WINDOW_MS = 1000;
/** Longer than the longest retention (365 days). */
const LAST_WINDOW_MS = 400 * 86_400_000;
const MAX_PAGES_PER_WINDOW = 1000;

/** The checkpoint just before `time` in one shard. */
export async function checkpointBefore(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  time: Date,
  signal?: AbortSignal,
): Promise<ExtendedSequenceNumber> {
  const t = time.getTime();
  for (let window = FIRST_WINDOW_MS; window <= LAST_WINDOW_MS * 4; window *= 4) {
    const from = new Date(t - Math.min(window, LAST_WINDOW_MS));
    let iterator = await shardIterator(
      kinesis,
      streamName,
      shardId,
      { type: 'AT_TIMESTAMP', timestamp: from },
      signal,
    );
    let last: _Record | undefined;
    let reachedTime = false;
    for (let page = 0; iterator !== undefined && page < MAX_PAGES_PER_WINDOW; page++) {
      const out = await getRecords(kinesis, iterator, 10_000, signal);
      for (const r of out.Records ?? []) {
        if ((r.ApproximateArrivalTimestamp?.getTime() ?? 0) >= t) {
          reachedTime = true;
          break;
        }
        last = r;
      }
      if (reachedTime) break;
      if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
      iterator = out.NextShardIterator;
    }
    if (last !== undefined) return afterRecord(last);
    if (window >= LAST_WINDOW_MS) break;
  }
  return ExtendedSequenceNumber.TRIM_HORIZON;
}

/** The checkpoint of a whole Kinesis record: its last sub-record when it is an aggregate. */
function afterRecord(r: _Record): ExtendedSequenceNumber {
  const users = deaggregate({
    data: r.Data ?? new Uint8Array(),
    partitionKey: r.PartitionKey ?? '',
    sequenceNumber: r.SequenceNumber!,
  });
  const lastSub = users.length > 0 && users[0]!.aggregated ? users.length - 1 : 0;
  return ExtendedSequenceNumber.of(r.SequenceNumber!, lastSub);
}
