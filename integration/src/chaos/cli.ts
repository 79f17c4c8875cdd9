/**
 * `npm run chaos`: starts the embedded emulators (unless `KINESIS_ENDPOINT`/`DYNAMODB_ENDPOINT`
 * are set), runs the chaos suite, prints the schedule as it happens and the checker's report, and
 * exits 1 on any violation.
 *
 *   npm run chaos -- [--duration <s>] [--workers <3-5>] [--seed <n>] [--failover <ms>] [--rate <records/s>] [--out <dir>]
 *   npm run chaos -- --check <dir>     (checks the logs of an earlier run again)
 *
 * The same options can be given as CHAOS_DURATION_S, CHAOS_WORKERS, CHAOS_SEED, CHAOS_FAILOVER_MS,
 * CHAOS_RATE and CHAOS_OUT.
 */
import { parseArgs } from 'node:util';
import { startEmulators } from '../harness/emulators.js';
import { DYNAMODB_ENDPOINT_VAR, KINESIS_ENDPOINT_VAR } from '../harness/env.js';
import { checkHistory, formatChaosReport } from './core/checkHistory.js';
import { loadHistory } from './historyFiles.js';
import { planSchedule } from './core/schedule.js';
import { formatRunSummary } from './summary.js';
import { runChaos } from './runChaos.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.CHAOS_DURATION_S ?? '300' },
    workers: { type: 'string', default: process.env.CHAOS_WORKERS ?? '3' },
    seed: { type: 'string', default: process.env.CHAOS_SEED ?? '1' },
    failover: { type: 'string', default: process.env.CHAOS_FAILOVER_MS ?? '4000' },
    rate: { type: 'string', default: process.env.CHAOS_RATE ?? '60' },
    out: { type: 'string', default: process.env.CHAOS_OUT },
    check: { type: 'string' },
  },
});

async function main(): Promise<number> {
  if (values.check !== undefined) {
    // Checks a finished run's directory again (e.g. after changing the checker).
    const report = checkHistory(loadHistory(values.check));
    for (const line of formatChaosReport(report)) console.log(line);
    return report.ok ? 0 : 1;
  }
  const durationMs = Number(values.duration) * 1000;
  const workers = Number(values.workers);
  const seed = Number(values.seed);
  const failoverTimeMs = Number(values.failover);
  if (!(durationMs >= 20_000) || !(workers >= 3 && workers <= 5) || !Number.isInteger(seed)) {
    console.error('usage: --duration <s, at least 20> --workers <3-5> --seed <integer>');
    return 2;
  }
  const external =
    process.env[KINESIS_ENDPOINT_VAR] !== undefined &&
    process.env[DYNAMODB_ENDPOINT_VAR] !== undefined;
  const emulators = external ? undefined : await startEmulators();
  if (emulators !== undefined) {
    process.env[KINESIS_ENDPOINT_VAR] = emulators.kinesis.endpoint;
    process.env[DYNAMODB_ENDPOINT_VAR] = emulators.dynamodb.endpoint;
  }
  try {
    console.log(
      `chaos: ${String(durationMs / 1000)} s, ${String(workers)} workers, seed ${String(seed)}, failover ${String(failoverTimeMs)} ms`,
    );
    console.log('schedule:');
    for (const { atMs, episode } of planSchedule({ seed, durationMs, workers, failoverTimeMs })) {
      console.log(`  +${(atMs / 1000).toFixed(1)}s ${JSON.stringify(episode)}`);
    }
    const result = await runChaos({
      durationMs,
      workers,
      seed,
      failoverTimeMs,
      recordsPerSecond: Number(values.rate),
      ...(values.out !== undefined && { outDir: values.out }),
      log: (line) => console.log(line),
    });
    for (const line of formatRunSummary(result)) console.log(line);
    for (const line of formatChaosReport(result.report)) console.log(line);
    return result.report.ok ? 0 : 1;
  } finally {
    await emulators?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
