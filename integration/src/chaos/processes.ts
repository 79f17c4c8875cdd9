/**
 * The chaos run's child processes: each is `node --import tsx <script>`, one process, so a
 * SIGKILL or SIGSTOP hits the real worker (the tsx CLI would put a wrapper process in between).
 * stdin stays open as a lifeline: the children exit when it closes, so a runner that dies leaves
 * nothing behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root: tsx reads its tsconfig, which maps `@kinesis-kit/*` to the sources. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** A running child. @internal */
export interface ChaosChild {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** The last few KiB of stderr, for error messages. */
  stderr(): string;
  alive(): boolean;
}

/** Starts `script` (a path relative to this directory) with `env` added. @internal */
export function spawnScript(script: string, env: Readonly<Record<string, string>>): ChaosChild {
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', loader, join(__dirname, script)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.json') },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    exited,
    stderr: () => tail,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. @internal */
export async function stopChild(c: ChaosChild, graceMs: number): Promise<void> {
  if (!c.alive()) return;
  // A stopped (SIGSTOP) process cannot handle SIGTERM until it runs again.
  c.child.kill('SIGCONT');
  c.child.kill('SIGTERM');
  const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}
