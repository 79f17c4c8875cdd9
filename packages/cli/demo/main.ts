/**
 * `npm start`: the whole toolkit in one run. Starts the embedded emulators (or uses
 * KINESIS_ENDPOINT / DYNAMODB_ENDPOINT), creates a 4-shard stream, produces at a steady rate with
 * KinesisProducer, consumes with three KinesisConsumer worker processes, reshards and crashes
 * workers while it runs, then verifies that nothing the producer acknowledged was lost.
 * Exit code 0 only when the verification passes.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createDynamoDBClient,
  createKinesisClient,
  createTestStream,
  deleteStream,
  deleteTable,
  startEmulators,
  testClientConfig,
} from '@kinesis-kit/integration';
import type { Emulators } from '@kinesis-kit/integration';
import { Fleet } from './fleet.js';
import type { WorkerEvent } from './fleet.js';
import { Monitor } from './monitor.js';
import { ProducerLoop } from './producerLoop.js';
import { runScenario } from './scenario.js';
import { formatReport, verifyDelivery } from './verify.js';
import { Screen } from './view.js';
import type { Frame } from './view.js';

const HELP = `Usage: npm start -- [options]

  --duration <s>      seconds of production (default 60; the whole run takes about 30 s more)
  --rate <n>          records per second (default 100)
  --keys <n>          partition keys (default 24)
  --failover-ms <n>   lease failover time of the workers (default 5000)
  --plain             progress lines instead of the live view, even on a terminal
  -h, --help

Uses KINESIS_ENDPOINT / DYNAMODB_ENDPOINT when set (e.g. LocalStack at http://localhost:4566).`;

interface DemoOptions {
  readonly durationMs: number;
  readonly rate: number;
  readonly keys: number;
  readonly failoverTimeMs: number;
  readonly tty: boolean;
}

function parseOptions(): DemoOptions | undefined {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '100' },
      keys: { type: 'string', default: '24' },
      'failover-ms': { type: 'string', default: '5000' },
      plain: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return undefined;
  }
  const num = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  return {
    durationMs: num('duration', values.duration, 10) * 1000,
    rate: num('rate', values.rate, 1),
    keys: Math.floor(num('keys', values.keys, 1)),
    failoverTimeMs: num('failover-ms', values['failover-ms'], 1000),
    tty: process.stdout.isTTY && !values.plain,
  };
}

async function main(): Promise<number> {
  // The SDK warns once per process (here and in every worker) that Node 20 support will end.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions();
  if (options === undefined) return 0;
  const wallStart = Date.now();
  const abort = new AbortController();
  const screen = new Screen(process.stdout, options.tty);
  const log = (line: string): void => screen.log(`${clock(wallStart)} ${line}`);
  let fleet: Fleet | undefined;
  let emulators: Emulators | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      fleet?.killAllSync();
      process.exit(130);
    }
    interrupted = true;
    screen.log(`\n${signal}: stopping everything (again to force)`);
    fleet?.killAllSync();
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => fleet?.killAllSync());

  let producer: ProducerLoop | undefined;
  let monitor: Monitor | undefined;
  let lastFrame: Frame | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const suffix = Date.now().toString(36);
  const streamName = `kinesis-kit-demo-${suffix}`;
  const applicationName = `kinesis-kit-demo-app-${suffix}`;
  try {
    log('starting the emulators (kinesis-local, DynamoDB Local)…');
    emulators = await startEmulators({
      logger: { info: (m) => log(`  ${m}`), warn: (m) => log(`  ! ${m}`) },
    });
    process.env.KINESIS_ENDPOINT = emulators.kinesis.endpoint;
    process.env.DYNAMODB_ENDPOINT = emulators.dynamodb.endpoint;
    log(
      `  Kinesis ${emulators.kinesis.endpoint} (${emulators.kinesis.engine}), DynamoDB ` +
        `${emulators.dynamodb.endpoint} (${emulators.dynamodb.engine})`,
    );
    const kinesis = createKinesisClient();
    const dynamodb = createDynamoDBClient();
    await createTestStream(4, { name: streamName, kinesis });
    log(`created stream ${streamName} with 4 shards; lease table ${applicationName}`);

    fleet = new Fleet({
      DEMO_STREAM: streamName,
      DEMO_APPLICATION: applicationName,
      DEMO_FAILOVER_MS: String(options.failoverTimeMs),
    });
    monitor = new Monitor(streamName, applicationName, kinesis, dynamodb);
    const m = monitor;
    fleet.onEvent((e) => {
      m.onWorkerEvent(e);
      const text = describeWorkerEvent(e);
      if (text !== undefined) log(text);
    });
    for (const id of ['w1', 'w2', 'w3']) fleet.start(id);
    log('started workers w1, w2, w3 (separate processes)');
    await waitUntil(
      () => [...fleet!.workers.values()].every((w) => w.state === 'running'),
      60_000,
      abort.signal,
      'the workers to start',
    );
    monitor.startPolling();

    producer = new ProducerLoop({
      streamName,
      clientConfig: testClientConfig('kinesis'),
      recordsPerSecond: options.rate,
      keys: options.keys,
    });
    const p = producer;
    const startedAt = Date.now();
    let phase = 'producing';
    const frame = (): Frame => {
      const now = Date.now();
      const owners = m.owners();
      return {
        elapsedMs: now - wallStart,
        phase,
        rows: m.rows(now, p.ackedByShard),
        producer: {
          acked: p.acked,
          perSecond: p.rate(now),
          throttled: p.throttledEntries,
          buffered: p.buffered,
          failed: p.failed,
        },
        consumed: { unique: m.uniqueConsumed, deliveries: m.deliveries },
        workers: [...fleet!.workers.values()].map((w) => ({
          id: w.id,
          state: w.state,
          leases: [...owners.values()].filter((o) => o === w.id).length,
        })),
      };
    };
    ticker = setInterval(
      () => {
        lastFrame = frame();
        screen.frame(lastFrame);
      },
      options.tty ? 250 : 1000,
    );
    producer.start();
    log(
      `producing ${options.rate} records/s over ${options.keys} keys for ${options.durationMs / 1000} s`,
    );
    await runScenario({
      streamName,
      kinesis,
      fleet,
      failoverTimeMs: options.failoverTimeMs,
      startedAt,
      durationMs: options.durationMs,
      log,
      setPhase: (s) => (phase = s),
      signal: abort.signal,
    });

    phase = 'draining';
    log('▶ production over: flushing the producer');
    await producer.stop();
    const acknowledged = producer.acknowledged();
    log(`  ${acknowledged.length} records acknowledged; waiting for the consumers to catch up`);
    const drainMs = Math.max(30_000, 4 * options.failoverTimeMs);
    const caughtUp = await waitUntil(
      () => acknowledged.every((r) => m.has(r.id)),
      drainMs,
      abort.signal,
    );
    if (!caughtUp) log(`  ! still missing records after ${drainMs / 1000} s`);
    phase = 'stopping workers';
    log('▶ stopping the workers gracefully');
    await fleet.stopAll();
    lastFrame = frame();
    clearInterval(ticker);
    ticker = undefined;
    monitor.stopPolling();
    await monitor.poll();
    screen.close(frame());

    const report = verifyDelivery(acknowledged, monitor.consumedInOrder());
    process.stdout.write('\n── verification ──\n');
    for (const line of formatReport(report)) process.stdout.write(`${line}\n`);
    if (producer.failed > 0) {
      process.stdout.write(
        `note: ${producer.failed} puts were rejected (${producer.lastError ?? ''}); they were never acknowledged\n`,
      );
    }
    process.stdout.write(`wall time ${((Date.now() - wallStart) / 1000).toFixed(1)} s\n`);
    if (emulators.kinesis.engine === 'external') {
      await deleteStream(streamName, { kinesis }).catch(() => undefined);
    }
    if (emulators.dynamodb.engine === 'external') {
      await deleteTable(applicationName, { dynamodb }).catch(() => undefined);
    }
    kinesis.destroy();
    dynamodb.destroy();
    return report.ok ? 0 : 1;
  } catch (error) {
    if (ticker !== undefined) clearInterval(ticker);
    screen.close(lastFrame);
    if (interrupted) return 130;
    process.stderr.write(
      `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    monitor?.stopPolling();
    if (interrupted) fleet?.killAllSync();
    else await fleet?.stopAll(10_000);
    // After an interrupt the emulators may be gone already: do not wait for a flush.
    if (producer !== undefined) {
      await Promise.race([producer.stop().catch(() => undefined), sleep(interrupted ? 100 : 5000)]);
    }
    await emulators?.stop();
  }
}

function describeWorkerEvent(e: WorkerEvent): string | undefined {
  switch (e.t) {
    case 'started':
      return `  ${e.w} started`;
    case 'leaseTaken':
      return `  ${e.w} ${e.stolen === true ? 'stole' : 'took'} the lease of ${e.shardId ?? '?'}`;
    case 'leaseLost':
      return `  ${e.w} lost the lease of ${e.shardId ?? '?'} (${e.reason ?? '?'})`;
    case 'shardEnded':
      return `  ${e.w} finished ${e.shardId ?? '?'} (SHARD_END checkpointed: its children may start)`;
    case 'stopped':
      return `  ${e.w} stopped (leases released)`;
    case 'fatal':
    case 'exited':
      return `  ! ${e.w}: ${e.message ?? e.t}`;
    default:
      return undefined;
  }
}

/** Polls `done` every 200 ms; false on timeout. */
async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  signal: AbortSignal,
  what?: string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      if (what !== undefined) throw new Error(`timed out waiting for ${what}`);
      return false;
    }
    await sleep(200, undefined, { signal });
  }
  return true;
}

function clock(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s`;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Sockets of SDK clients can keep the loop alive for a while; the work is done.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
