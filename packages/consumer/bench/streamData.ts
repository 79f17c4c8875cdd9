/**
 * Fills a stream for the throughput benchmark: `count` user records of 100 bytes, either as KPL
 * aggregates (each built per shard, so every sub-record hashes into the shard its aggregate goes
 * to, as the KPL does) or as plain records. Written with a few PutRecords calls in parallel.
 */
import { randomBytes } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry, Shard } from '@aws-sdk/client-kinesis';
import { RecordAggregator, partitionKeyToHashKey } from '@kinesis-kit/common';
import type { HashKeyRange } from '@kinesis-kit/common';

export const RECORD_BYTES = 100;
const PARALLEL_PUTS = 4;
/** PutRecords limits: 500 entries and 5 MiB per call (aggregates are up to 51 200 bytes). */
const MAX_ENTRIES = 500;
const MAX_CALL_BYTES = 4_500_000;

export function shardRange(shard: Shard): HashKeyRange {
  return {
    start: BigInt(shard.HashKeyRange!.StartingHashKey!),
    end: BigInt(shard.HashKeyRange!.EndingHashKey!),
  };
}

function randomKey(): string {
  return randomBytes(9).toString('base64url');
}

function aggregatedEntries(count: number, shards: readonly Shard[]): PutRecordsRequestEntry[] {
  const ranges = shards.map(shardRange);
  const aggregators = shards.map(() => new RecordAggregator());
  const entries: PutRecordsRequestEntry[] = [];
  const flush = (agg: RecordAggregator): void => {
    if (agg.count === 0) return;
    const r = agg.toKinesisRecord();
    entries.push({
      PartitionKey: r.partitionKey,
      ExplicitHashKey: r.explicitHashKey,
      Data: r.data,
    });
    agg.reset();
  };
  const payload = randomBytes(RECORD_BYTES * 64);
  for (let i = 0; i < count; i++) {
    const partitionKey = randomKey();
    const hash = partitionKeyToHashKey(partitionKey);
    const index = ranges.findIndex((r) => hash >= r.start && hash <= r.end);
    const agg = aggregators[index]!;
    const offset = (i % 64) * RECORD_BYTES;
    const record = { partitionKey, data: payload.subarray(offset, offset + RECORD_BYTES) };
    if (!agg.add(record)) {
      flush(agg);
      agg.add(record);
    }
  }
  for (const agg of aggregators) flush(agg);
  return entries;
}

function plainEntries(count: number): PutRecordsRequestEntry[] {
  const payload = randomBytes(RECORD_BYTES * 64);
  return Array.from({ length: count }, (_, i) => ({
    PartitionKey: randomKey(),
    Data: payload.subarray((i % 64) * RECORD_BYTES, ((i % 64) + 1) * RECORD_BYTES),
  }));
}

function calls(entries: readonly PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const out: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = e.Data!.length + e.PartitionKey!.length;
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_CALL_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function put(
  kinesis: KinesisClient,
  streamName: string,
  batch: PutRecordsRequestEntry[],
): Promise<void> {
  let pending = batch;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error('PutRecords kept failing');
    const out = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: pending }),
    );
    const results = out.Records ?? [];
    pending = pending.filter((_, i) => results[i]?.ErrorCode !== undefined);
  }
}

/** Writes the records; resolves with the number of Kinesis records (aggregates or plain). */
export async function fillStream(
  kinesis: KinesisClient,
  streamName: string,
  shards: readonly Shard[],
  count: number,
  aggregated: boolean,
): Promise<number> {
  const entries = aggregated ? aggregatedEntries(count, shards) : plainEntries(count);
  const queue = calls(entries);
  await Promise.all(
    Array.from({ length: PARALLEL_PUTS }, async () => {
      for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
        await put(kinesis, streamName, batch);
      }
    }),
  );
  return entries.length;
}
