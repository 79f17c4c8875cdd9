/**
 * Which shards `tail` reads and in what order, without leases: a child starts once every parent
 * it is waiting for has been read to its end, so each key's records come out in order across a
 * split or a merge.
 */

/** The parts of a ListShards shard this needs. */
export interface ShardNode {
  readonly shardId: string;
  readonly parents: readonly string[];
  readonly open: boolean;
  /** `[start, end]` of its sequence numbers (end undefined while open), for a start position. */
  readonly startingSequenceNumber?: string;
  readonly endingSequenceNumber?: string;
}

/** Where reading starts: the whole graph (roots first), only the open shards, or given shards. */
export type StartSet = 'roots' | 'open' | readonly string[];

/** The shards to start with. Roots are shards none of whose parents is listed (trimmed away). */
export function initialShards(nodes: readonly ShardNode[], start: StartSet): string[] {
  if (start === 'open') return nodes.filter((n) => n.open).map((n) => n.shardId);
  if (start !== 'roots') return [...start];
  const listed = new Set(nodes.map((n) => n.shardId));
  return nodes.filter((n) => !n.parents.some((p) => listed.has(p))).map((n) => n.shardId);
}

/**
 * The children that may start now that `ended` is finished: those whose every parent that is
 * being read (`reading`, which includes `ended`) has ended.
 */
export function childrenReady(
  ended: string,
  children: readonly { readonly shardId: string; readonly parents: readonly string[] }[],
  reading: ReadonlySet<string>,
  finished: ReadonlySet<string>,
): string[] {
  return children
    .filter((c) => c.parents.includes(ended))
    .filter((c) => c.parents.every((p) => !reading.has(p) || finished.has(p)))
    .map((c) => c.shardId);
}

/** The shard whose sequence-number range holds `sequenceNumber`, by numeric comparison. */
export function shardHolding(
  nodes: readonly ShardNode[],
  sequenceNumber: string,
): string | undefined {
  const seq = BigInt(sequenceNumber);
  return nodes.find(
    (n) =>
      n.startingSequenceNumber !== undefined &&
      BigInt(n.startingSequenceNumber) <= seq &&
      (n.endingSequenceNumber === undefined || seq <= BigInt(n.endingSequenceNumber)),
  )?.shardId;
}
