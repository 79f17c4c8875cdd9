/**
 * Starts and stops the demo's worker processes and turns their JSON lines into events.
 *
 * Each worker is `node --import tsx worker.ts`, one process: the tsx CLI would put a wrapper
 * process in between, and a SIGKILL sent to the wrapper leaves the real worker running with its
 * leases, which is not a crash at all.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** One line of a worker's output. */
export interface WorkerEvent {
  readonly t: string;
  /** The worker id. */
  readonly w: string;
  readonly at: number;
  readonly shardId?: string;
  readonly recs?: readonly (readonly [string, string])[];
  readonly mbl?: number;
  readonly reason?: string;
  readonly stolen?: boolean;
  readonly message?: string;
}

/** What the demo knows about a worker process. */
export interface WorkerInfo {
  readonly id: string;
  readonly pid: number | undefined;
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'killed' | 'failed';
  readonly exited: Promise<void>;
}

const WORKER_ENTRY = join(__dirname, 'worker.ts');
const ROOT = join(__dirname, '..', '..', '..');

/** The demo's consumer workers. */
export class Fleet {
  readonly workers = new Map<string, WorkerInfo & { readonly child: ChildProcess }>();
  private readonly listeners: ((e: WorkerEvent) => void)[] = [];

  constructor(private readonly env: Readonly<Record<string, string>>) {}

  /** Calls `listener` for every event of every worker. */
  onEvent(listener: (e: WorkerEvent) => void): void {
    this.listeners.push(listener);
  }

  start(id: string): WorkerInfo {
    const loader = pathToFileURL(require.resolve('tsx')).href;
    const child = spawn(process.execPath, ['--import', loader, WORKER_ENTRY], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...this.env,
        DEMO_WORKER_ID: id,
        TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
      },
      // stdin stays open as a lifeline: the worker exits when it closes (we died).
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (info.state !== 'killed' && info.state !== 'stopped') {
          info.state = code === 0 ? 'stopped' : 'failed';
          if (code !== 0) {
            this.dispatch({
              t: 'exited',
              w: id,
              at: Date.now(),
              message: `exit ${code ?? signal ?? '?'} ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            });
          }
        }
        resolve();
      });
    });
    const info: WorkerInfo & { child: ChildProcess } = {
      id,
      pid: child.pid,
      state: 'starting',
      exited,
      child,
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const event = JSON.parse(line) as WorkerEvent;
      if (event.t === 'started') info.state = 'running';
      if (event.t === 'stopped') info.state = 'stopped';
      this.dispatch(event);
    });
    this.workers.set(id, info);
    return info;
  }

  /** A crash: SIGKILL, nothing released. */
  async kill(id: string): Promise<void> {
    const w = this.workers.get(id);
    if (w === undefined || !alive(w.child)) return;
    w.state = 'killed';
    w.child.kill('SIGKILL');
    await w.exited;
  }

  /** Graceful: SIGTERM (checkpoint, release), SIGKILL after `graceMs`. */
  async stop(id: string, graceMs = 20_000): Promise<void> {
    const w = this.workers.get(id);
    if (w === undefined || !alive(w.child)) return;
    w.state = 'stopping';
    w.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      w.state = 'killed';
      w.child.kill('SIGKILL');
    }, graceMs);
    await w.exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.workers.keys()].map((id) => this.stop(id, graceMs)));
  }

  /** For exit and signal handlers, where nothing asynchronous can be awaited. */
  killAllSync(): void {
    for (const w of this.workers.values()) {
      if (alive(w.child)) w.child.kill('SIGKILL');
    }
  }

  private dispatch(event: WorkerEvent): void {
    for (const l of this.listeners) l(event);
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
