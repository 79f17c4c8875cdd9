/* eslint-disable jest/no-export -- a shared suite: the unit and integration runners import it. */
/**
 * Lease tables written by Java KCL 2.x and 3.x workers (test/fixtures/javaLeaseTables) are read and
 * taken over from their checkpoints, and what our store writes back stays readable by a Java 2.x
 * worker. Runs on the in-memory store (unit) and DynamoDB Local (integration).
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { decideFleetMode } from '../../src/core/leaseMode.js';
import type { Lease } from '../../src/ports.js';
import {
  JAVA_LEASE_TABLES,
  javaReadableProblems,
  loadJavaLeaseTable,
} from '../fixtures/javaLeaseTables.js';
import type { LeaseStoreHarness } from './leaseStoreContract.js';

const ME = 'kinesis-kit-worker';

export function describeJavaTakeover(name: string, make: () => Promise<LeaseStoreHarness>): void {
  describe(`Java KCL lease tables taken over: ${name}`, () => {
    let h: LeaseStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.dispose?.();
    });

    describe.each(JAVA_LEASE_TABLES)('%s', (fixtureName) => {
      const fixture = loadJavaLeaseTable(fixtureName);

      async function load(): Promise<Map<string, Lease>> {
        for (const item of fixture.items) await h.putRawItem(item);
        return new Map((await h.store.listLeases()).map((l) => [l.leaseKey, l]));
      }

      it('reads every lease with its checkpoint and skips the non-lease items', async () => {
        const leases = await load();

        expect([...leases.keys()].sort()).toEqual(Object.keys(fixture.expected).sort());
        for (const [key, e] of Object.entries(fixture.expected)) {
          const l = leases.get(key)!;
          expect({
            checkpoint: l.checkpoint.toString(),
            counter: l.leaseCounter,
            owner: l.leaseOwner,
            pending: l.pendingCheckpoint?.toString(),
            pendingState:
              l.pendingCheckpointState && Buffer.from(l.pendingCheckpointState).toString('utf8'),
            ownerSwitches: l.ownerSwitchesSinceCheckpoint,
            children: [...l.childShardIds].sort(),
            parents: [...l.parentShardIds].sort(),
            stream: l.streamIdentifier,
            shardId: l.shardId,
            checkpointOwner: l.checkpointOwner,
            throughputKBps: l.throughputKBps,
          }).toEqual({
            checkpoint: e.checkpoint,
            counter: e.counter,
            owner: e.owner,
            pending: e.pending,
            pendingState: e.pendingState,
            ownerSwitches: e.ownerSwitches ?? 0,
            children: e.children ?? [],
            parents: e.parents ?? [],
            stream: e.stream,
            shardId: e.shardId ?? key,
            checkpointOwner: e.checkpointOwner,
            throughputKBps: e.throughputKBps,
          });
        }
      });

      it('takes every lease over at its checkpoint and leaves items a Java 2.x worker reads', async () => {
        const leases = await load();

        for (const lease of leases.values()) {
          const taken = await h.store.takeLease(lease, ME);

          expect(taken).toMatchObject({
            ok: true,
            lease: { leaseOwner: ME, leaseCounter: lease.leaseCounter + 1 },
          });
          const after = taken.ok ? taken.lease : lease;
          expect(after.checkpoint.toString()).toBe(lease.checkpoint.toString());
          expect(after.ownerSwitchesSinceCheckpoint).toBe(
            lease.ownerSwitchesSinceCheckpoint + (lease.leaseOwner !== undefined ? 1 : 0),
          );
          expect(after.checkpointOwner).toBeUndefined();
          expect(after.throughputKBps).toBe(lease.throughputKBps);
          const raw = (await h.getRawItem(lease.leaseKey))!;
          expect(javaReadableProblems(raw)).toEqual([]);
          expect(raw.leaseOwner).toEqual({ S: ME });
          expect(raw.leaseCounter).toEqual({ N: String(lease.leaseCounter + 1) });
        }
      });

      it('checkpoints and releases taken-over leases in the Java format', async () => {
        const leases = await load();
        const open = [...leases.values()].filter((l) => !l.checkpoint.isShardEnd);

        for (const lease of open) {
          const taken = await h.store.takeLease(lease, ME);
          if (!taken.ok) throw new Error(`take of ${lease.leaseKey} failed`);
          const next = ExtendedSequenceNumber.of(
            '49999999999999999999999999999999999999999999999999999999',
            1,
          );
          const cp = await h.store.updateCheckpoint(taken.lease, { checkpoint: next });
          if (!cp.ok) throw new Error(`checkpoint of ${lease.leaseKey} failed`);
          const released = await h.store.releaseLease(cp.lease, ME);

          expect(released).toMatchObject({ ok: true });
          const raw = (await h.getRawItem(lease.leaseKey))!;
          expect(javaReadableProblems(raw)).toEqual([]);
          expect(raw).toMatchObject({
            checkpoint: { S: next.sequenceNumber },
            checkpointSubSequenceNumber: { N: '1' },
            ownerSwitchesSinceCheckpoint: { N: '0' },
          });
          for (const gone of [
            'leaseOwner',
            'pendingCheckpoint',
            'pendingCheckpointSubSequenceNumber',
            'pendingCheckpointState',
          ]) {
            expect(Object.keys(raw)).not.toContain(gone);
          }
        }
        expect(open.length).toBeGreaterThan(0);
      });

      it('reads the fleet state the Java workers left', async () => {
        await load();

        const state = await h.store.getClientVersionState?.();
        const beats = (await h.store.listWorkerHeartbeats?.()) ?? [];

        expect(state?.clientVersion).toBe(fixture.clientVersion);
        expect(beats).toEqual(fixture.heartbeats ?? []);
      });
    });

    it('refuses a live Java 3.x fleet and takes over a stopped one', async () => {
      const fixture = loadJavaLeaseTable('kcl3x-single-table');
      for (const item of fixture.items) await h.putRawItem(item);
      const clientVersion = await h.store.getClientVersionState?.();
      const heartbeats = (await h.store.listWorkerHeartbeats?.()) ?? [];
      const lut = heartbeats[0]!.lastUpdateEpochSeconds * 1000;

      const live = decideFleetMode({
        clientVersion,
        heartbeats,
        nowEpochMs: lut + 10_000,
        workerId: ME,
      });
      const stopped = decideFleetMode({
        clientVersion,
        heartbeats,
        nowEpochMs: lut + 3_600_000,
        workerId: ME,
        activeLeaseOwners: [],
      });

      expect(live).toMatchObject({ decision: 'refuse', liveWorkers: ['java3-worker-a'] });
      expect(stopped.decision).toBe('join');
    });
  });
}
