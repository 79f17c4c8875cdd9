/**
 * One chaos run: a producer process and a fleet of consumer worker processes on the emulators,
 * everything through two fault proxies in child processes (Kinesis and DynamoDB, so they survive
 * worker kills), while the seeded schedule kills, stops, pauses, reshards, throttles and injects
 * faults. Afterwards the consumers drain, everything stops gracefully and the history is checked.
 * The emulators must be running, with `KINESIS_ENDPOINT` / `DYNAMODB_ENDPOINT` set.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDBClient, createKinesisClient } from '../harness/clients.js';
import { createLeaseTableName } from '../harness/names.js';
import { createTestStream, deleteStream, listAllShards } from '../harness/streams.js';
import { deleteTable } from '../harness/tables.js';
import { startProxyProcess } from '../proxy/process.js';
import type { ProxyStats } from '../proxy/stats.js';
import { seededRandom } from '../proxy/random.js';
import { ChaosFleet } from './chaosFleet.js';
import { checkHistory } from './core/checkHistory.js';
import type { ChaosReport } from './core/checkHistory.js';
import { planSchedule } from './core/schedule.js';
import { EpisodeRunner } from './episodes.js';
import { loadHistory, producerLogPath, readWorkerLogs, runFactsPath } from './historyFiles.js';
import type { RunFacts } from './historyFiles.js';
import { LeaseWatcher } from './leaseTable.js';
import { spawnScript } from './processes.js';
import type { ChaosChild } from './processes.js';
import { waitForDrain } from './drain.js';

/** Options of {@link runChaos}. @public */
export interface ChaosOptions {
  /** How long the producer runs and faults are injected. @defaultValue 300000 */
  readonly durationMs?: number;
  /** Consumer worker processes (3-5). @defaultValue 3 */
  readonly workers?: number;
  /** Seed of the schedule and of the proxies' dice. @defaultValue 1 */
  readonly seed?: number;
  /** @defaultValue 4000 */
  readonly failoverTimeMs?: number;
  /** Records put per second. @defaultValue 60 */
  readonly recordsPerSecond?: number;
  /** @defaultValue 24 */
  readonly partitionKeys?: number;
  /** @defaultValue 2 */
  readonly initialShards?: number;
  /** How long the consumers get to deliver everything after the producer stopped. @defaultValue 90000 */
  readonly drainTimeoutMs?: number;
  /** Where the logs and the report go. @defaultValue a new directory under the OS temp dir */
  readonly outDir?: string;
  /** Progress lines. @defaultValue none */
  readonly log?: (line: string) => void;
}

/** What a run returns. @public */
export interface ChaosResult {
  readonly report: ChaosReport;
  readonly dir: string;
  readonly elapsedMs: number;
  /** Each episode as it was carried out, with its time (ms from the start). */
  readonly episodes: readonly string[];
  readonly kinesisProxy: ProxyStats;
  readonly dynamodbProxy: ProxyStats;
  readonly checkpointFailures: Readonly<Record<string, number>>;
  readonly drainMs: number;
  /** Workers that exited on their own (restarted by the runner), with their fatal message. */
  readonly crashes: readonly string[];
}

