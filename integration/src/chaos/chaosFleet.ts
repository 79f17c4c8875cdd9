/**
 * The chaos run's consumer workers: a fixed number of slots, each running one worker process at
 * a time. A restart keeps the worker id (as a host restarting its service would) and starts a new
 * instance `<workerId>#<incarnation>` with its own log. Every signal sent is recorded as a
 * {@link WorkerAction} for the checker.
 */
import type { WorkerAction } from './core/history.js';
import { workerLogPath } from './historyFiles.js';
import { spawnScript, stopChild } from './processes.js';
import type { ChaosChild } from './processes.js';

interface Slot {
  readonly workerId: string;
  incarnation: number;
  child: ChaosChild | undefined;
  state: 'running' | 'paused' | 'down';
}

/** Grace for a SIGTERM before the runner gives up and kills (a consumer stop takes ~1-3 s). */
const STOP_GRACE_MS = 20_000;

/** @internal */
export class ChaosFleet {
  readonly actions: WorkerAction[] = [];
  /** Instances that exited without being asked to. */
  readonly crashes: string[] = [];
  private readonly slots: Slot[];
  private readonly pending = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly dir: string,
    private readonly env: Readonly<Record<string, string>>,
    count: number,
  ) {
    this.slots = Array.from({ length: count }, (_, i) => ({
      workerId: `w${String(i + 1)}`,
      incarnation: 0,
      child: undefined,
      state: 'down' as const,
    }));
  }

  startAll(): void {
    this.slots.forEach((_, i) => this.start(i));
  }

  /** The instance name of slot `i`'s current process. */
  instance(i: number): string {
    const slot = this.slots[i]!;
    return `${slot.workerId}#${String(slot.incarnation)}`;
  }

  /** Slot `preferred` if it is running, else the next running slot; undefined if none. */
  pickRunning(preferred: number): number | undefined {
    for (let k = 0; k < this.slots.length; k++) {
      const i = (preferred + k) % this.slots.length;
      if (this.slots[i]!.state === 'running') return i;
    }
    return undefined;
  }

  /** The running slot whose worker owns the most leases (`owners`: worker id to count). */
  pickBusiest(owners: ReadonlyMap<string, number>): number | undefined {
    let best: number | undefined;
    let most = 0;
    this.slots.forEach((slot, i) => {
      const n = owners.get(slot.workerId) ?? 0;
      if (slot.state === 'running' && n > most) [best, most] = [i, n];
    });
    return best;
  }

  runningCount(): number {
    return this.slots.filter((s) => s.state === 'running').length;
  }

  /** SIGKILL, then a new instance after `restartAfterMs`. */
  async kill(i: number, restartAfterMs: number): Promise<void> {
    const slot = this.slots[i]!;
    if (slot.state !== 'running' || slot.child === undefined) return;
    slot.state = 'down';
    this.record(i, 'kill');
    slot.child.child.kill('SIGKILL');
    await slot.child.exited;
    this.later(restartAfterMs, () => this.start(i));
  }

  /** SIGTERM (graceful), then a new instance after `restartAfterMs`. */
  async term(i: number, restartAfterMs: number): Promise<void> {
    const slot = this.slots[i]!;
    if (slot.state !== 'running' || slot.child === undefined) return;
    slot.state = 'down';
    this.record(i, 'term');
    await stopChild(slot.child, STOP_GRACE_MS);
    this.later(restartAfterMs, () => this.start(i));
  }

  /** SIGSTOP for `pauseMs`, then SIGCONT. */
  pause(i: number, pauseMs: number): void {
    const slot = this.slots[i]!;
    if (slot.state !== 'running' || slot.child === undefined) return;
    const child = slot.child;
    slot.state = 'paused';
    this.record(i, 'pause');
    child.child.kill('SIGSTOP');
    this.later(pauseMs, () => this.resume(i, child));
  }

  /** Waits for pending restarts and resumes (the end of the run needs every worker up). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** Stops every worker gracefully. */
  async stopAll(): Promise<void> {
    await this.settle();
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot, i) => {
        if (slot.child === undefined || slot.state === 'down') return;
        this.record(i, 'term');
        slot.state = 'down';
        await stopChild(slot.child, STOP_GRACE_MS);
      }),
    );
  }

  /** Last resort (errors, signals): kill everything now. */
  killAll(): void {
    this.closing = true;
    for (const slot of this.slots) {
      if (slot.child?.alive() === true) slot.child.child.kill('SIGKILL');
    }
  }

  /** Tails of the workers' stderr, for a failed run's message. */
  stderrTails(): string[] {
    return this.slots.flatMap((s) => (s.child === undefined ? [] : [s.child.stderr()]));
  }

  private start(i: number): void {
    if (this.closing) return;
    const slot = this.slots[i]!;
    slot.incarnation += 1;
    const instance = this.instance(i);
    slot.child = spawnScript('workerProcess.ts', {
      ...this.env,
      CHAOS_WORKER_ID: slot.workerId,
      CHAOS_LOG: workerLogPath(this.dir, instance),
    });
    slot.state = 'running';
    this.record(i, 'start');
    const child = slot.child;
    void child.exited.then(() => {
      // Every exit the fleet asked for changes the state first; anything else is a crash.
      if (slot.child !== child || slot.state !== 'running' || this.closing) return;
      slot.state = 'down';
      this.record(i, 'crash');
      this.crashes.push(this.instance(i));
      this.later(1000, () => this.start(i));
    });
  }

  private resume(i: number, child: ChaosChild): void {
    const slot = this.slots[i]!;
    if (slot.child !== child || slot.state !== 'paused') return;
    this.record(i, 'resume');
    child.child.kill('SIGCONT');
    slot.state = 'running';
  }

  private record(i: number, action: WorkerAction['action']): void {
    this.actions.push({ instance: this.instance(i), action, at: Date.now() });
  }

  private later(ms: number, fn: () => void): void {
    const p = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(fn);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
