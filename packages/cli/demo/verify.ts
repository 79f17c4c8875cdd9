/**
 * The demo's verdict, as a pure function so that it can be tested by breaking its input on
 * purpose: every record the producer had acknowledged must have been delivered to some worker
 * (at-least-once), duplicates are counted but allowed (a crashed worker's uncheckpointed records
 * are delivered again), and for each partition key the first deliveries must come in the order
 * the records were put.
 */

/** A record whose put() resolved, in the order put() was called. */
export interface ProducedRecord {
  readonly partitionKey: string;
  /** Unique per record (the demo writes it into the data). */
  readonly id: string;
}

/** A record as a worker delivered it to its processor, in delivery order. */
export interface ConsumedRecord {
  readonly partitionKey: string;
  readonly id: string;
}

/** A key whose records were first delivered out of put order. */
export interface OrderViolation {
  readonly partitionKey: string;
  /** The record delivered too early... */
  readonly delivered: string;
  /** ...after this one, which was put later. */
  readonly after: string;
}

/** The verdict. `ok` is true only when nothing was lost and every key kept its order. */
export interface VerificationReport {
  readonly produced: number;
  readonly consumedUnique: number;
  readonly deliveries: number;
  readonly lost: number;
  /** Up to 10 lost ids, for the message. */
  readonly lostSample: readonly string[];
  /** Deliveries beyond the first of a record. */
  readonly duplicates: number;
  /** Delivered but never acknowledged to the producer (possible when a put failed late). */
  readonly unacknowledged: number;
  readonly keys: number;
  readonly orderViolations: number;
  /** Up to 10 violations, for the message. */
  readonly orderSample: readonly OrderViolation[];
  readonly ok: boolean;
}

const SAMPLE = 10;

/**
 * Compares what was acknowledged with what was delivered.
 * @example
 * const report = verifyDelivery(acked, consumed);
 * process.exitCode = report.lost === 0 ? 0 : 1;
 */
export function verifyDelivery(
  produced: readonly ProducedRecord[],
  consumed: readonly ConsumedRecord[],
): VerificationReport {
  // Rank of each record within its key, in put order.
  const rank = new Map<string, number>();
  const perKey = new Map<string, number>();
  for (const p of produced) {
    const next = perKey.get(p.partitionKey) ?? 0;
    rank.set(p.id, next);
    perKey.set(p.partitionKey, next + 1);
  }

  const seen = new Set<string>();
  const lastRank = new Map<string, { rank: number; id: string }>();
  let duplicates = 0;
  let unacknowledged = 0;
  let orderViolations = 0;
  const orderSample: OrderViolation[] = [];
  for (const c of consumed) {
    if (seen.has(c.id)) {
      duplicates++;
      continue;
    }
    seen.add(c.id);
    const r = rank.get(c.id);
    if (r === undefined) {
      unacknowledged++;
      continue;
    }
    const last = lastRank.get(c.partitionKey);
    if (last !== undefined && r < last.rank) {
      orderViolations++;
      if (orderSample.length < SAMPLE) {
        orderSample.push({ partitionKey: c.partitionKey, delivered: c.id, after: last.id });
      }
    } else {
      lastRank.set(c.partitionKey, { rank: r, id: c.id });
    }
  }

  let lost = 0;
  const lostSample: string[] = [];
  for (const p of produced) {
    if (seen.has(p.id)) continue;
    lost++;
    if (lostSample.length < SAMPLE) lostSample.push(p.id);
  }
  return {
    produced: produced.length,
    consumedUnique: seen.size,
    deliveries: consumed.length,
    lost,
    lostSample,
    duplicates,
    unacknowledged,
    keys: perKey.size,
    orderViolations,
    orderSample,
    ok: lost === 0 && orderViolations === 0,
  };
}

/** The report as the lines the demo prints at the end. */
export function formatReport(report: VerificationReport): string[] {
  const pct = report.produced === 0 ? 0 : (100 * report.duplicates) / report.produced;
  const lines = [
    `records produced (acknowledged): ${report.produced}`,
    `records consumed (unique):       ${report.consumedUnique}` +
      (report.unacknowledged > 0 ? ` (${report.unacknowledged} not acknowledged)` : ''),
    `lost:                            ${report.lost}` +
      (report.lost > 0 ? `  e.g. ${report.lostSample.join(', ')}` : ''),
    `duplicates:                      ${report.duplicates} (${pct.toFixed(2)}%, redelivered after failover)`,
    `per-key order kept:              ${
      report.orderViolations === 0
        ? `yes (${report.keys} keys)`
        : `NO, ${report.orderViolations} out of order, e.g. ${report.orderSample
            .map((v) => `${v.delivered} after ${v.after}`)
            .join('; ')}`
    }`,
    report.ok ? 'VERIFIED: nothing lost, order kept' : 'FAILED',
  ];
  return lines;
}
