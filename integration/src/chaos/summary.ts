/**
 * The run's own figures, printed before the checker's report: time, where the logs are, what
 * the proxies injected and throttled, and the checkpoints the processors could not write.
 */
import type { ChaosResult } from './runChaos.js';

/** Printable lines about the run. @public */
export function formatRunSummary(result: ChaosResult): string[] {
  const k = result.kinesisProxy;
  const d = result.dynamodbProxy;
  const kinds = (faults: Readonly<Record<string, number>>): string =>
    Object.entries(faults)
      .map(([kind, n]) => `${kind} ${String(n)}`)
      .join(', ') || 'none';
  const failures = Object.entries(result.checkpointFailures)
    .map(([code, n]) => `${code} ${String(n)}`)
    .join(', ');
  return [
    `run time:                  ${(result.elapsedMs / 1000).toFixed(1)} s (drain ${(result.drainMs / 1000).toFixed(1)} s); logs in ${result.dir}`,
    `Kinesis proxy:             ${String(k.totals.putEntries)} entries put, ${String(k.totals.throttledEntries)} throttled, ` +
      `${String(k.totals.failedEntries)} failed; ${String(k.totals.getRecordsCalls)} GetRecords, ${String(k.totals.throttledGetRecords)} throttled; faults: ${kinds(k.faults)}`,
    `DynamoDB proxy:            ${String(Object.values(d.requests).reduce((a, b) => a + b, 0))} requests; faults: ${kinds(d.faults)}`,
    `checkpoint failures:       ${failures === '' ? 'none' : failures}`,
    `worker crashes:            ${result.crashes.length === 0 ? 'none' : result.crashes.join('; ')}`,
  ];
}
