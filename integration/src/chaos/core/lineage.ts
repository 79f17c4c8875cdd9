/**
 * The shard lineage from ListShards' parent ids. A partition key's records lie on a chain of
 * shards, each a descendant of the one before (a split or merge moves the key's hash into a
 * child), so ordering a key's shards by depth in the graph orders them parents first.
 */
import type { ShardInfo } from './history.js';

/**
 * Depth of every shard: 0 for a shard without (known) parents, else one more than its deepest
 * parent. An ancestor always has a smaller depth than its descendants.
 * @internal
 */
export function shardDepths(shards: readonly ShardInfo[]): Map<string, number> {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const depths = new Map<string, number>();
  const depthOf = (id: string, visiting: Set<string>): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const shard = byId.get(id);
    if (shard === undefined || visiting.has(id)) return 0;
    visiting.add(id);
    let depth = 0;
    for (const parent of [shard.parentShardId, shard.adjacentParentShardId]) {
      if (parent !== undefined && byId.has(parent)) {
        depth = Math.max(depth, depthOf(parent, visiting) + 1);
      }
    }
    depths.set(id, depth);
    return depth;
  };
  for (const s of shards) depthOf(s.shardId, new Set());
  return depths;
}
