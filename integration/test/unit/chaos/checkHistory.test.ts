import { checkHistory, formatChaosReport } from '../../../src/chaos/core/checkHistory.js';
import type { ChaosReport } from '../../../src/chaos/core/checkHistory.js';
import type { ChaosHistory } from '../../../src/chaos/core/history.js';
import type { ChaosRule } from '../../../src/chaos/core/violations.js';
import {
  A0,
  A1,
  A2,
  C1,
  P,
  acked,
  checkpoint,
  cleanHistory,
  delivered,
  sample,
} from './syntheticHistory.js';

const count = (report: ChaosReport, rule: ChaosRule): number =>
  report.rules.find((r) => r.rule === rule)!.count;

/** The rules a report says were broken. */
const broken = (report: ChaosReport): ChaosRule[] =>
  report.rules.filter((r) => r.count > 0).map((r) => r.rule);

const change = (patch: Partial<ChaosHistory>): ChaosHistory => ({ ...cleanHistory(), ...patch });

describe('checkHistory', () => {
  it('passes a correct history and reports its figures', () => {
    const report = checkHistory(cleanHistory());

    expect(broken(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.records).toMatchObject({ acked: 3, deliveries: 3, lost: 0, duplicates: 0 });
    expect(report.leases.maxOverlapMs).toBe(0);
    expect(formatChaosReport(report).at(-1)).toBe('VERIFIED: every rule kept');
  });

  it('finds an acknowledged record that was never delivered', () => {
    const h = cleanHistory();
    const report = checkHistory({ ...h, deliveries: h.deliveries.filter((d) => d.id !== 'a:1') });

    expect(broken(report)).toEqual(['lost']);
    expect(report.records.lost).toBe(1);
    expect(report.rules[0]!.samples[0]).toContain('a:1');
    expect(formatChaosReport(report)).toContain('FAIL lost: 1 violations');
    expect(formatChaosReport(report).at(-1)).toBe('FAILED');
  });

  it('counts a record delivered only at a position the producer did not acknowledge as lost', () => {
    const h = cleanHistory();
    const copy = { ...delivered(A1, 'w1#1', 1, 10), sequenceNumber: '3' };
    const report = checkHistory({
      ...h,
      deliveries: [...h.deliveries.filter((d) => d.id !== 'a:1'), copy],
    });

    expect(broken(report)).toEqual(['lost']);
    expect(report.records.producerRetryCopies).toBe(1);
  });

  it('finds a child record first delivered before its parent shard was done', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      deliveries: [
        delivered(A0, 'w1#1', 1, 10),
        delivered(A2, 'w2#1', 1, 11),
        delivered(A1, 'w1#1', 1, 12),
      ],
    });

    expect(broken(report)).toEqual(['order']);
    expect(report.rules.find((r) => r.rule === 'order')!.samples[0]).toContain('a:1');
  });

  it('finds records of one key out of order within a shard', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      deliveries: [
        delivered(A1, 'w1#1', 1, 10),
        delivered(A0, 'w1#1', 1, 10),
        delivered(A2, 'w2#1', 1, 30),
      ],
    });

    expect(broken(report)).toEqual(['order']);
  });

  it('ignores the order of different keys', () => {
    const b0 = acked('b:0', P, '3', 3);
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      acked: [...h.acked, b0],
      deliveries: [delivered(b0, 'w1#1', 1, 9), ...h.deliveries],
    });

    expect(broken(report)).toEqual([]);
  });

  it('finds a stream order that differs from the put order when the producer preserves order', () => {
    const swapped = [{ ...A0, putIndex: 1 }, { ...A1, putIndex: 0 }, A2];

    expect(broken(checkHistory(change({ acked: swapped })))).toEqual(['producer-order']);
    expect(broken(checkHistory(change({ acked: swapped, producerPreservesOrder: false })))).toEqual(
      [],
    );
  });

  it('judges the put order by where a record first appears (a copy left by a retried put)', () => {
    const h = cleanHistory();
    // a:0's put failed after it was written at seq 1; its retry was acknowledged at seq 3.
    const retried = { ...A0, sequenceNumber: '3' };
    const copy = delivered(A0, 'w1#1', 1, 10);
    const report = checkHistory({
      ...h,
      acked: [retried, A1, A2],
      deliveries: [
        copy,
        delivered(A1, 'w1#1', 1, 10),
        delivered(retried, 'w1#1', 1, 11),
        delivered(A2, 'w2#1', 1, 30),
      ],
    });

    expect(broken(report)).toEqual([]);
    expect(report.records.producerRetryCopies).toBe(1);
    // Without that first copy, a:0 appears after a:1: the put order was broken.
    const withoutCopy = checkHistory({
      ...h,
      acked: [retried, A1, A2],
      deliveries: [
        delivered(A1, 'w1#1', 1, 10),
        delivered(retried, 'w1#1', 1, 11),
        delivered(A2, 'w2#1', 1, 30),
      ],
    });
    expect(broken(withoutCopy)).toEqual(['producer-order']);
  });

  it('finds a checkpoint that moved backwards in the lease table', () => {
    const h = cleanHistory();
    const report = checkHistory({ ...h, leaseSamples: [...h.leaseSamples, sample(P, '1', 15)] });

    expect(broken(report)).toEqual(['checkpoint-backwards']);
  });

  it('finds a checkpoint write that moved backwards in the processors log', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      checkpoints: [...h.checkpoints, checkpoint('w2#1', C1, 1, '9', 40)],
    });

    expect(broken(report)).toEqual(['checkpoint-backwards']);
  });

  it('finds a checkpoint written after another worker took the lease', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      takes: [...h.takes, { instance: 'w2#1', shardId: P, leaseCounter: 3, at: 12 }],
    });

    expect(broken(report)).toEqual(['stale-checkpoint']);
    expect(count(report, 'stale-checkpoint')).toBe(1); // the SHARD_END write began at 13
  });

  it('accepts a checkpoint after the worker took the lease back', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      takes: [
        ...h.takes,
        { instance: 'w2#1', shardId: P, leaseCounter: 3, at: 12 },
        { instance: 'w1#1', shardId: P, leaseCounter: 5, at: 12.5 },
      ],
    });

    expect(broken(report)).toEqual([]);
  });

  it('finds two workers processing one shard for longer than the failover time', () => {
    const report = checkHistory({ ...cleanHistory(), ...overlapping(4) });

    expect(broken(report)).toEqual(['overlap']);
    expect(report.leases.maxOverlapMs).toBe(5);
    expect(report.leases.maxOverlapWhere).toBe(`${C1}: w2#1 and w3#1`);
  });

  it('allows an overlap within the failover time (the old owner finishing its batch)', () => {
    const report = checkHistory({ ...cleanHistory(), ...overlapping(5) });

    expect(broken(report)).toEqual([]);
    expect(report.leases.maxOverlapMs).toBe(5);
  });

  it("explains a redelivery after a killed worker's last checkpoint", () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      checkpoints: h.checkpoints.filter((c) => c.shardId !== P),
      deliveries: [...h.deliveries, delivered(A1, 'w3#1', 4, 25)],
      takes: [...h.takes, { instance: 'w3#1', shardId: P, leaseCounter: 4, at: 24 }],
      workerActions: [...h.workerActions, { instance: 'w1#1', action: 'kill', at: 11 }],
      leaseSamples: [],
    });

    expect(broken(report)).toEqual([]);
    expect(report.records.duplicates).toBe(1);
    expect(report.records.duplicatesByCause).toEqual({ killed: 1 });
  });

  it('names a lost lease as the cause when the worker noticed the loss', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      checkpoints: h.checkpoints.filter((c) => c.shardId !== C1),
      deliveries: [...h.deliveries, delivered(A2, 'w1#1', 7, 50)],
      losses: [{ instance: 'w2#1', shardId: C1, reason: 'taken', at: 40 }],
      leaseSamples: [],
    });

    expect(report.records.duplicatesByCause).toEqual({ 'lease lost (taken)': 1 });
  });

  it('explains an old owner delivering its batch in flight just after the new owner', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      takes: [...h.takes, { instance: 'w1#1', shardId: C1, leaseCounter: 2, at: 15 }],
      // w2#1 stole C1 at 20 and delivered a:2 at 30; w1#1, not yet aware, delivers it at 31.
      deliveries: [...h.deliveries, delivered(A2, 'w1#1', 2, 31)],
      losses: [{ instance: 'w1#1', shardId: C1, reason: 'taken', at: 32 }],
    });

    expect(broken(report)).toEqual([]);
    expect(report.records.duplicatesByCause).toEqual({ 'lease lost (taken)': 1 });
  });

  it('counts steals, and steals of a lease taken less than a failover time before', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      failoverTimeMs: 1000,
      takes: [
        ...h.takes,
        { instance: 'w3#1', shardId: C1, leaseCounter: 3, at: 500, stolen: true },
        { instance: 'w2#1', shardId: C1, leaseCounter: 5, at: 5000, stolen: true },
      ],
    });

    expect(report.leases).toMatchObject({ steals: 2, quickSteals: 1 });
  });

  it('finds a record delivered twice under one lease', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      deliveries: [...h.deliveries, delivered(A2, 'w2#1', 1, 35)],
    });

    expect(broken(report)).toEqual(['unexplained-duplicate']);
  });

  it('finds a redelivery of a record the previous owner had checkpointed', () => {
    const h = cleanHistory();
    const report = checkHistory({
      ...h,
      deliveries: [...h.deliveries, delivered(A1, 'w3#1', 4, 25)],
    });

    expect(broken(report)).toEqual(['unexplained-duplicate']);
    expect(report.rules.find((r) => r.rule === 'unexplained-duplicate')!.samples[0]).toContain(
      'had checkpointed SHARD_END',
    );
  });

  it('reports what a paused worker did after it was resumed', () => {
    const h = cleanHistory();
    const a3 = acked('b:0', C1, '11', 3);
    const report = checkHistory({
      ...h,
      failoverTimeMs: 1000,
      acked: [...h.acked, a3],
      deliveries: [...h.deliveries, delivered(a3, 'w1#1', 2, 60)],
      checkpoints: [...h.checkpoints, checkpoint('w1#1', C1, 2, '11', 61)],
      takes: [
        { instance: 'w1#1', shardId: C1, leaseCounter: 2, at: 15 },
        { instance: 'w2#1', shardId: C1, leaseCounter: 4, at: 25 },
        h.takes[0]!,
      ],
      workerActions: [
        { instance: 'w1#1', action: 'pause', at: 16 },
        { instance: 'w1#1', action: 'resume', at: 50 },
      ],
      losses: [{ instance: 'w1#1', shardId: C1, reason: 'not-renewed', at: 70 }],
    });

    expect(report.leases.pauses).toEqual([
      {
        instance: 'w1#1',
        pausedMs: 34,
        leasesHeld: 1,
        leasesLostAfterResume: 1,
        noticedAfterMs: 20,
        deliveriesOnTakenShards: 1,
        checkpointsOnTakenShards: 1,
      },
    ]);
    expect(broken(report)).toEqual(['stale-checkpoint']);
  });
});

/** w2#1 processes C1 from 30 to 40 and w3#1 from 20 to 35: 5 ms together. */
function overlapping(failoverTimeMs: number): Partial<ChaosHistory> {
  const h = cleanHistory();
  const b0 = acked('b:0', C1, '11', 3);
  const b1 = acked('b:1', C1, '12', 4);
  const b2 = acked('b:2', C1, '13', 5);
  return {
    acked: [...h.acked, b0, b1, b2],
    deliveries: [
      ...h.deliveries,
      delivered(b0, 'w3#1', 1, 20),
      delivered(b1, 'w3#1', 1, 35),
      delivered(b2, 'w2#1', 1, 40),
    ],
    failoverTimeMs,
  };
}
