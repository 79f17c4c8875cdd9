/**
 * Starts and controls consumer worker processes (`workerProcess.ts` under tsx) and collects their
 * JSON-line events, for multi-process tests and benchmarks.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface WorkerEvent {
  readonly t: string;
  readonly worker: string;
  readonly at: number;
  readonly [key: string]: unknown;
}

export interface FleetWorker {
  readonly id: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const ROOT = join(__dirname, '..', '..', '..', '..');

export class WorkerFleet {
  readonly events: WorkerEvent[] = [];
  readonly workers = new Map<string, FleetWorker>();
  private listeners: ((e: WorkerEvent) => void)[] = [];

  constructor(private readonly env: Readonly<Record<string, string>>) {}

  start(id: string, extraEnv: Readonly<Record<string, string>> = {}): FleetWorker {
    // `node --import tsx` runs the script in this very process: the tsx CLI would put a second
    // node process under it, and a SIGKILL of the wrapper would leave the real worker running.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'workerProcess.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.env, ...extraEnv, WORKER_ID: id },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const event = JSON.parse(line) as WorkerEvent;
      this.events.push(event);
      for (const l of this.listeners) l(event);
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const worker = { id, child, exited };
    this.workers.set(id, worker);
    return worker;
  }

  /** Resolves with the first event matching `predicate` (also one already seen). */
  waitFor(
    predicate: (e: WorkerEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<WorkerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const listener = (e: WorkerEvent): void => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(e);
      };
      this.listeners.push(listener);
    });
  }

  kill(id: string, signal: NodeJS.Signals): Promise<number | null> {
    const worker = this.workers.get(id);
    if (!worker) throw new Error(`no worker ${id}`);
    worker.child.kill(signal);
    return worker.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.workers.values()].map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 15_000);
        await w.exited;
        clearTimeout(timer);
      }),
    );
  }

  records(): WorkerEvent[] {
    return this.events.filter((e) => e.t === 'record');
  }
}
