/**
 * Reads the JSON-line logs of a chaos run (the producer's and one per worker instance) into the
 * checker's history. A line cut short by a SIGKILL is skipped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AckedRecord,
  ChaosHistory,
  CheckpointWrite,
  Delivery,
  LeaseLoss,
  LeaseTake,
} from './core/history.js';

/** The log file of a worker instance. @internal */
export function workerLogPath(dir: string, instance: string): string {
  return join(dir, `worker-${instance}.jsonl`);
}

/** The producer's log file. @internal */
export function producerLogPath(dir: string): string {
  return join(dir, 'producer.jsonl');
}

/** What only the runner knows: written next to the logs so a run can be checked again. */
export type RunFacts = Pick<
  ChaosHistory,
  'shards' | 'workerActions' | 'leaseSamples' | 'failoverTimeMs' | 'producerPreservesOrder'
>;

/** The file with the {@link RunFacts}. @internal */
export function runFactsPath(dir: string): string {
  return join(dir, 'run.json');
}

/** Rebuilds a run's history from its directory (logs and `run.json`). @internal */
export function loadHistory(dir: string): ChaosHistory {
  const facts = JSON.parse(readFileSync(runFactsPath(dir), 'utf8')) as RunFacts;
  const { acked, failures } = readProducerLog(dir);
  const logs = readWorkerLogs(dir);
  return {
    ...facts,
    acked,
    producerFailures: failures,
    deliveries: logs.deliveries,
    checkpoints: logs.checkpoints,
    takes: logs.takes,
    losses: logs.losses,
  };
}

type Line = Record<string, unknown>;

function readLines(path: string): Line[] {
  const lines: Line[] = [];
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text === '') continue;
    try {
      lines.push(JSON.parse(text) as Line);
    } catch {
      // The last line of a killed process may be incomplete.
    }
  }
  return lines;
}

/** What the producer's log holds. @internal */
export function readProducerLog(dir: string): { acked: AckedRecord[]; failures: number } {
  const acked: AckedRecord[] = [];
  let failures = 0;
  for (const l of readLines(producerLogPath(dir))) {
    if (l.t === 'fail') failures++;
    if (l.t !== 'ack') continue;
    acked.push({
      id: String(l.id),
      partitionKey: String(l.pk),
      shardId: String(l.shardId),
      sequenceNumber: String(l.seq),
      subSequenceNumber: Number(l.sub),
      putIndex: Number(l.put),
    });
  }
  return { acked, failures };
}

/** What every worker instance's log holds. @internal */
export interface WorkerLogs {
  readonly deliveries: Delivery[];
  readonly checkpoints: CheckpointWrite[];
  readonly takes: LeaseTake[];
  readonly losses: LeaseLoss[];
  readonly checkpointFailures: Record<string, number>;
  /** `instance: message` of every worker whose start() failed. */
  readonly fatals: string[];
}

/** Reads every `worker-*.jsonl` in `dir`. @internal */
export function readWorkerLogs(dir: string): WorkerLogs {
  const logs: WorkerLogs = {
    deliveries: [],
    checkpoints: [],
    takes: [],
    losses: [],
    checkpointFailures: {},
    fatals: [],
  };
  for (const file of readdirSync(dir).sort()) {
    const match = /^worker-(.+)\.jsonl$/.exec(file);
    if (match === null) continue;
    const instance = match[1]!;
    for (const l of readLines(join(dir, file))) addLine(logs, instance, l);
  }
  return logs;
}

function addLine(logs: WorkerLogs, instance: string, l: Line): void {
  const shardId = String(l.shardId);
  const at = Number(l.at);
  const leaseCounter = typeof l.counter === 'number' ? l.counter : undefined;
  switch (l.t) {
    case 'recs':
      for (const [id, pk, seq, sub] of l.recs as [string, string, string, number][]) {
        logs.deliveries.push({
          id,
          partitionKey: pk,
          shardId,
          sequenceNumber: seq,
          subSequenceNumber: sub,
          instance,
          leaseCounter,
          at,
        });
      }
      break;
    case 'ckpt':
      logs.checkpoints.push({
        instance,
        shardId,
        leaseCounter,
        sequenceNumber: String(l.seq),
        subSequenceNumber: Number(l.sub),
        startedAt: Number(l.startedAt),
        at,
      });
      break;
    case 'ckptFail': {
      const code = String(l.code);
      logs.checkpointFailures[code] = (logs.checkpointFailures[code] ?? 0) + 1;
      break;
    }
    case 'take':
      logs.takes.push({
        instance,
        shardId,
        leaseCounter: leaseCounter ?? 0,
        at,
        stolen: l.stolen === true,
      });
      break;
    case 'fatal':
      logs.fatals.push(`${instance}: ${String(l.message)}`);
      break;
    case 'lost':
      logs.losses.push({ instance, shardId, reason: String(l.reason), at });
      break;
    default:
      break;
  }
}
