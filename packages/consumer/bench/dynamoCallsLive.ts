/**
 * The DynamoDB call count cross-checked on the real thing: three KinesisConsumer workers in this
 * process share a 12-shard stream on the emulators, with one DynamoDB client whose middleware
 * counts every command. After the fleet has balanced, calls are counted for a real-time window
 * and extrapolated to an hour. No records flow, so no checkpoints: only the lease machinery
 * (renewals, taker scans, shard sync) is counted, as in the KCL formula it is compared with.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { silentLogger } from '@kinesis-kit/common';
import {
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  testClientConfig,
} from '@kinesis-kit/integration';
import { KinesisConsumer } from '../src/index.js';
import type { BenchConfig } from './config.js';
import { kclCallsPerLeaseHour } from './kclModel.js';
import { addSummary, ms, note, num, section, table } from './report.js';
import { sleep, waitUntil } from './wait.js';

const WORKERS = 3;
const SHARDS = 12;
const FAILOVER_MS = 10_000;
const HOUR_MS = 3_600_000;

function countingClient(counts: Map<string, number>): DynamoDBClient {
  const client = new DynamoDBClient(testClientConfig('dynamodb'));
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return client;
}

export async function runLiveCallsBench(config: BenchConfig): Promise<void> {
  section(
    `DynamoDB calls, live: ${WORKERS} workers × ${SHARDS} shards, failover ${num(FAILOVER_MS)} ms`,
  );
  const counts = new Map<string, number>();
  const dynamo = countingClient(counts);
  const { streamName } = await createTestStream(SHARDS);
  const applicationName = createLeaseTableName();
  const consumers: KinesisConsumer[] = [];
  try {
    for (let i = 0; i < WORKERS; i++) {
      const consumer = new KinesisConsumer({
        streamName,
        applicationName,
        workerId: `live-${i}`,
        initialPosition: 'LATEST',
        failoverTimeMs: FAILOVER_MS,
        kinesisClientConfig: testClientConfig('kinesis'),
        dynamoDBClient: dynamo,
        logger: silentLogger,
        handler: () => Promise.resolve(),
      });
      consumers.push(consumer);
      await consumer.start();
    }
    const balancedAfter = await waitUntil(
      () => consumers.every((c) => c.heldLeaseKeys().length === SHARDS / WORKERS),
      120_000,
    );
    if (balancedAfter === undefined) {
      note('the fleet did not balance within 120 s; counting anyway');
    } else {
      note(`balanced ${ms(balancedAfter)} after the last worker started`);
    }
    counts.clear();
    const windowStart = performance.now();
    await sleep(config.liveCallWindowMs);
    const windowMs = performance.now() - windowStart;
    const snapshot = new Map(counts);
    const perHour = (n: number): number => (n * HOUR_MS) / windowMs;
    const total = [...snapshot.values()].reduce((a, b) => a + b, 0);
    table(
      [...snapshot.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([command, n]) => ({
          command,
          calls: num(n),
          'per hour (fleet)': num(perHour(n)),
          'per lease per hour': num(perHour(n) / SHARDS, 1),
        })),
    );
    const ours = perHour(total) / SHARDS;
    const kcl = kclCallsPerLeaseHour(FAILOVER_MS, WORKERS, SHARDS);
    note(
      `window ${ms(windowMs)}: ${num(ours)} calls per lease per hour; KCL (formula) ${num(kcl)}; ` +
        `ours/KCL ${(ours / kcl).toFixed(2)}×`,
    );
    addSummary({
      figure: `DynamoDB calls per lease per hour, live (${WORKERS} × ${SHARDS}, ${ms(windowMs)} window)`,
      measured: num(ours),
      target: '—',
      baseline: `KCL ${num(kcl)} (ours ${(ours / kcl).toFixed(2)}×)`,
      verdict: 'info',
    });
  } finally {
    await Promise.all(consumers.map((c) => c.stop()));
    dynamo.destroy();
    await deleteStream(streamName).catch(() => undefined);
    await deleteTable(applicationName).catch(() => undefined);
  }
}
