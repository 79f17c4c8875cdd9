/**
 * Reads a stream back through the harness and deaggregates it, with our deaggregator (optionally
 * with the KCL's hash-range filter) and with aws-kinesis-agg, for the exactly-once checks.
 */
import { ShardMap, deaggregate } from '@kinesis-kit/common';
import { listAllShards, readAllRecords } from '@kinesis-kit/integration';
import type { ReadRecord } from '@kinesis-kit/integration';
import { awsKinesisAgg } from '../../bench/awsKinesisAgg.js';

export interface StoredUserRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  readonly partitionKey: string;
  readonly text: string;
}

/** Reads until `kinesisRecords` Kinesis records are found (or the timeout). */
export async function readStream(
  streamName: string,
  kinesisRecords: number,
): Promise<ReadRecord[]> {
  return readAllRecords(streamName, { untilCount: kinesisRecords, timeoutMs: 60_000 });
}

/** Deaggregates with ours; `kcl` drops aggregates outside the shard's range, as the KCL does. */
export async function deaggregateOurs(
  streamName: string,
  records: readonly ReadRecord[],
  kcl: boolean,
): Promise<StoredUserRecord[]> {
  const map = new ShardMap(await listAllShards(streamName));
  const out: StoredUserRecord[] = [];
  for (const r of records) {
    const range = map.get(r.shardId)!.hashKeyRange;
    for (const u of deaggregate(r, kcl ? { hashRange: range } : {})) {
      out.push({
        shardId: r.shardId,
        sequenceNumber: u.sequenceNumber,
        subSequenceNumber: u.subSequenceNumber,
        partitionKey: u.partitionKey,
        text: Buffer.from(u.data).toString('utf8'),
      });
    }
  }
  return out;
}

/** Deaggregates with aws-kinesis-agg (checksums on). */
export function deaggregateAwsKinesisAgg(records: readonly ReadRecord[]): StoredUserRecord[] {
  const out: StoredUserRecord[] = [];
  for (const r of records) {
    awsKinesisAgg.deaggregateSync(
      {
        data: Buffer.from(r.data).toString('base64'),
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
      },
      true,
      (err, users) => {
        if (err) throw err;
        for (const u of users ?? []) {
          out.push({
            shardId: r.shardId,
            sequenceNumber: r.sequenceNumber,
            subSequenceNumber: u.subSequenceNumber ?? 0,
            partitionKey: u.partitionKey,
            text: Buffer.from(u.data, 'base64').toString('utf8'),
          });
        }
      },
    );
  }
  return out;
}
