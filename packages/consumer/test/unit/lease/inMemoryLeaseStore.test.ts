/** The in-memory store's test knobs: call counting, fault injection, a missing table, copies. */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { LeaseStoreError } from '../../../src/core/leaseErrors.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { newLease } from '../../contract/leaseStoreContract.js';

describe('InMemoryLeaseStore knobs', () => {
  it('counts calls per operation, failed ones included', async () => {
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists(newLease('shardId-0'));
    await store.listLeases();
    await store.listLeases();
    store.failNext(1);
    await store.getLease('shardId-0').catch(() => undefined);

    expect(store.calls).toEqual({ createLeaseIfNotExists: 1, listLeases: 2, getLease: 1 });
    expect(store.totalCalls).toBe(4);
    store.resetCalls();
    expect(store.totalCalls).toBe(0);
  });

  it('throws a retriable throttling error on the next N matching calls only', async () => {
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists(newLease('shardId-0'));
    const lease = (await store.getLease('shardId-0'))!;
    store.failNext(2, { operations: ['takeLease'] });

    const listed = await store.listLeases();
    const first: unknown = await store.takeLease(lease, 'w1').catch((e: unknown) => e);
    const second: unknown = await store.takeLease(lease, 'w1').catch((e: unknown) => e);
    const third = await store.takeLease(lease, 'w1');

    expect(listed).toHaveLength(1);
    expect(first).toBeInstanceOf(LeaseStoreError);
    expect(first).toMatchObject({ retriable: true, throttled: true, operation: 'takeLease' });
    expect((second as LeaseStoreError).cause).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
    });
    expect(third).toMatchObject({ ok: true });
  });

  it('fails like a missing table until ensureTable', async () => {
    const store = new InMemoryLeaseStore({ tableExists: false });

    const before: unknown = await store.listLeases().catch((e: unknown) => e);
    await store.ensureTable();

    expect(before).toMatchObject({ errorName: 'ResourceNotFoundException', retriable: false });
    expect(await store.listLeases()).toEqual([]);
  });

  it('hands out copies: mutating a returned lease or raw item changes nothing stored', async () => {
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists(newLease('shardId-0', { parentShardIds: ['p'] }));
    const lease = (await store.getLease('shardId-0'))!;
    (lease.parentShardIds as string[]).push('x');
    const raw = store.getRawItem('shardId-0')!;
    raw.checkpoint = { S: '999' };

    const again = (await store.getLease('shardId-0'))!;

    expect(again.parentShardIds).toEqual(['p']);
    expect(again.checkpoint).toBe(ExtendedSequenceNumber.TRIM_HORIZON);
  });

  it('reads the 3.0–3.4 coordinator state and worker metrics tables given at construction', async () => {
    const store = new InMemoryLeaseStore({
      coordinatorStateItems: [
        { key: { S: 'Migration3.0' }, cv: { S: 'CLIENT_VERSION_3X_WITH_ROLLBACK' } },
      ],
      workerMetricsItems: [{ wid: { S: 'java-1' }, lut: { N: '1700000000' } }],
    });

    expect(await store.getClientVersionState()).toEqual({
      clientVersion: 'CLIENT_VERSION_3X_WITH_ROLLBACK',
      source: 'coordinator-state-table',
    });
    expect(await store.listWorkerHeartbeats()).toEqual([
      { workerId: 'java-1', lastUpdateEpochSeconds: 1700000000 },
    ]);
  });
});