/**
 * Runs the chaos suite once.
 * @public
 * @example
 * const { report } = await runChaos({ durationMs: 60_000, workers: 3, seed: 7 });
 * process.exitCode = report.ok ? 0 : 1;
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosResult> {
  const durationMs = options.durationMs ?? 300_000;
  const workers = options.workers ?? 3;
  const seed = options.seed ?? 1;
  const failoverTimeMs = options.failoverTimeMs ?? 4000;
  const log = options.log ?? (() => undefined);
  const dir = options.outDir ?? join(tmpdir(), `kinesis-kit-chaos-${String(Date.now())}`);
  mkdirSync(dir, { recursive: true });
  const kinesis = createKinesisClient();
  const dynamodb = createDynamoDBClient();
  const { streamName } = await createTestStream(options.initialShards ?? 2, { kinesis });
  const tableName = createLeaseTableName();
  const kinesisProxy = await startProxyProcess({ target: process.env.KINESIS_ENDPOINT!, seed });
  const dynamodbProxy = await startProxyProcess({
    target: process.env.DYNAMODB_ENDPOINT!,
    kind: 'dynamodb',
    seed: seed + 1,
  });
  const env = { STREAM_NAME: streamName, KINESIS_ENDPOINT: kinesisProxy.endpoint };
  const fleet = new ChaosFleet(
    dir,
    {
      ...env,
      DYNAMODB_ENDPOINT: dynamodbProxy.endpoint,
      APPLICATION_NAME: tableName,
      FAILOVER_TIME_MS: String(failoverTimeMs),
    },
    workers,
  );
  const watcher = new LeaseWatcher(dynamodb, tableName);
  const started = Date.now();
  const episodes: string[] = [];
  const note = (message: string): void => {
    const line = `+${((Date.now() - started) / 1000).toFixed(1)}s ${message}`;
    episodes.push(line);
    log(line);
  };
  const runner = new EpisodeRunner({
    fleet,
    kinesisProxy,
    dynamodbProxy,
    kinesis,
    dynamodb,
    streamName,
    tableName,
    random: seededRandom(seed + 2),
    maxOpenShards: 6,
    note,
  });
  const timers: NodeJS.Timeout[] = [];
  let producer: ChaosChild | undefined;
  try {
    await runner.start();
    fleet.startAll();
    watcher.start();
    producer = spawnScript('producerProcess.ts', {
      ...env,
      CHAOS_LOG: producerLogPath(dir),
      CHAOS_RATE: String(options.recordsPerSecond ?? 60),
      CHAOS_KEYS: String(options.partitionKeys ?? 24),
      CHAOS_DURATION_MS: String(durationMs),
    });
    const running = new Set<Promise<void>>();
    for (const { atMs, episode } of planSchedule({ seed, durationMs, workers, failoverTimeMs })) {
      timers.push(
        setTimeout(() => {
          const p = runner
            .run(episode)
            .catch((e: unknown) => note(`${episode.kind} failed: ${String(e)}`));
          running.add(p);
        }, atMs),
      );
    }
    // The producer stops by itself after durationMs, having flushed what it had.
    await producer.exited;
    note(`producer done (exit ${String(producer.child.exitCode)})`);
    if (producer.child.exitCode !== 0) throw new Error(`the producer failed: ${producer.stderr()}`);
    await Promise.all(running);
    await runner.settle();
    await fleet.settle();
    const drainStarted = Date.now();
    const drained = await waitForDrain(dir, options.drainTimeoutMs ?? 90_000);
    const drainMs = Date.now() - drainStarted;
    note(drained ? `drained in ${String(drainMs)} ms` : `not drained after ${String(drainMs)} ms`);
    await fleet.stopAll();
    await watcher.stop();
    const shards = await listAllShards(streamName, { kinesis });
    const facts: RunFacts = {
      leaseSamples: watcher.samples,
      shards: shards.map((s) => ({
        shardId: s.ShardId!,
        parentShardId: s.ParentShardId,
        adjacentParentShardId: s.AdjacentParentShardId,
      })),
      workerActions: fleet.actions,
      failoverTimeMs,
      producerPreservesOrder: true,
    };
    writeFileSync(runFactsPath(dir), JSON.stringify(facts));
    const history = loadHistory(dir);
    const logs = readWorkerLogs(dir);
    const report = checkHistory(history);
    const result: ChaosResult = {
      report,
      dir,
      elapsedMs: Date.now() - started,
      episodes,
      kinesisProxy: await kinesisProxy.stats(),
      dynamodbProxy: await dynamodbProxy.stats(),
      checkpointFailures: logs.checkpointFailures,
      drainMs,
      crashes: logs.fatals.length > 0 ? logs.fatals : fleet.crashes,
    };
    writeFileSync(
      join(dir, 'report.json'),
      JSON.stringify({ ...result, history: undefined }, null, 2),
    );
    return result;
  } finally {
    for (const t of timers) clearTimeout(t);
    if (producer?.alive() === true) producer.child.kill('SIGKILL');
    fleet.killAll();
    await watcher.stop();
    await Promise.all([kinesisProxy.close(), dynamodbProxy.close()]);
    await deleteStream(streamName, { kinesis }).catch(() => undefined);
    await deleteTable(tableName, { dynamodb }).catch(() => undefined);
    kinesis.destroy();
    dynamodb.destroy();
  }
}
