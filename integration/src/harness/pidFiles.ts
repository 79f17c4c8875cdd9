import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One JSON file per emulator process in a temp directory. A jest run that is SIGKILLed (or a CI job
 * that is cancelled) cannot run exit handlers, so its emulators live on and keep their ports; the
 * next harness start reads these files and kills what such a dead owner left behind.
 */
interface PidRecord {
  readonly ownerPid: number;
  readonly pid: number;
  readonly label: string;
  /** A substring of the child's command line, checked before killing so a reused pid is spared. */
  readonly marker: string;
}

/** Where the pid files live. @internal */
export const PID_DIR = join(tmpdir(), 'kinesis-kit-emulators');

const fileFor = (pid: number): string => join(PID_DIR, `${pid}.json`);

/** Records a started child. Best effort: a read-only temp dir must not stop the tests. @internal */
export function writePidFile(pid: number, label: string, marker: string): void {
  const record: PidRecord = { ownerPid: process.pid, pid, label, marker };
  try {
    mkdirSync(PID_DIR, { recursive: true });
    writeFileSync(fileFor(pid), JSON.stringify(record));
  } catch {
    // Orphan cleanup is a convenience; running without it is fine.
  }
}

/** Forgets a child that exited. Synchronous so the `exit` handler can call it. @internal */
export function removePidFile(pid: number): void {
  rmSync(fileFor(pid), { force: true });
}

/**
 * Kills emulators left behind by harness processes that no longer exist and returns what it
 * killed. Files of live owners (a parallel run, the CLI in another terminal) are left alone.
 * @internal
 */
export function killOrphans(): string[] {
  let names: string[];
  try {
    names = readdirSync(PID_DIR).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const killed: string[] = [];
  for (const name of names) {
    const path = join(PID_DIR, name);
    const record = readRecord(path);
    if (record !== undefined && isAlive(record.ownerPid)) continue;
    if (
      record !== undefined &&
      isAlive(record.pid) &&
      commandLineOf(record.pid)?.includes(record.marker)
    ) {
      try {
        process.kill(record.pid, 'SIGKILL');
        killed.push(`${record.label} (pid ${record.pid}, left by pid ${record.ownerPid})`);
      } catch {
        // It exited in the meantime.
      }
    }
    rmSync(path, { force: true });
  }
  return killed;
}

function readRecord(path: string): PidRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PidRecord>;
    const { ownerPid, pid, label, marker } = parsed;
    if (typeof ownerPid !== 'number' || typeof pid !== 'number') return undefined;
    if (typeof label !== 'string' || typeof marker !== 'string' || marker === '') return undefined;
    return { ownerPid, pid, label, marker };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive (and not ours to kill).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    }
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}
