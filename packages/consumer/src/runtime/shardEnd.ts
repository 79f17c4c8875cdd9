/**
 * The lease-table side of a parent's SHARD_END (the KCL's ShutdownTask): create the child leases
 * and write the parent's `childShardIds`, following the merge-parent rule of `planShardEnd`. A
 * merge child waits for its other parent's lease to appear: most of the time the owner keeps its
 * lease and retries (`blocked`: this throws, and the worker backs off), but one time in 30 it
 * gives the lease up so another worker retries (`drop`), as the KCL does to get out of a state
 * this worker cannot repair. Both count `MissingMergeParentLease`; a merge child that names only
 * one parent counts `MissingMergeParent` and is dropped at once (the KCL's InvalidStateException).
 */
import type { MetricsSink } from '@kinesis-kit/common';
import { planShardEnd } from '../core/shardGraph.js';
import type { ChildInitialPosition } from '../core/shardGraph.js';
import { leaseKeyFor } from '../core/leaseKeys.js';
import type { ChildShard, Lease, LeaseStore } from '../ports.js';

/** Metric names of the KCL's ShutdownTask, counted under `Operation: ShutdownTask`. @internal */
export const SHARD_END_METRICS = {
  missingMergeParent: 'MissingMergeParent',
  missingMergeParentLease: 'MissingMergeParentLease',
} as const;

/** @internal */
export interface ShardEndContext {
  readonly store: LeaseStore;
  readonly childInitialPosition: ChildInitialPosition;
  readonly random: () => number;
  readonly metrics: MetricsSink;
  readonly metricDimensions: Readonly<Record<string, string>>;
}

/** @internal */
export type ShardEndResult =
  /** Children exist (those created now are listed) and the parent names them. */
  | { readonly kind: 'children'; readonly created: readonly string[] }
  /** Give the parent lease up (processor: `leaseLost`) so another worker retries the end. */
  | { readonly kind: 'drop'; readonly problem: string };

/**
 * Runs the SHARD_END lease step for `lease`. Idempotent (child creation is conditional), so the
 * worker may retry it. Throws while a merge waits for its other parent's lease.
 * @internal
 */
export async function finishParentLease(
  ctx: ShardEndContext,
  lease: Lease,
  childShards: readonly ChildShard[],
): Promise<ShardEndResult> {
  if (childShards.length === 0) return { kind: 'children', created: [] };
  const stream = lease.streamIdentifier;
  const keys = new Set<string>();
  for (const child of childShards) {
    keys.add(leaseKeyFor(child.shardId, stream));
    for (const parent of child.parentShards) keys.add(leaseKeyFor(parent, stream));
  }
  const existing = new Map<string, Lease | undefined>();
  await Promise.all([...keys].map(async (k) => existing.set(k, await ctx.store.getLease(k))));
  const plan = planShardEnd({
    parent: lease,
    childShards,
    existing,
    childInitialPosition: ctx.childInitialPosition,
    random: ctx.random,
  });
  switch (plan.kind) {
    case 'invalid':
      count(ctx, SHARD_END_METRICS.missingMergeParent);
      return { kind: 'drop', problem: plan.problem };
    case 'drop-lease':
      count(ctx, SHARD_END_METRICS.missingMergeParentLease);
      return {
        kind: 'drop',
        problem: `the merge's other parent lease ${plan.missingParentLeaseKey} is missing`,
      };
    case 'blocked-on-merge-parent':
      count(ctx, SHARD_END_METRICS.missingMergeParentLease);
      throw new Error(
        `cannot finish ${lease.shardId} yet: the merge's other parent lease ${plan.missingParentLeaseKey} is missing`,
      );
    case 'create-children': {
      const created: string[] = [];
      for (const child of plan.create) {
        if (await ctx.store.createLeaseIfNotExists(child)) created.push(child.leaseKey);
      }
      await ctx.store.updateChildShardIds(lease.leaseKey, plan.childShardIds);
      return { kind: 'children', created };
    }
  }
}

function count(ctx: ShardEndContext, name: string): void {
  ctx.metrics.record({
    name,
    value: 1,
    unit: 'Count',
    dimensions: { Operation: 'ShutdownTask', ...ctx.metricDimensions },
  });
}
