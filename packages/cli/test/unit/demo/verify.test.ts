import { formatReport, verifyDelivery } from '../../../demo/verify.js';
import type { ConsumedRecord, ProducedRecord } from '../../../demo/verify.js';

/** `keys` keys with `perKey` records each, put round-robin, ids `k<key>:<n>`. */
function produce(keys: number, perKey: number): ProducedRecord[] {
  const out: ProducedRecord[] = [];
  for (let n = 0; n < perKey; n++) {
    for (let k = 0; k < keys; k++) out.push({ partitionKey: `k${k}`, id: `k${k}:${n}` });
  }
  return out;
}

describe('verifyDelivery', () => {
  it('accepts a clean run, even when a crash redelivered records', () => {
    // Prepare: everything delivered once, then a failover redelivers k0:1..2 before going on
    const produced = produce(3, 4);
    const consumed: ConsumedRecord[] = [
      ...produced.slice(0, 9),
      { partitionKey: 'k0', id: 'k0:1' },
      { partitionKey: 'k0', id: 'k0:2' },
      ...produced.slice(9),
    ];
    // Act
    const report = verifyDelivery(produced, consumed);
    // Assess
    expect(report).toMatchObject({
      produced: 12,
      consumedUnique: 12,
      deliveries: 14,
      lost: 0,
      duplicates: 2,
      orderViolations: 0,
      keys: 3,
      ok: true,
    });
    expect(formatReport(report).at(-1)).toBe('VERIFIED: nothing lost, order kept');
  });

  it('catches a record dropped on purpose', () => {
    const produced = produce(2, 5);
    const consumed = produced.filter((r) => r.id !== 'k1:3');
    const report = verifyDelivery(produced, consumed);
    expect(report.lost).toBe(1);
    expect(report.lostSample).toEqual(['k1:3']);
    expect(report.ok).toBe(false);
    expect(formatReport(report).join('\n')).toContain(
      'lost:                            1  e.g. k1:3',
    );
  });

  it('counts a duplicate introduced on purpose, which alone does not fail the run', () => {
    const produced = produce(2, 3);
    const consumed = [...produced, produced[4]!];
    const report = verifyDelivery(produced, consumed);
    expect(report.duplicates).toBe(1);
    expect(report.consumedUnique).toBe(6);
    expect(report.ok).toBe(true);
  });

  it('catches two records of one key swapped on purpose', () => {
    const produced = produce(2, 4);
    const consumed = [...produced];
    // k0:1 and k0:2 sit at indexes 2 and 4
    [consumed[2], consumed[4]] = [consumed[4]!, consumed[2]!];
    const report = verifyDelivery(produced, consumed);
    expect(report.orderViolations).toBe(1);
    expect(report.orderSample).toEqual([{ partitionKey: 'k0', delivered: 'k0:1', after: 'k0:2' }]);
    expect(report.lost).toBe(0);
    expect(report.ok).toBe(false);
  });

  it('does not call a redelivery an order violation, but does a new record delivered late', () => {
    // k0:0 k0:1 k0:2, redelivery of k0:1 (fine), then k0:3; a separate stream where k0:1 first
    // shows up after k0:2 is a violation.
    const produced = produce(1, 4);
    const fine = verifyDelivery(
      produced,
      ['0', '1', '2', '1', '3'].map((n) => rec(n)),
    );
    const late = verifyDelivery(
      produced,
      ['0', '2', '1', '3'].map((n) => rec(n)),
    );
    expect(fine.orderViolations).toBe(0);
    expect(late.orderViolations).toBe(1);
  });

  it('reports records delivered that were never acknowledged, without failing', () => {
    const produced = produce(1, 2);
    const report = verifyDelivery(produced, [...produced, rec('9')]);
    expect(report.unacknowledged).toBe(1);
    expect(report.ok).toBe(true);
  });

  it('reports every lost record when nothing was consumed', () => {
    const report = verifyDelivery(produce(4, 5), []);
    expect(report.lost).toBe(20);
    expect(report.lostSample).toHaveLength(10);
    expect(report.ok).toBe(false);
  });
});

function rec(n: string): ConsumedRecord {
  return { partitionKey: 'k0', id: `k0:${n}` };
}
