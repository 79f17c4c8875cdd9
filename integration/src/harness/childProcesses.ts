import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { runInThisContext } from 'node:vm';
import { removePidFile, writePidFile } from './pidFiles.js';

/** How a managed child ended. @internal */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  readonly error?: Error;
}

/** An emulator child process that is killed when this process exits. @internal */
export interface ManagedChild {
  readonly label: string;
  readonly pid: number | undefined;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  hasExited(): boolean;
  /** The last few KiB of stdout and stderr, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link spawnManaged}. @internal */
export interface SpawnManagedOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A substring of the command line that identifies this emulator, for orphan cleanup. */
  readonly marker: string;
}

const OUTPUT_TAIL_CHARS = 16 * 1024;
const DEFAULT_GRACE_MS = 3000;
const live = new Set<ChildProcess>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

// Inside a jest test the global `process` is a copy whose `exit` and signal events never fire, so
// handlers installed on it would never run. The vm module belongs to the main context, where
// `process` is the real one (outside jest this is simply the same object).
const realProcess = runInThisContext('process') as NodeJS.Process;

/**
 * Spawns an emulator and registers it so it dies with us, without keeping this process alive.
 * While any child lives, this process has an `exit` handler (synchronous SIGKILL: nothing async
 * can run there, and the emulators are in-memory, so nothing is lost) and SIGINT/SIGTERM/SIGHUP
 * handlers that kill the children and then re-raise the signal, so the default "terminate"
 * behaviour is kept. A pid file covers SIGKILL.
 * This is test infrastructure: the library packages install no signal handlers.
 * @internal
 */
export function spawnManaged(options: SpawnManagedOptions): ManagedChild {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const capture = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  // An emulator never keeps this process alive by itself: a test that forgets stop() must not
  // hang jest. The exit handler below still kills it when the process ends.
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);

  let done = false;
  const exited = new Promise<ChildExit>((resolve) => {
    const finish = (exit: ChildExit): void => {
      if (done) return;
      done = true;
      unregister(child);
      resolve(exit);
    };
    child.once('exit', (code, signal) => finish({ code, signal }));
    child.once('error', (error) => finish({ code: null, signal: null, error }));
  });
  if (child.pid !== undefined) register(child, options.label, options.marker);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = DEFAULT_GRACE_MS): Promise<void> => {
    stopping ??= (async () => {
      if (done) return;
      // Referenced again so a script that awaits stop() is not ended before the exit arrives.
      child.ref();
      child.kill('SIGTERM');
      // kinesis-local ignores SIGTERM after a failed bind; the grace timer then escalates.
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return {
    label: options.label,
    pid: child.pid,
    exited,
    hasExited: () => done,
    output: () => tail,
    stop,
  };
}

/** Number of emulator children this process currently owns (for tests of the cleanup). @internal */
export function liveChildCount(): number {
  return live.size;
}

function unrefStream(stream: unknown): void {
  // stdio pipes are net.Socket instances at run time, though typed as plain streams.
  (stream as { unref?: () => void } | null)?.unref?.();
}

function register(child: ChildProcess, label: string, marker: string): void {
  if (live.size === 0) installHandlers();
  live.add(child);
  writePidFile(child.pid!, label, marker);
}

function unregister(child: ChildProcess): void {
  if (!live.delete(child)) return;
  if (child.pid !== undefined) removePidFile(child.pid);
  if (live.size === 0) uninstallHandlers();
}

function killAllSync(): void {
  for (const child of live) {
    child.kill('SIGKILL');
    if (child.pid !== undefined) removePidFile(child.pid);
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  uninstallHandlers();
  // Re-raise: with our listener gone the default action (or someone else's handler) applies.
  realProcess.kill(realProcess.pid, signal);
}

function installHandlers(): void {
  realProcess.on('exit', killAllSync);
  for (const signal of SIGNALS) realProcess.on(signal, onSignal);
}

function uninstallHandlers(): void {
  realProcess.off('exit', killAllSync);
  for (const signal of SIGNALS) realProcess.off(signal, onSignal);
}
