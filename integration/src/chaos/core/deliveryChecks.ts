/**
 * The checks over records: nothing acknowledged is lost, per partition key the first deliveries
 * follow the acknowledged order within the shard lineage, and every duplicate is explained by a
 * lease handover after the previous holder's last checkpoint.
 */
import type { AckedRecord, ChaosHistory, CheckpointWrite, Delivery } from './history.js';
import { shardDepths } from './lineage.js';
import { comparePositions, formatPosition, positionKey } from './positions.js';
import type { ViolationLog } from './violations.js';

/** Figures of the record checks. @public */
export interface DeliveryFigures {
  readonly acked: number;
  readonly deliveries: number;
  /** Distinct positions delivered. */
  readonly uniqueDelivered: number;
  readonly lost: number;
  /** Deliveries of a position beyond its first. */
  readonly duplicates: number;
  /** Duplicates by why the previous holder stopped: `killed`, `paused`, `lease lost: …`… */
  readonly duplicatesByCause: Readonly<Record<string, number>>;
  /** Positions delivered that no ack names (a put that failed after it was written). */
  readonly unacknowledgedPositions: number;
  /** Of those, copies of a record that was acknowledged at another position (producer retries). */
  readonly producerRetryCopies: number;
  readonly partitionKeys: number;
}

/** Deliveries in time order; an instance's own log order breaks ties. @internal */
export function sortDeliveries(deliveries: readonly Delivery[]): Delivery[] {
  return deliveries
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.at - b.d.at || a.i - b.i)
    .map(({ d }) => d);
}

/** Runs the record checks, adding violations to `log`. @internal */
export function checkDeliveries(history: ChaosHistory, log: ViolationLog): DeliveryFigures {
  const deliveries = sortDeliveries(history.deliveries);
  const ackedByPosition = new Map(
    history.acked.map((a) => [positionKey(a.shardId, a.sequenceNumber, a.subSequenceNumber), a]),
  );
  const rankOf = rankAcked(history);
  checkProducerOrder(history, deliveries, log);

  const byPosition = new Map<string, Delivery[]>();
  const highestRank = new Map<string, { rank: number; id: string }>();
  for (const d of deliveries) {
    const key = positionKey(d.shardId, d.sequenceNumber, d.subSequenceNumber);
    const seen = byPosition.get(key);
    if (seen !== undefined) {
      seen.push(d);
      continue;
    }
    byPosition.set(key, [d]);
    const rank = rankOf.get(key);
    if (rank === undefined) continue;
    const highest = highestRank.get(d.partitionKey);
    if (highest !== undefined && rank < highest.rank) {
      log.add(
        'order',
        `key ${d.partitionKey}: ${d.id} (${d.shardId} ${formatPosition(d)}) first delivered at ` +
          `${String(d.at)} after ${highest.id}, which was acknowledged later`,
      );
    } else {
      highestRank.set(d.partitionKey, { rank, id: d.id });
    }
  }

  let lost = 0;
  for (const [key, a] of ackedByPosition) {
    if (byPosition.has(key)) continue;
    lost++;
    log.add('lost', `${a.id} acknowledged at ${a.shardId} ${formatPosition(a)}, never delivered`);
  }

  const ackedIds = new Set(history.acked.map((a) => a.id));
  let unacknowledgedPositions = 0;
  let producerRetryCopies = 0;
  for (const [key, list] of byPosition) {
    if (ackedByPosition.has(key)) continue;
    unacknowledgedPositions++;
    if (ackedIds.has(list[0]!.id)) producerRetryCopies++;
  }

  const { duplicates, byCause } = explainDuplicates(history, byPosition, log);
  return {
    acked: history.acked.length,
    deliveries: deliveries.length,
    uniqueDelivered: byPosition.size,
    lost,
    duplicates,
    duplicatesByCause: byCause,
    unacknowledgedPositions,
    producerRetryCopies,
    partitionKeys: new Set(history.acked.map((a) => a.partitionKey)).size,
  };
}

/**
 * Each acknowledged position's rank within its key: shards parents first (lineage depth), then
 * sequence order inside a shard.
 */
function rankAcked(history: ChaosHistory): Map<string, number> {
  const depths = shardDepths(history.shards);
  const ranks = new Map<string, number>();
  for (const list of byKey(history.acked).values()) {
    list.sort(lineageOrder(depths));
    list.forEach((a, i) => {
      ranks.set(positionKey(a.shardId, a.sequenceNumber, a.subSequenceNumber), i);
    });
  }
  return ranks;
}

/**
 * With `preserveOrder`, a key's records must first appear in the stream in put order. A record
 * first appears at the earliest of its acknowledged position and any copy delivered (a put that
 * failed after it was written leaves a copy before the acknowledged one, which is where a
 * consumer first sees it).
 */
