/**
 * Carries out the schedule's episodes against the live run: worker signals through the fleet,
 * reshards on the emulator, limits and fault rules on the two proxies, and the rogue lease
 * writer. Reshards are serialised (the service refuses one while another runs). Every episode is
 * noted with what it actually did, for the report.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { compareHashKeys } from '../harness/hashKeys.js';
import { listAllShards, mergeShardsAndWait, splitShardAndWait } from '../harness/streams.js';
import type { FaultRule } from '../proxy/core/faultRules.js';
import type { ProxyLimits } from '../proxy/core/shardLimits.js';
import type { ProxyProcess } from '../proxy/process.js';
import type { ChaosFleet } from './chaosFleet.js';
import {
  BACKGROUND_DYNAMODB_FAULTS,
  BACKGROUND_KINESIS_FAULTS,
  EPISODE_DYNAMODB_FAULTS,
  EPISODE_KINESIS_FAULTS,
} from './core/faultRules.js';
import type { ChaosEpisode } from './core/schedule.js';
import { bumpLeaseCounter, scanLeases } from './leaseTable.js';

/** What the episodes act on. @internal */
export interface EpisodeContext {
  readonly fleet: ChaosFleet;
  readonly kinesisProxy: ProxyProcess;
  readonly dynamodbProxy: ProxyProcess;
  /** Straight to the emulators, never through the proxies. */
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly streamName: string;
  readonly tableName: string;
  readonly random: () => number;
  /** Open shards are kept within these bounds (a split becomes a merge and vice versa). */
  readonly maxOpenShards: number;
  note(message: string): void;
}

/** Runs the episodes; `settle()` waits until every timed one has ended. @internal */
export class EpisodeRunner {
  private reshards: Promise<void> = Promise.resolve();
  private readonly limits = new Map<string, Partial<ProxyLimits>>();
  private readonly kinesisRules = new Map<string, readonly FaultRule[]>();
  private readonly dynamodbRules = new Map<string, readonly FaultRule[]>();
  private readonly timed = new Set<Promise<void>>();
  private counter = 0;

  constructor(private readonly ctx: EpisodeContext) {}

  /** Installs the background fault rules. */
  async start(): Promise<void> {
    await this.applyFaults();
  }

  async run(episode: ChaosEpisode): Promise<void> {
    const { fleet } = this.ctx;
    switch (episode.kind) {
      case 'kill':
      case 'term': {
        const i = fleet.pickRunning(episode.worker);
        // Keep one worker alive, or there would be nobody to fail over to.
        if (i === undefined || fleet.runningCount() < 2)
          return this.ctx.note(`${episode.kind}: skipped`);
        this.ctx.note(
          `${episode.kind} ${fleet.instance(i)}, restart in ${String(episode.restartAfterMs)} ms`,
        );
        return episode.kind === 'kill'
          ? fleet.kill(i, episode.restartAfterMs)
          : fleet.term(i, episode.restartAfterMs);
      }
      case 'pause': {
        // The worker holding the most leases: pausing an idle one would test nothing.
        const owners = new Map<string, number>();
        for (const l of await scanLeases(this.ctx.dynamodb, this.ctx.tableName)) {
          if (l.owner !== undefined && l.checkpoint !== 'SHARD_END') {
            owners.set(l.owner, (owners.get(l.owner) ?? 0) + 1);
          }
        }
        const i = fleet.pickBusiest(owners) ?? fleet.pickRunning(episode.worker);
        if (i === undefined || fleet.runningCount() < 2) return this.ctx.note('pause: skipped');
        this.ctx.note(`pause ${fleet.instance(i)} for ${String(episode.pauseMs)} ms`);
        fleet.pause(i, episode.pauseMs);
        return;
      }
      case 'split':
      case 'merge':
      case 'double-reshard':
        this.reshards = this.reshards
          .then(() => this.reshard(episode.kind))
          .catch((e: unknown) => {
            this.ctx.note(`${episode.kind} failed: ${String(e)}`);
          });
        return this.reshards;
      case 'write-throttle':
        this.ctx.note(
          `write limit ${String(episode.recordsPerSecond)} records/s per shard for ${String(episode.durationMs)} ms`,
        );
        return this.during(episode.durationMs, () => this.limits, {
          writeRecordsPerSecond: episode.recordsPerSecond,
          writeBurstSeconds: 1,
        });
      case 'read-throttle':
        this.ctx.note(
          `read limit ${String(episode.callsPerSecond)} GetRecords/s per shard for ${String(episode.durationMs)} ms`,
        );
        return this.during(episode.durationMs, () => this.limits, {
          readCallsPerSecond: episode.callsPerSecond,
          readCallsBurst: 1,
        });
      case 'kinesis-faults':
        this.ctx.note(
          `Kinesis 500/503, resets, expired iterators for ${String(episode.durationMs)} ms`,
        );
        return this.during(episode.durationMs, () => this.kinesisRules, EPISODE_KINESIS_FAULTS);
      case 'dynamodb-throttle':
        this.ctx.note(`DynamoDB throttling and 500s for ${String(episode.durationMs)} ms`);
        return this.during(episode.durationMs, () => this.dynamodbRules, EPISODE_DYNAMODB_FAULTS);
      case 'lease-conflict': {
        const bumped = await bumpLeaseCounter(
          this.ctx.dynamodb,
          this.ctx.tableName,
          this.ctx.random,
        );
        this.ctx.note(
          bumped === undefined
            ? 'lease-conflict: no owned lease'
            : `lease-conflict: bumped the counter of ${bumped.shardId} (owner ${bumped.owner})`,
        );
        return;
      }
    }
  }

