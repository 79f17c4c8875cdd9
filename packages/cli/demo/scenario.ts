/**
 * The demo's timeline, as fractions of the production time: split a shard, merge two, crash a
 * worker and start a replacement, stop another one gracefully. Each step logs what it did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { listAllShards, mergeShardsAndWait, splitShardAndWait } from '@kinesis-kit/integration';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Fleet } from './fleet.js';

/** What the timeline acts on. */
export interface ScenarioContext {
  readonly streamName: string;
  readonly kinesis: KinesisClient;
  readonly fleet: Fleet;
  readonly failoverTimeMs: number;
  /** When production started (ms epoch) and how long it runs. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly log: (line: string) => void;
  readonly setPhase: (phase: string) => void;
  readonly signal: AbortSignal;
}

/** Step times as fractions of the production time. */
export const TIMELINE = { split: 0.15, merge: 0.3, crash: 0.45, gracefulStop: 0.65 } as const;

/** Runs the steps in order; resolves at the end of the production time. */
export async function runScenario(ctx: ScenarioContext): Promise<void> {
  const at = async (fraction: number): Promise<void> => {
    const wait = ctx.startedAt + fraction * ctx.durationMs - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: ctx.signal });
  };

  await at(TIMELINE.split);
  const shards = await listAllShards(ctx.streamName, { kinesis: ctx.kinesis });
  const first = shards[0]!.ShardId!;
  ctx.setPhase(`splitting ${first}`);
  ctx.log(`▶ split ${first} while producing`);
  let t = Date.now();
  const children = await splitShardAndWait(ctx.streamName, first, undefined, {
    kinesis: ctx.kinesis,
  });
  ctx.log(`  ${first} → ${children.join(' + ')} (${Date.now() - t} ms)`);

  await at(TIMELINE.merge);
  const [a, b] = [shards[2]!.ShardId!, shards[3]!.ShardId!];
  ctx.setPhase(`merging ${a} + ${b}`);
  ctx.log(`▶ merge ${a} + ${b} while producing`);
  t = Date.now();
  const [merged] = await mergeShardsAndWait(ctx.streamName, a, b, { kinesis: ctx.kinesis });
  ctx.log(`  ${a} + ${b} → ${merged} (${Date.now() - t} ms)`);

  await at(TIMELINE.crash);
  const victim = ctx.fleet.workers.get('w1');
  ctx.setPhase('w1 crashed; its leases expire');
  ctx.log(
    `▶ SIGKILL w1 (pid ${victim?.pid ?? '?'}): nothing released; its leases are taken over after ` +
      `the failover time (${ctx.failoverTimeMs} ms)`,
  );
  await ctx.fleet.kill('w1');
  ctx.fleet.start('w4');
  ctx.log('▶ started w4 to replace it');

  await at(TIMELINE.gracefulStop);
  ctx.setPhase('w2 stopping gracefully');
  ctx.log('▶ SIGTERM w2: graceful stop (checkpoint, then release its leases at once)');
  t = Date.now();
  await ctx.fleet.stop('w2');
  ctx.log(`  w2 stopped in ${Date.now() - t} ms`);
  ctx.setPhase('producing');

  await at(1);
}
