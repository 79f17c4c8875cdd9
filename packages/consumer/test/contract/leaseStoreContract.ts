/* eslint-disable jest/no-export -- a shared suite: the unit and integration runners import it. */
/**
 * One behavioural contract for every `LeaseStore`: the in-memory fake (unit project) and the
 * DynamoDB adapter against DynamoDB Local (integration project) run the same cases, so the fake's
 * conditional semantics are the real ones. Raw item access lets the cases check the Java KCL
 * attribute names and types, and that attributes we do not know survive our updates.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ExtendedSequenceNumber, isAbortError } from '@kinesis-kit/common';
import { MalformedLeaseError } from '../../src/core/leaseErrors.js';
import type { Lease, LeaseStore, NewLease } from '../../src/ports.js';

type LeaseItem = Record<string, AttributeValue>;

/** What a contract run needs from the store under test. */
export interface LeaseStoreHarness {
  readonly store: LeaseStore;
  /** An unconditional PutItem, as a Java worker or an operator would write. */
  putRawItem(item: LeaseItem): Promise<void>;
  getRawItem(leaseKey: string): Promise<LeaseItem | undefined>;
  dispose?(): Promise<void>;
}

const RANGE = { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' };

export function newLease(shardId: string, overrides: Partial<NewLease> = {}): NewLease {
  return {
    leaseKey: shardId,
    shardId,
    checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
    parentShardIds: [],
    hashKeyRange: RANGE,
    ...overrides,
  };
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

/** Runs the contract against stores made by `make` (a fresh, empty table per test). */
export function describeLeaseStoreContract(
  name: string,
  make: () => Promise<LeaseStoreHarness>,
): void {
  describe(`LeaseStore contract: ${name}`, () => {
    let h: LeaseStoreHarness;
    let store: LeaseStore;

    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.dispose?.();
    });

    async function created(shardId: string, overrides: Partial<NewLease> = {}): Promise<Lease> {
      expect(await store.createLeaseIfNotExists(newLease(shardId, overrides))).toBe(true);
      return must(await store.getLease(shardId));
    }

    async function taken(shardId: string, owner: string): Promise<Lease> {
      const lease = await created(shardId);
      const result = await store.takeLease(lease, owner);
      if (!result.ok) throw new Error('take failed');
      return result.lease;
    }

    it('creates a lease only if it does not exist, unowned at counter 0', async () => {
      const first = await store.createLeaseIfNotExists(
        newLease('shardId-000000000001', { parentShardIds: ['shardId-000000000000'] }),
      );
      const second = await store.createLeaseIfNotExists(
        newLease('shardId-000000000001', { checkpoint: ExtendedSequenceNumber.LATEST }),
      );

      expect([first, second]).toEqual([true, false]);
      const lease = must(await store.getLease('shardId-000000000001'));
      expect(lease).toMatchObject({
        leaseKey: 'shardId-000000000001',
        shardId: 'shardId-000000000001',
        leaseCounter: 0,
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: ['shardId-000000000000'],
        childShardIds: [],
        hashKeyRange: RANGE,
      });
      expect(lease.leaseOwner).toBeUndefined();
      expect(lease.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
      expect(await store.isEmpty()).toBe(false);
    });

    it('writes a new lease with the Java KCL attribute names and DynamoDB types', async () => {
      await store.createLeaseIfNotExists(
        newLease('shardId-000000000002', {
          parentShardIds: ['shardId-000000000000', 'shardId-000000000001'],
        }),
      );

      const raw = must(await h.getRawItem('shardId-000000000002'));
      expect(raw).toEqual({
        leaseKey: { S: 'shardId-000000000002' },
        leaseCounter: { N: '0' },
        ownerSwitchesSinceCheckpoint: { N: '0' },
        checkpoint: { S: 'TRIM_HORIZON' },
        checkpointSubSequenceNumber: { N: '0' },
        parentShardId: {
          SS: expect.arrayContaining(['shardId-000000000000', 'shardId-000000000001']) as unknown,
        },
        startingHashKey: { S: RANGE.startingHashKey },
        endingHashKey: { S: RANGE.endingHashKey },
        entityType: { S: 'LEASE' },
      });
    });

    it('writes multi-stream leases with streamName and shardId attributes', async () => {
      const stream = '123456789012:orders:1700000000';
      await store.createLeaseIfNotExists(
        newLease('shardId-000000000003', {
          leaseKey: `${stream}:shardId-000000000003`,
          streamIdentifier: stream,
        }),
      );

      const raw = must(await h.getRawItem(`${stream}:shardId-000000000003`));
      expect(raw.streamName).toEqual({ S: stream });
      expect(raw.shardId).toEqual({ S: 'shardId-000000000003' });
      const lease = must(await store.getLease(`${stream}:shardId-000000000003`));
      expect(lease).toMatchObject({ streamIdentifier: stream, shardId: 'shardId-000000000003' });
    });

    it('re-writes streamName and shardId with every multi-stream checkpoint, as Java updateLease', async () => {
      const stream = '123456789012:orders:1700000000';
      const leaseKey = `${stream}:shardId-000000000004`;
      // An item whose stream attributes went missing: they are derived from the key, then written.
      await h.putRawItem({
        leaseKey: { S: leaseKey },
        leaseCounter: { N: '3' },
        ownerSwitchesSinceCheckpoint: { N: '0' },
        checkpoint: { S: 'TRIM_HORIZON' },
        checkpointSubSequenceNumber: { N: '0' },
      });
      const taken = await store.takeLease(must(await store.getLease(leaseKey)), 'worker-a');
      if (!taken.ok) throw new Error('take failed');

      const cp = await store.updateCheckpoint(taken.lease, {
        checkpoint: ExtendedSequenceNumber.of(
          '49600000000000000000000000000000000000000000000000000001',
        ),
      });

      expect(cp.ok).toBe(true);
      const raw = must(await h.getRawItem(leaseKey));
      expect(raw.streamName).toEqual({ S: stream });
      expect(raw.shardId).toEqual({ S: 'shardId-000000000004' });
      expect(raw.checkpoint).toEqual({
        S: '49600000000000000000000000000000000000000000000000000001',
      });
    });

    it('takes a lease at the counter it saw and refuses a stale counter', async () => {
      const lease = await created('shardId-000000000010');

      const first = await store.takeLease(lease, 'worker-a');
      const stale = await store.takeLease(lease, 'worker-b');

      expect(first).toMatchObject({ ok: true, lease: { leaseOwner: 'worker-a', leaseCounter: 1 } });
      expect(stale).toEqual({ ok: false, reason: 'conflict' });
      expect(must(await store.getLease(lease.leaseKey))).toMatchObject({
        leaseOwner: 'worker-a',
        leaseCounter: 1,
      });
    });

    it('lets exactly one of 20 concurrent takers win', async () => {
      const lease = await created('shardId-000000000011');

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.takeLease(lease, `worker-${i}`)),
      );

      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const after = must(await store.getLease(lease.leaseKey));
      expect(after.leaseCounter).toBe(1);
      expect(winners[0]).toMatchObject({ lease: { leaseOwner: after.leaseOwner } });
    });

    it('renews by bumping the counter, conditional on counter and owner', async () => {
      const held = await taken('shardId-000000000012', 'worker-a');

      const renewed = await store.renewLease(held);
      const stale = await store.renewLease(held);

      expect(renewed).toMatchObject({ ok: true, lease: { leaseCounter: held.leaseCounter + 1 } });
      expect(stale).toEqual({ ok: false, reason: 'conflict' });
      // An owner change without a counter change (a KCL 3.x handoff) also fails a renew.
      const raw = must(await h.getRawItem(held.leaseKey));
      await h.putRawItem({ ...raw, leaseOwner: { S: 'worker-b' } });
      const current = { ...must(await store.getLease(held.leaseKey)), leaseOwner: 'worker-a' };
      expect(await store.renewLease(current)).toEqual({ ok: false, reason: 'conflict' });
    });

    it('releases only for the owner, removing the owner and bumping the counter', async () => {
      const held = await taken('shardId-000000000013', 'worker-a');

      const byOther = await store.releaseLease(held, 'worker-b');
      const byOwner = await store.releaseLease(held, 'worker-a');
      const again = await store.releaseLease(held, 'worker-a');

      expect(byOther).toEqual({ ok: false, reason: 'conflict' });
      expect(byOwner).toMatchObject({ ok: true, lease: { leaseCounter: held.leaseCounter + 1 } });
      expect(again).toEqual({ ok: false, reason: 'conflict' });
      const after = must(await store.getLease(held.leaseKey));
      expect(after.leaseOwner).toBeUndefined();
      expect('leaseOwner' in must(await h.getRawItem(held.leaseKey))).toBe(false);
      expect(await store.takeLease(after, 'worker-b')).toMatchObject({ ok: true });
    });

    it('checkpoints under counter and owner conditions and clears the pending checkpoint', async () => {
      const held = await taken('shardId-000000000014', 'worker-a');
      const pending = ExtendedSequenceNumber.of(
        '49590338271490256608559692538361571095921575989136588898',
        2,
      );
      const state = Uint8Array.from([1, 2, 3]);

      const prepared = await store.updateCheckpoint(held, {
        checkpoint: held.checkpoint,
        pendingCheckpoint: pending,
        pendingCheckpointState: state,
      });
      if (!prepared.ok) throw new Error('prepare failed');
      const preparedRaw = must(await h.getRawItem(held.leaseKey));
      const stale = await store.updateCheckpoint(held, { checkpoint: pending });
      const committed = await store.updateCheckpoint(prepared.lease, { checkpoint: pending });

      expect(prepared.lease).toMatchObject({ leaseCounter: held.leaseCounter + 1 });
      expect(prepared.lease.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
      expect(prepared.lease.pendingCheckpoint?.toString()).toBe(pending.toString());
      expect(Array.from(prepared.lease.pendingCheckpointState ?? [])).toEqual([1, 2, 3]);
      expect(preparedRaw.pendingCheckpoint).toEqual({ S: pending.sequenceNumber });
      expect(preparedRaw.pendingCheckpointSubSequenceNumber).toEqual({ N: '2' });
      expect(preparedRaw.pendingCheckpointState?.B).toBeDefined();
      expect(stale).toEqual({ ok: false, reason: 'conflict' });
      expect(committed).toMatchObject({ ok: true, lease: { leaseCounter: held.leaseCounter + 2 } });
      const raw = must(await h.getRawItem(held.leaseKey));
      expect(raw.checkpoint).toEqual({ S: pending.sequenceNumber });
      expect(raw.checkpointSubSequenceNumber).toEqual({ N: '2' });
      for (const gone of [
        'pendingCheckpoint',
        'pendingCheckpointSubSequenceNumber',
        'pendingCheckpointState',
      ]) {
        expect(gone in raw).toBe(false);
      }
    });

    it('refuses a checkpoint by a worker that no longer owns the lease', async () => {
      const held = await taken('shardId-000000000015', 'worker-a');
      const stolen = await store.takeLease(held, 'worker-b');
      if (!stolen.ok) throw new Error('steal failed');

      // Even presenting the current counter, the owner condition fails for worker-a.
      const result = await store.updateCheckpoint(
        { ...stolen.lease, leaseOwner: 'worker-a' },
        { checkpoint: ExtendedSequenceNumber.of('100') },
      );

      expect(result).toEqual({ ok: false, reason: 'conflict' });
      expect(must(await store.getLease(held.leaseKey)).checkpoint.sequenceNumber).toBe(
        'TRIM_HORIZON',
      );
    });

    it('counts owner switches on steals only and resets them on checkpoint', async () => {
      const a = await taken('shardId-000000000016', 'worker-a');
      const b = await store.takeLease(a, 'worker-b');
      if (!b.ok) throw new Error('steal failed');
      const bAgain = await store.takeLease(b.lease, 'worker-b');
      if (!bAgain.ok) throw new Error('retake failed');
      const back = await store.takeLease(bAgain.lease, 'worker-a');
      if (!back.ok) throw new Error('steal back failed');

      const cp = await store.updateCheckpoint(back.lease, {
        checkpoint: ExtendedSequenceNumber.of('7'),
      });

      expect(
        [a, b.lease, bAgain.lease, back.lease].map((l) => l.ownerSwitchesSinceCheckpoint),
      ).toEqual([0, 1, 1, 2]);
      expect(cp).toMatchObject({ ok: true, lease: { ownerSwitchesSinceCheckpoint: 0 } });
    });

    it('updates child ids and hash range as metadata, without a counter bump', async () => {
      const held = await taken('shardId-000000000017', 'worker-a');
      const range = { startingHashKey: '5', endingHashKey: '10' };

      const children = await store.updateChildShardIds(held.leaseKey, [
        'shardId-000000000020',
        'shardId-000000000021',
      ]);
      const hash = await store.updateHashKeyRange(held.leaseKey, range);
      const missing = await store.updateChildShardIds('shardId-000000009999', ['shardId-1']);

      expect([children, hash, missing]).toEqual([true, true, false]);
      const after = must(await store.getLease(held.leaseKey));
      expect(after.leaseCounter).toBe(held.leaseCounter);
      expect([...after.childShardIds].sort()).toEqual([
        'shardId-000000000020',
        'shardId-000000000021',
      ]);
      expect(after.hashKeyRange).toEqual(range);
      expect(await store.getLease('shardId-000000009999')).toBeUndefined();
      // The renew condition still holds: metadata did not disturb the holder.
      expect(await store.renewLease(held)).toMatchObject({ ok: true });
    });

    it('deletes unconditionally', async () => {
      await taken('shardId-000000000018', 'worker-a');

      await store.deleteLease('shardId-000000000018');
      await store.deleteLease('shardId-000000000018');

      expect(await store.getLease('shardId-000000000018')).toBeUndefined();
      expect(await store.isEmpty()).toBe(true);
    });

    it('lists leases and skips non-lease and malformed items', async () => {
      await created('shardId-000000000030');
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000031' },
        leaseCounter: { N: '4' },
        checkpoint: { S: '12345' },
        checkpointSubSequenceNumber: { N: '0' },
        ownerSwitchesSinceCheckpoint: { N: '0' },
      });
      await h.putRawItem({
        leaseKey: { S: 'Migration3.0' },
        entityType: { S: 'CLIENT_VERSION_MIGRATION' },
        cv: { S: 'CLIENT_VERSION_2X' },
      });
      await h.putRawItem({
        leaseKey: { S: 'worker-1' },
        entityType: { S: 'WORKER_METRIC_STATS' },
        lut: { N: '1700000000' },
      });
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000032' },
        leaseCounter: { S: '3' },
        checkpoint: { S: 'LATEST' },
      });
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000033' },
        leaseCounter: { N: '1' },
        checkpoint: { S: 'garbage' },
      });

      const leases = await store.listLeases();

      expect(leases.map((l) => l.leaseKey).sort()).toEqual([
        'shardId-000000000030',
        'shardId-000000000031',
      ]);
      expect(await store.getLease('Migration3.0')).toBeUndefined();
      expect(await store.getClientVersionState?.()).toMatchObject({
        clientVersion: 'CLIENT_VERSION_2X',
        source: 'lease-table',
      });
      expect(await store.listWorkerHeartbeats?.()).toEqual([
        { workerId: 'worker-1', lastUpdateEpochSeconds: 1700000000 },
      ]);
    });

    it('reports malformed items as MalformedLeaseError, and getLease of one rejects', async () => {
      await created('shardId-000000000034');
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000035' },
        leaseCounter: { S: 'three' },
        checkpoint: { S: 'LATEST' },
      });
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000036' },
        leaseCounter: { N: '1' },
        checkpoint: { S: 'garbage' },
      });
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000037' },
        leaseCounter: { N: '1' },
        checkpoint: { S: 'LATEST' },
        startingHashKey: { S: '-5' },
        endingHashKey: { S: '10' },
      });
      const reported: MalformedLeaseError[] = [];

      const leases = await store.listLeases({ onMalformed: (e) => reported.push(e) });

      expect(leases.map((l) => l.leaseKey)).toEqual(['shardId-000000000034']);
      const byKey = new Map(reported.map((e) => [e.leaseKey, e]));
      expect(reported).toHaveLength(3);
      expect(byKey.get('shardId-000000000035')).toMatchObject({
        code: 'KT_VALIDATION',
        attribute: 'leaseCounter',
        problem: 'is not a number (N) attribute',
      });
      expect(byKey.get('shardId-000000000036')?.attribute).toBe('checkpoint');
      expect(byKey.get('shardId-000000000037')?.attribute).toBe('startingHashKey');
      for (const e of reported) expect(e).toBeInstanceOf(MalformedLeaseError);
      await expect(store.getLease('shardId-000000000035')).rejects.toMatchObject({
        name: 'MalformedLeaseError',
        leaseKey: 'shardId-000000000035',
        attribute: 'leaseCounter',
      });
      expect(await store.getLease('shardId-000000000034')).toBeDefined();
    });

    it('treats a table holding only non-lease items as empty', async () => {
      expect(await store.isEmpty()).toBe(true);
      await h.putRawItem({
        leaseKey: { S: 'Migration3.0' },
        entityType: { S: 'CLIENT_VERSION_MIGRATION' },
        cv: { S: 'CLIENT_VERSION_3X' },
      });

      expect(await store.isEmpty()).toBe(true);
      expect(await store.listLeases()).toEqual([]);
    });

    it('leaves attributes it does not know alone through every update', async () => {
      await h.putRawItem({
        leaseKey: { S: 'shardId-000000000040' },
        leaseCounter: { N: '9' },
        leaseOwner: { S: 'java-worker' },
        checkpoint: { S: '100' },
        checkpointSubSequenceNumber: { N: '0' },
        ownerSwitchesSinceCheckpoint: { N: '0' },
        throughputKBps: { N: '12.5' },
        futureAttribute: { M: { nested: { L: [{ N: '1' }, { S: 'x' }] } } },
        entityType: { S: 'LEASE' },
      });
      const lease = must(await store.getLease('shardId-000000000040'));

      const take = await store.takeLease(lease, 'worker-a');
      if (!take.ok) throw new Error('take failed');
      const renew = await store.renewLease(take.lease);
      if (!renew.ok) throw new Error('renew failed');
      const cp = await store.updateCheckpoint(renew.lease, {
        checkpoint: ExtendedSequenceNumber.of('200'),
      });
      if (!cp.ok) throw new Error('checkpoint failed');
      await store.updateChildShardIds(lease.leaseKey, ['shardId-000000000041']);
      const release = await store.releaseLease(cp.lease, 'worker-a');

      expect(release).toMatchObject({
        ok: true,
        lease: { leaseCounter: 13, throughputKBps: 12.5 },
      });
      const raw = must(await h.getRawItem('shardId-000000000040'));
      expect(raw.futureAttribute).toEqual({ M: { nested: { L: [{ N: '1' }, { S: 'x' }] } } });
      expect(raw.throughputKBps).toEqual({ N: '12.5' });
      expect(raw.entityType).toEqual({ S: 'LEASE' });
      expect(raw.checkpoint).toEqual({ S: '200' });
    });

    it('rejects with an AbortError when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();

      const error: unknown = await store
        .listLeases({ signal: controller.signal })
        .catch((e: unknown) => e);

      expect(isAbortError(error)).toBe(true);
    });
  });
}