  /** Waits for reshards in progress and for every timed episode to end. */
  async settle(): Promise<void> {
    await this.reshards;
    while (this.timed.size > 0) await Promise.all(this.timed);
  }

  private async during<T>(
    durationMs: number,
    table: () => Map<string, T>,
    value: T,
  ): Promise<void> {
    const key = `e${String(this.counter++)}`;
    table().set(key, value);
    await this.apply();
    const end = new Promise<void>((resolve) => setTimeout(resolve, durationMs)).then(async () => {
      table().delete(key);
      await this.apply();
    });
    this.timed.add(end);
    void end.finally(() => this.timed.delete(end));
  }

  private async apply(): Promise<void> {
    await this.ctx.kinesisProxy.setLimits(
      Object.assign({}, ...this.limits.values()) as Partial<ProxyLimits>,
    );
    await this.applyFaults();
  }

  private async applyFaults(): Promise<void> {
    await this.ctx.kinesisProxy.setFaults([
      ...BACKGROUND_KINESIS_FAULTS,
      ...[...this.kinesisRules.values()].flat(),
    ]);
    await this.ctx.dynamodbProxy.setFaults([
      ...BACKGROUND_DYNAMODB_FAULTS,
      ...[...this.dynamodbRules.values()].flat(),
    ]);
  }

  private async reshard(kind: 'split' | 'merge' | 'double-reshard'): Promise<void> {
    const { kinesis, streamName } = this.ctx;
    const open = (await listAllShards(streamName, { kinesis }))
      .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .sort((a, b) =>
        compareHashKeys(a.HashKeyRange!.StartingHashKey!, b.HashKeyRange!.StartingHashKey!),
      );
    const merge = kind === 'merge' ? open.length > 1 : open.length >= this.ctx.maxOpenShards;
    if (merge) {
      const i = Math.floor(this.ctx.random() * (open.length - 1));
      const [a, b] = [open[i]!.ShardId!, open[i + 1]!.ShardId!];
      const [child] = await mergeShardsAndWait(streamName, a, b, { kinesis, timeoutMs: 60_000 });
      this.ctx.note(`merged ${a} + ${b} -> ${child!}`);
      return;
    }
    const parent = open[Math.floor(this.ctx.random() * open.length)]!.ShardId!;
    const children = await splitShardAndWait(streamName, parent, undefined, {
      kinesis,
      timeoutMs: 60_000,
    });
    this.ctx.note(`split ${parent} -> ${children.join(', ')}`);
    if (kind !== 'double-reshard') return;
    const again = children[Math.floor(this.ctx.random() * children.length)]!;
    const grandchildren = await splitShardAndWait(streamName, again, undefined, {
      kinesis,
      timeoutMs: 60_000,
    });
    this.ctx.note(`and at once split ${again} -> ${grandchildren.join(', ')}`);
  }
}
