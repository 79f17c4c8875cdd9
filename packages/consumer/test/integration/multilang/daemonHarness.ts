/**
 * Runs `kcl-bootstrap` (from the sources, through tsx) or an aws-kcl app as real processes
 * against the emulators, with a properties file in a temporary directory, and reads what the
 * fixture apps recorded.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TEST_CREDENTIALS, TEST_REGION } from '@kinesis-kit/integration';

export const REPO = resolve(__dirname, '../../../../..');
export const FIXTURES = resolve(__dirname, '../../fixtures/multilang');
export const MAIN = resolve(__dirname, '../../../src/multilang/main.ts');
export const KCL_SOURCE = resolve(__dirname, '../../../src/kcl/index.ts');
const TSX_LOADER = join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs');

export interface RecordedEvent {
  readonly pid: number;
  readonly event: string;
  readonly shardId: string;
  readonly sequenceNumber?: string;
  readonly err?: string | null;
  readonly records?: readonly {
    data: string;
    partitionKey: string;
    sequenceNumber: string;
    subSequenceNumber: number;
    approximateArrivalTimestamp: number;
  }[];
}

export interface Workspace {
  readonly dir: string;
  readonly propertiesFile: string;
  readonly recorderFile: string;
  events(): RecordedEvent[];
}

/** A temporary directory with `app.properties` holding `properties` plus the emulator endpoints. */
export function workspace(properties: Record<string, string>): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'kcl-multilang-'));
  const propertiesFile = join(dir, 'app.properties');
  const recorderFile = join(dir, 'recorded.jsonl');
  const all = {
    regionName: TEST_REGION,
    kinesisEndpoint: process.env.KINESIS_ENDPOINT!,
    dynamoDBEndpoint: process.env.DYNAMODB_ENDPOINT!,
    AwsCredentialsProvider: 'DefaultCredentialsProvider',
    ...properties,
  };
  writeFileSync(
    propertiesFile,
    `# written by the multilang integration test\n${Object.entries(all)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`,
  );
  return {
    dir,
    propertiesFile,
    recorderFile,
    events: () =>
      existsSync(recorderFile)
        ? readFileSync(recorderFile, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as RecordedEvent)
        : [],
  };
}

export interface RunningProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

/** Kills every process the harness started that is still running (for afterAll). */
export function killStarted(): void {
  for (const child of running) child.kill('SIGKILL');
}

function run(
  args: readonly string[],
  ws: Workspace,
  env: NodeJS.ProcessEnv = {},
  tsx = true,
): RunningProcess {
  const child = spawn(process.execPath, [...(tsx ? ['--import', TSX_LOADER] : []), ...args], {
    cwd: ws.dir,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.json'),
      RECORDER_OUT: ws.recorderFile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | string>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown')),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `kcl-bootstrap -e -p app.properties` from the sources, in the workspace directory. */
export function startDaemon(ws: Workspace, extraArgs: readonly string[] = ['-e']): RunningProcess {
  return run([MAIN, ...extraArgs, '-p', ws.propertiesFile], ws);
}

/**
 * `node <app> --properties app.properties`: the in-process mode of our `kcl()`, from the sources
 * (through tsx) or, given `library`, from that module (e.g. the built package) with plain node.
 */
export function startInProcessApp(ws: Workspace, app: string, library?: string): RunningProcess {
  return run(
    [join(FIXTURES, app), '--properties', ws.propertiesFile],
    ws,
    { KCL_LIBRARY: library ?? KCL_SOURCE },
    library === undefined,
  );
}

/** Polls `check` until it returns true. */
export async function waitUntil(
  what: string,
  check: () => boolean,
  timeoutMs = 60_000,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a process (SIGTERM) and returns its exit code; kills it if it does not exit in time. */
export async function terminate(p: RunningProcess, timeoutMs = 30_000): Promise<number | string> {
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}
