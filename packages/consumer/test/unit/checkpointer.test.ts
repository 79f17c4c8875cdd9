import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { MemoryMetricsSink } from '@kinesis-kit/common/testing';
import { ShardCheckpointer } from '../../src/checkpointer.js';
import type { LeaseLostError } from '../../src/checkpointer.js';
import type { ConsumerRecord } from '../../src/processor.js';
import { heldLease } from '../fakes/heldLease.js';

const SHARD = 'shardId-000000000000';
const SEQ = (n: number): string => `4959${String(n).padStart(52, '0')}`;
const esn = (n: number, sub = 0): ExtendedSequenceNumber => ExtendedSequenceNumber.of(SEQ(n), sub);

function record(n: number, sub = 0): ConsumerRecord {
  return {
    data: new Uint8Array([n]),
    partitionKey: 'pk',
    explicitHashKey: undefined,
    sequenceNumber: SEQ(n),
    subSequenceNumber: sub,
    approximateArrivalTimestamp: new Date(0),
    aggregated: sub > 0,
  };
}

async function setup(checkpoint = ExtendedSequenceNumber.TRIM_HORIZON) {
  const held = await heldLease(SHARD, checkpoint);
  const lost: LeaseLostError[] = [];
  const metrics = new MemoryMetricsSink();
  const checkpointer = new ShardCheckpointer({
    shardId: SHARD,
    target: held.target,
    checkpoint,
    metrics,
    onLeaseLost: (e) => lost.push(e),
  });
  return { held, checkpointer, lost, metrics };
}

