/**
 * A small, correct chaos history to break on purpose: shard P (seq 1-2, key `a`) split into C1
 * and C2; key `a` continues on C1 (seq 10). Worker w1#1 processes P and checkpoints SHARD_END,
 * then w2#1 processes C1. Every test changes one thing and expects exactly its rule to fire.
 */
import type {
  AckedRecord,
  ChaosHistory,
  CheckpointWrite,
  Delivery,
} from '../../../src/chaos/core/history.js';

export const P = 'shardId-000000000000';
export const C1 = 'shardId-000000000001';
export const C2 = 'shardId-000000000002';

export function acked(
  id: string,
  shardId: string,
  seq: string,
  putIndex: number,
  sub = 0,
): AckedRecord {
  return {
    id,
    partitionKey: id.split(':')[0]!,
    shardId,
    sequenceNumber: seq,
    subSequenceNumber: sub,
    putIndex,
  };
}

export function delivered(
  a: AckedRecord,
  instance: string,
  leaseCounter: number,
  at: number,
): Delivery {
  return {
    id: a.id,
    partitionKey: a.partitionKey,
    shardId: a.shardId,
    sequenceNumber: a.sequenceNumber,
    subSequenceNumber: a.subSequenceNumber,
    instance,
    leaseCounter,
    at,
  };
}

export function checkpoint(
  instance: string,
  shardId: string,
  leaseCounter: number,
  seq: string,
  startedAt: number,
): CheckpointWrite {
  return {
    instance,
    shardId,
    leaseCounter,
    sequenceNumber: seq,
    subSequenceNumber: 0,
    startedAt,
    at: startedAt + 1,
  };
}

export const A0 = acked('a:0', P, '1', 0);
export const A1 = acked('a:1', P, '2', 1);
export const A2 = acked('a:2', C1, '10', 2);

/** The correct history. */
export function cleanHistory(): ChaosHistory {
  return {
    acked: [A0, A1, A2],
    producerFailures: 0,
    deliveries: [
      delivered(A0, 'w1#1', 1, 10),
      delivered(A1, 'w1#1', 1, 10),
      delivered(A2, 'w2#1', 1, 30),
    ],
    checkpoints: [
      checkpoint('w1#1', P, 1, '2', 11),
      checkpoint('w1#1', P, 1, 'SHARD_END', 13),
      checkpoint('w2#1', C1, 1, '10', 31),
    ],
    takes: [
      { instance: 'w1#1', shardId: P, leaseCounter: 1, at: 0 },
      { instance: 'w2#1', shardId: C1, leaseCounter: 1, at: 20 },
    ],
    losses: [],
    leaseSamples: [
      sample(P, 'TRIM_HORIZON', 5),
      sample(P, '2', 12),
      sample(P, 'SHARD_END', 14),
      sample(C1, '10', 32),
    ],
    shards: [{ shardId: P }, { shardId: C1, parentShardId: P }, { shardId: C2, parentShardId: P }],
    workerActions: [
      { instance: 'w1#1', action: 'start', at: 0 },
      { instance: 'w2#1', action: 'start', at: 0 },
    ],
    failoverTimeMs: 5,
    producerPreservesOrder: true,
  };
}

export function sample(shardId: string, checkpoint: string, at: number) {
  return { at, shardId, owner: 'w1', leaseCounter: 1, checkpoint, checkpointSubSequenceNumber: 0 };
}
