/**
 * SDK → domain translation of records and child shards, shared by the polling (GetRecords) and
 * fan-out (SubscribeToShard) adapters, which receive the same shapes.
 */
import type { ChildShard as SdkChildShard, _Record } from '@aws-sdk/client-kinesis';
import type { ChildShard } from '../ports.js';
import type { RawRecord } from '../retrievalPorts.js';

/** @internal */
export function toRawRecord(r: _Record): RawRecord {
  return {
    sequenceNumber: r.SequenceNumber ?? '',
    partitionKey: r.PartitionKey ?? '',
    data: r.Data ?? new Uint8Array(0),
    // Always set by the service; the epoch stands in for a missing value rather than a throw.
    approximateArrivalTimestamp: r.ApproximateArrivalTimestamp ?? new Date(0),
  };
}

/** @internal */
export function toChildShard(c: SdkChildShard): ChildShard {
  return {
    shardId: c.ShardId ?? '',
    parentShards: c.ParentShards ?? [],
    hashKeyRange: {
      startingHashKey: c.HashKeyRange?.StartingHashKey ?? '0',
      endingHashKey: c.HashKeyRange?.EndingHashKey ?? '0',
    },
  };
}
