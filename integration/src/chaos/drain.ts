/**
 * The end of a run: the producer has stopped, and the consumers get time to deliver every
 * acknowledged record before they are stopped, so a record that is merely late is not counted lost.
 */
import { positionKey } from './core/positions.js';
import { readProducerLog, readWorkerLogs } from './historyFiles.js';

/** Polls the logs until every acknowledged record was delivered; false on timeout. @internal */
export async function waitForDrain(dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const { acked } = readProducerLog(dir);
  const missing = new Set(
    acked.map((a) => positionKey(a.shardId, a.sequenceNumber, a.subSequenceNumber)),
  );
  for (;;) {
    const delivered = readWorkerLogs(dir).deliveries;
    for (const d of delivered)
      missing.delete(positionKey(d.shardId, d.sequenceNumber, d.subSequenceNumber));
    if (missing.size === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
