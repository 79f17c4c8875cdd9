import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { liveChildCount, spawnManaged } from '../../src/harness/childProcesses.js';
import { httpGetStatus } from '../../src/harness/httpProbe.js';
import { PID_DIR, killOrphans } from '../../src/harness/pidFiles.js';
import { startDynamoDB, startEmulators, startKinesisLocal } from '@kinesis-kit/integration';

// `testTimeout` in a jest project config is ignored (it is a global option): set it here.
jest.setTimeout(60_000);

const node = process.execPath;

async function waitForOutput(child: { output(): string }, text: string): Promise<void> {
  for (let i = 0; i < 200 && !child.output().includes(text); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(child.output()).toContain(text);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

describe('spawnManaged', () => {
  it('stops a well-behaved process with SIGTERM and forgets it', async () => {
    // Prepare
    const before = liveChildCount();
    const child = spawnManaged({
      label: 'sleeper',
      command: node,
      args: ['-e', "console.log('up'); setInterval(() => {}, 1000)"],
      marker: 'setInterval',
    });
    await waitForOutput(child, 'up');
    expect(liveChildCount()).toBe(before + 1);
    expect(existsSync(join(PID_DIR, `${child.pid}.json`))).toBe(true);
    // Act
    await child.stop();
    // Assess
    expect((await child.exited).signal).toBe('SIGTERM');
    expect(liveChildCount()).toBe(before);
    expect(existsSync(join(PID_DIR, `${child.pid}.json`))).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored (like kinesis-local after a failed bind)', async () => {
    const child = spawnManaged({
      label: 'stubborn',
      command: node,
      args: [
        '-e',
        "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)",
      ],
      marker: 'SIGTERM',
    });
    await waitForOutput(child, 'up');
    const started = performance.now();
    // Act
    await Promise.all([child.stop(300), child.stop(300)]);
    // Assess
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('reports a command that cannot start instead of crashing', async () => {
    const child = spawnManaged({
      label: 'missing',
      command: 'kinesis-kit-no-such-command',
      args: [],
      marker: 'x',
    });
    // Node's own Error class, not this test realm's: match on the code.
    expect((await child.exited).error).toMatchObject({ code: 'ENOENT' });
    await expect(child.stop()).resolves.toBeUndefined();
  });
});

describe('a managed child dies with its owner process', () => {
  const tsxHook = require.resolve('tsx/cjs');
  const fixture = join(__dirname, 'fixtures', 'owner.ts');

  // A killed child whose owner is gone is re-parented to pid 1, which in some containers never
  // reaps it: a zombie answers kill(pid, 0) but is dead, so look at its state where we can.
  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    if (process.platform !== 'linux') return true;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  };

  it.each([
    ['exits normally', 'exit', undefined],
    ['crashes', 'throw', undefined],
    ['gets SIGTERM', 'signal', 'SIGTERM'],
    ['gets SIGINT', 'signal', 'SIGINT'],
  ] as const)('when the owner %s', async (_name, mode, signal) => {
    // Prepare
    const owner = spawn(node, ['--require', tsxHook, fixture, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ownerExit = new Promise<NodeJS.Signals | null>((r) =>
      owner.once('exit', (_c, s) => r(s)),
    );
    const childPid = await new Promise<number>((resolve, reject) => {
      owner.stdout.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10)));
      owner.once('exit', () => reject(new Error('owner exited before printing the child pid')));
    });
    expect(isAlive(childPid)).toBe(true);
    // Act
    if (signal !== undefined) owner.kill(signal);
    const ownerSignal = await ownerExit;
    // Assess: the owner ended the expected way (signals are re-raised, not swallowed) …
    expect(ownerSignal).toBe(signal ?? null);
    // … and took the child with it (SIGKILL is immediate; allow the kernel a moment to reap).
    for (let i = 0; i < 40 && isAlive(childPid); i++) await new Promise((r) => setTimeout(r, 25));
    expect(isAlive(childPid)).toBe(false);
    expect(existsSync(join(PID_DIR, `${childPid}.json`))).toBe(false);
  });
});

describe('killOrphans', () => {
  it('kills what a dead owner left behind, but spares reused pids and live owners', async () => {
    // Prepare: a dead owner pid (a process that has exited) and two long-running processes.
    const dead = spawn(node, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const orphan = spawn(node, ['-e', 'setInterval(() => {}, 1000)', 'kinesis-kit-orphan-marker']);
    const stranger = spawn(node, ['-e', 'setInterval(() => {}, 1000)']);
    const orphanExit = new Promise<NodeJS.Signals | null>((r) =>
      orphan.once('exit', (_c, s) => r(s)),
    );
    mkdirSync(PID_DIR, { recursive: true });
    const record = (pid: number, ownerPid: number, marker: string): void =>
      writeFileSync(
        join(PID_DIR, `${pid}.json`),
        JSON.stringify({ ownerPid, pid, label: 'test', marker }),
      );
    record(orphan.pid!, dead.pid!, 'kinesis-kit-orphan-marker');
    // The stranger's command line lacks the marker: its pid was "reused" by something else.
    record(stranger.pid!, dead.pid!, 'kinesis-kit-orphan-marker');
    try {
      // Act
      const killed = killOrphans();
      // Assess
      // toContain: orphans of other, really killed runs may be cleaned up in the same call.
      expect(killed).toContain(`test (pid ${orphan.pid}, left by pid ${dead.pid})`);
      expect(killed.join()).not.toContain(`pid ${stranger.pid},`);
      expect(await orphanExit).toBe('SIGKILL');
      expect(stranger.exitCode).toBeNull();
      expect(existsSync(join(PID_DIR, `${stranger.pid}.json`))).toBe(false);
    } finally {
      orphan.kill('SIGKILL');
      stranger.kill('SIGKILL');
    }
  });
});

describe('startKinesisLocal', () => {
  it('answers on both ports and frees them on stop', async () => {
    // Act
    const kinesis = await startKinesisLocal();
    const port = Number(new URL(kinesis.endpoint).port);
    // Assess
    expect(kinesis.engine).toBe('kinesis-local');
    expect(kinesis.startupMs).toBeGreaterThan(0);
    expect(await httpGetStatus(`${kinesis.endpoint}/healthcheck`)).toBe(200);
    await kinesis.stop();
    await kinesis.stop();
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('startDynamoDB', () => {
  const noJava = 'kinesis-kit-no-such-java';

  it('falls back to dynalite with one log line when java is missing', async () => {
    // Prepare
    const warnings: string[] = [];
    // Act
    const dynamodb = await startDynamoDB({
      javaCommand: noJava,
      logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    await dynamodb.stop();
    // Assess
    expect(dynamodb.engine).toBe('dynalite');
    expect(warnings).toEqual([expect.stringMatching(/java 17\+ not found.*using dynalite/)]);
  });

  it('refuses to fall back when DynamoDB Local is demanded', async () => {
    await expect(startDynamoDB({ engine: 'dynamodb-local', javaCommand: noJava })).rejects.toThrow(
      /needs Java 17/,
    );
  });
});

describe('startEmulators', () => {
  it('uses endpoints from the environment and starts nothing for them', async () => {
    const before = liveChildCount();
    // Act
    const emulators = await startEmulators({
      env: {
        KINESIS_ENDPOINT: 'http://localhost:4566',
        DYNAMODB_ENDPOINT: 'http://localhost:4566',
      },
    });
    // Assess
    expect(emulators.kinesis).toMatchObject({
      engine: 'external',
      endpoint: 'http://localhost:4566',
    });
    expect(emulators.dynamodb).toMatchObject({ engine: 'external', startupMs: 0 });
    expect(liveChildCount()).toBe(before);
    await emulators.stop();
  });

  it('starts only what the environment does not provide', async () => {
    const emulators = await startEmulators({
      env: { KINESIS_ENDPOINT: 'http://localhost:4566' },
      dynamodbEngine: 'dynalite',
    });
    expect(emulators.kinesis.engine).toBe('external');
    expect(emulators.dynamodb.engine).toBe('dynalite');
    await emulators.stop();
  });
});
