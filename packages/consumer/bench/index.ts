/**
 * The consumer benchmarks (issue 5 point 11). `npm run bench -w @kinesis-kit/consumer` runs the
 * quick set in a few minutes; `BENCH_FULL=1` runs longer for steadier figures; `BENCH_ONLY=a,b`
 * picks sections (calls, throughput, fleet-3000, fleet-10000, latency). The emulators are started
 * here (or taken from KINESIS_ENDPOINT / DYNAMODB_ENDPOINT) and their endpoints exported through
 * the environment before any client or worker process exists, since the harness reads them there.
 */
import { execFileSync } from 'node:child_process';
import { startEmulators } from '@kinesis-kit/integration';
import type { Emulators } from '@kinesis-kit/integration';
import { loadLine, readBenchConfig } from './config.js';
import { runDynamoCallsBench } from './dynamoCalls.js';
import { runLiveCallsBench } from './dynamoCallsLive.js';
import { runFleetBench } from './fleet.js';
import { runLatencyBench } from './latency.js';
import { note, printSummary } from './report.js';
import { runThroughputBench } from './throughput.js';

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return loadLine();
  }
}

async function main(): Promise<void> {
  const config = readBenchConfig();
  const started = Date.now();
  note(`# @kinesis-kit/consumer benchmarks (${config.full ? 'full' : 'quick'} run)`);
  note(`node ${process.version}; ${uptime()}`);
  if (config.sections.has('calls')) await runDynamoCallsBench(config);
  const needsEmulators = [...config.sections].some((s) => s !== 'calls');
  let emulators: Emulators | undefined;
  try {
    if (needsEmulators) {
      emulators = await startEmulators({ logger: { info: () => undefined, warn: note } });
      process.env.KINESIS_ENDPOINT = emulators.kinesis.endpoint;
      process.env.DYNAMODB_ENDPOINT = emulators.dynamodb.endpoint;
      note(
        `\nemulators: Kinesis ${emulators.kinesis.engine} ${emulators.kinesis.endpoint}, ` +
          `DynamoDB ${emulators.dynamodb.engine} ${emulators.dynamodb.endpoint}`,
      );
    }
    if (config.sections.has('calls')) await runLiveCallsBench(config);
    if (config.sections.has('throughput')) await runThroughputBench(config);
    if (config.sections.has('fleet-3000')) await runFleetBench(config, 3000);
    if (config.sections.has('fleet-10000')) await runFleetBench(config, 10_000);
    if (config.sections.has('latency')) await runLatencyBench(config);
  } finally {
    await emulators?.stop();
  }
  printSummary();
  note(`Total ${((Date.now() - started) / 1000).toFixed(0)} s; at the end: ${uptime()}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