function checkProducerOrder(
  history: ChaosHistory,
  deliveries: readonly Delivery[],
  log: ViolationLog,
): void {
  if (!history.producerPreservesOrder) return;
  const depths = shardDepths(history.shards);
  const order = lineageOrder(depths);
  const first = new Map<string, Position>();
  for (const d of deliveries) {
    const known = first.get(d.id);
    if (known === undefined || order(d, known) < 0) first.set(d.id, d);
  }
  for (const [key, list] of byKey(history.acked)) {
    const placed = list.map((a) => {
      const copy = first.get(a.id);
      return { a, at: copy !== undefined && order(copy, a) < 0 ? copy : a };
    });
    placed.sort((x, y) => order(x.at, y.at));
    placed.forEach(({ a }, i) => {
      const previous = placed[i - 1]?.a;
      if (previous !== undefined && previous.putIndex > a.putIndex) {
        log.add(
          'producer-order',
          `key ${key}: ${a.id} (put #${String(a.putIndex)}) first appears in the stream after ` +
            `${previous.id} (put #${String(previous.putIndex)})`,
        );
      }
    });
  }
}

type Position = Pick<Delivery, 'shardId' | 'sequenceNumber' | 'subSequenceNumber'>;

function lineageOrder(depths: ReadonlyMap<string, number>): (a: Position, b: Position) => number {
  return (a, b) =>
    (depths.get(a.shardId) ?? 0) - (depths.get(b.shardId) ?? 0) ||
    (a.shardId === b.shardId ? comparePositions(a, b) : 0);
}

function byKey(acked: readonly AckedRecord[]): Map<string, AckedRecord[]> {
  const perKey = new Map<string, AckedRecord[]>();
  for (const a of acked) {
    const list = perKey.get(a.partitionKey) ?? [];
    list.push(a);
    perKey.set(a.partitionKey, list);
  }
  return perKey;
}

/**
 * A redelivery is explained when the previous delivery was made under another lease (another
 * worker instance or another lease counter) and the record lies after every checkpoint written
 * under that lease: the previous holder stopped before checkpointing it.
 */
function explainDuplicates(
  history: ChaosHistory,
  byPosition: ReadonlyMap<string, readonly Delivery[]>,
  log: ViolationLog,
): { duplicates: number; byCause: Record<string, number> } {
  const lastCheckpoint = new Map<string, CheckpointWrite>();
  for (const c of history.checkpoints) {
    const key = leaseKeyOf(c);
    const known = lastCheckpoint.get(key);
    if (known === undefined || comparePositions(c, known) > 0) lastCheckpoint.set(key, c);
  }
  const leaseStart = leaseStarts(history);
  let duplicates = 0;
  const byCause: Record<string, number> = {};
  for (const inTimeOrder of byPosition.values()) {
    // Judge by lease, not by clock: the old owner's batch in flight may reach its processor a
    // moment after the new owner's first batch (both inside the failover window).
    const list = [...inTimeOrder].sort(
      (a, b) =>
        (leaseStart.get(leaseKeyOf(a)) ?? a.at) - (leaseStart.get(leaseKeyOf(b)) ?? b.at) ||
        a.at - b.at,
    );
    for (let i = 1; i < list.length; i++) {
      duplicates++;
      const previous = list[i - 1]!;
      const current = list[i]!;
      const where = `${current.id} (${current.shardId} ${formatPosition(current)})`;
      if (leaseKeyOf(previous) === leaseKeyOf(current)) {
        log.add(
          'unexplained-duplicate',
          `${where} delivered twice to ${current.instance} under one lease`,
        );
        continue;
      }
      const checkpoint = lastCheckpoint.get(leaseKeyOf(previous));
      if (checkpoint !== undefined && comparePositions(current, checkpoint) <= 0) {
        log.add(
          'unexplained-duplicate',
          `${where} redelivered to ${current.instance} although ${previous.instance} had ` +
            `checkpointed ${formatPosition(checkpoint)}`,
        );
        continue;
      }
      const cause = causeOfHandover(history, previous);
      byCause[cause] = (byCause[cause] ?? 0) + 1;
    }
  }
  return { duplicates, byCause };
}

/** When each (instance, shard, lease counter) lease began: its take, else its first delivery. */
function leaseStarts(history: ChaosHistory): Map<string, number> {
  const starts = new Map<string, number>();
  for (const t of history.takes) {
    const key = leaseKeyOf(t);
    starts.set(key, Math.min(starts.get(key) ?? t.at, t.at));
  }
  for (const d of history.deliveries) {
    const key = leaseKeyOf(d);
    if (!starts.has(key)) starts.set(key, d.at);
  }
  return starts;
}

/** Why the holder of `delivery`'s lease stopped: its first loss or process action after it. */
function causeOfHandover(history: ChaosHistory, delivery: Delivery): string {
  const loss = history.losses.find(
    (l) =>
      l.instance === delivery.instance && l.shardId === delivery.shardId && l.at >= delivery.at,
  );
  const action = history.workerActions.find(
    (a) => a.instance === delivery.instance && a.at >= delivery.at && a.action !== 'start',
  );
  if (action !== undefined && (loss === undefined || action.at <= loss.at)) {
    const causes = { kill: 'killed', term: 'graceful stop', pause: 'paused', resume: 'paused' };
    return causes[action.action as keyof typeof causes] ?? 'crashed';
  }
  if (loss !== undefined) return `lease lost (${loss.reason})`;
  return 'lease handed over';
}

function leaseKeyOf(x: {
  readonly instance: string;
  readonly shardId: string;
  readonly leaseCounter: number | undefined;
}): string {
  return `${x.instance}|${x.shardId}|${String(x.leaseCounter)}`;
}