describe('ShardCheckpointer', () => {
  it('checkpoint() writes the last record delivered and bumps the lease counter', async () => {
    const { held, checkpointer, metrics } = await setup();
    checkpointer.setLargestPermitted(esn(7, 2));

    await checkpointer.checkpoint();

    const stored = await held.read();
    expect(stored.checkpoint.equals(esn(7, 2))).toBe(true);
    expect(stored.leaseCounter).toBe(held.lease.leaseCounter + 1);
    expect(checkpointer.lastCheckpoint.equals(esn(7, 2))).toBe(true);
    expect(metrics.sum('UpdateLease.Success')).toBe(1);
  });

  it.each([
    ['a record, with its sub-sequence number', [record(5, 3)], esn(5, 3)],
    ['a sequence number', [SEQ(4)], esn(4)],
    ['a sequence and sub-sequence number', [SEQ(5), 1], esn(5, 1)],
  ] as const)('checkpoint(%s)', async (_name, args, expected) => {
    const { held, checkpointer } = await setup();
    checkpointer.setLargestPermitted(esn(6));

    await (checkpointer.checkpoint as (...a: unknown[]) => Promise<void>)(...args);

    expect((await held.read()).checkpoint.equals(expected)).toBe(true);
  });

  it.each([
    ['beyond the last record delivered', [SEQ(9)]],
    ['before the last checkpoint', [SEQ(2)]],
    ['a sub-record before the checkpoint', [SEQ(3), 0]],
    ['not a sequence number', ['banana']],
    ['a negative sub-sequence number', [SEQ(4), -1]],
    ['not a record', [{ foo: 1 }]],
  ] as const)('rejects %s with a ValidationError and writes nothing', async (_name, args) => {
    const { held, checkpointer } = await setup(esn(3, 1));
    checkpointer.setLargestPermitted(esn(6));
    const before = await held.read();

    await expect(
      (checkpointer.checkpoint as (...a: unknown[]) => Promise<void>)(...args),
    ).rejects.toMatchObject({ code: 'KT_VALIDATION' });

    expect((await held.read()).leaseCounter).toBe(before.leaseCounter);
  });

  it('re-checkpointing the same position does not write', async () => {
    const { held, checkpointer } = await setup();
    checkpointer.setLargestPermitted(esn(4));
    await checkpointer.checkpoint();
    const calls = held.store.calls['updateCheckpoint'];

    await checkpointer.checkpoint(SEQ(4));

    expect(held.store.calls['updateCheckpoint']).toBe(calls);
  });

  it('writes SHARD_END for the last record of a closed shard, and from checkpoint() in shardEnded', async () => {
    const first = await setup();
    first.checkpointer.setLargestPermitted(esn(8));
    first.checkpointer.markShardEnd(esn(8));
    await first.checkpointer.checkpoint(record(8));
    expect((await first.held.read()).checkpoint.isShardEnd).toBe(true);

    const second = await setup();
    second.checkpointer.setLargestPermitted(esn(8));
    second.checkpointer.permitShardEnd();
    await second.checkpointer.checkpoint();
    expect((await second.held.read()).checkpoint.isShardEnd).toBe(true);
  });

  it('serialises concurrent calls so they do not race on the lease counter', async () => {
    const { held, checkpointer } = await setup();
    checkpointer.setLargestPermitted(esn(10));

    await Promise.all([
      checkpointer.checkpoint(SEQ(3)),
      checkpointer.checkpoint(SEQ(7)),
      checkpointer.checkpoint(),
    ]);

    expect((await held.read()).checkpoint.equals(esn(10))).toBe(true);
    expect(held.store.calls['updateCheckpoint']).toBe(3);
  });

  it('rejects with KT_LEASE_LOST once another worker took the lease, and from then on', async () => {
    const { held, checkpointer, lost } = await setup();
    checkpointer.setLargestPermitted(esn(5));
    await held.steal();

    await expect(checkpointer.checkpoint()).rejects.toMatchObject({ code: 'KT_LEASE_LOST' });
    const calls = held.store.calls['updateCheckpoint'];
    await expect(checkpointer.checkpoint()).rejects.toMatchObject({ code: 'KT_LEASE_LOST' });

    expect(lost).toHaveLength(1);
    expect(checkpointer.isRevoked).toBe(true);
    expect(held.store.calls['updateCheckpoint']).toBe(calls);
    expect((await held.read()).checkpoint.equals(ExtendedSequenceNumber.TRIM_HORIZON)).toBe(true);
  });

  it('rejects with KT_LEASE_LOST after the worker revoked it', async () => {
    const { checkpointer } = await setup();
    checkpointer.setLargestPermitted(esn(5));
    checkpointer.revoke('the lease was lost');

    await expect(checkpointer.checkpoint()).rejects.toMatchObject({ code: 'KT_LEASE_LOST' });
    await expect(checkpointer.prepareCheckpoint()).rejects.toMatchObject({ code: 'KT_LEASE_LOST' });
  });

  describe('prepareCheckpoint', () => {
    it('writes the pending checkpoint and state, and commits it later', async () => {
      const { held, checkpointer } = await setup(esn(1));
      checkpointer.setLargestPermitted(esn(6, 2));
      const state = new Uint8Array([1, 2, 3]);

      const prepared = await checkpointer.prepareCheckpoint(record(6, 2), state);

      const pending = await held.read();
      expect(pending.checkpoint.equals(esn(1))).toBe(true);
      expect(pending.pendingCheckpoint?.equals(esn(6, 2))).toBe(true);
      expect(Array.from(pending.pendingCheckpointState ?? [])).toEqual([1, 2, 3]);

      await prepared.checkpoint();

      const committed = await held.read();
      expect(committed.checkpoint.equals(esn(6, 2))).toBe(true);
      expect(committed.pendingCheckpoint).toBeUndefined();
      expect(committed.pendingCheckpointState).toBeUndefined();
    });

    it('accepts state alone (the last record delivered) and a sequence number', async () => {
      const { held, checkpointer } = await setup();
      checkpointer.setLargestPermitted(esn(6));

      await checkpointer.prepareCheckpoint(new Uint8Array([9]));
      expect((await held.read()).pendingCheckpoint?.equals(esn(6))).toBe(true);
      await checkpointer.prepareCheckpoint(SEQ(5), 0);
      expect((await held.read()).pendingCheckpoint?.equals(esn(5))).toBe(true);
    });

    it('preparing the current checkpoint writes nothing and commits nothing', async () => {
      const { held, checkpointer } = await setup(esn(4));
      checkpointer.setLargestPermitted(esn(6));
      const calls = held.store.calls['updateCheckpoint'] ?? 0;

      const prepared = await checkpointer.prepareCheckpoint(SEQ(4));
      await prepared.checkpoint();

      expect(held.store.calls['updateCheckpoint'] ?? 0).toBe(calls);
    });

    it('validates like checkpoint', async () => {
      const { checkpointer } = await setup(esn(4));
      checkpointer.setLargestPermitted(esn(6));

      await expect(checkpointer.prepareCheckpoint(SEQ(7))).rejects.toMatchObject({
        code: 'KT_VALIDATION',
      });
    });
  });
});
