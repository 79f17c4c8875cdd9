/**
 * The port between a shard's protocol driver and its child process: two byte streams, stderr, a
 * way to kill it and its exit. The real adapter spawns `executableName` as the Java daemon does
 * (`ProcessBuilder(executableName.split(" +"))`: no shell, the daemon's cwd and environment);
 * unit tests plug in a scripted child on in-memory streams.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** How a child ended. @internal */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** One running child. @internal */
export interface ChildTransport {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** A short description for logs (`pid 123`). */
  readonly label: string;
  /** Resolves once the child has exited (or failed to start). */
  readonly exited: Promise<ChildExit>;
  kill(): void;
}

/** Starts one child for a shard. @internal */
export type ChildSpawner = (shardId: string) => ChildTransport;

/** Options of {@link processSpawner}. @internal */
export interface ProcessSpawnerOptions {
  /** The command and its arguments. */
  readonly command: readonly string[];
  /** @defaultValue process.cwd() */
  readonly cwd?: string;
  /** @defaultValue process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Spawns `command` per shard with piped stdio. A command that cannot start (not found) resolves
 * `exited` with code null after the 'error' event, so the driver fails that shard only.
 * @internal
 */
export function processSpawner(options: ProcessSpawnerOptions): ChildSpawner {
  const [file, ...args] = options.command;
  if (file === undefined) throw new Error('processSpawner needs a command');
  return () => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => {
        child.stderr.emit('data', Buffer.from(`cannot start ${file}: ${error.message}\n`));
        resolve({ code: null, signal: null });
      });
    });
    // A child that dies mid-write gives EPIPE on its stdin; its exit is what we report.
    child.stdin.on('error', () => undefined);
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      label: child.pid === undefined ? file : `pid ${child.pid}`,
      exited,
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}
