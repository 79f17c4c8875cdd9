import { dirname, join } from 'node:path';
import type { Logger } from '@kinesis-kit/common';
import { spawnManaged } from './childProcesses.js';
import type { ManagedChild } from './childProcesses.js';
import { httpGetStatus } from './httpProbe.js';
import { getFreePorts } from './ports.js';
import type { KinesisEmulator } from './types.js';
import { pollUntil } from './wait.js';

/** Options of {@link startKinesisLocal}. @public */
export interface KinesisLocalOptions {
  /**
   * How long CreateStream, SplitShard, MergeShards, … stay in CREATING/UPDATING. Short, so tests
   * that reshard are fast; not zero, so the transitional states are still observable.
   * @defaultValue 50
   */
  readonly operationDurationMs?: number;
  /** @defaultValue 30000 */
  readonly startTimeoutMs?: number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

// kinesis-mock reads these; all are set to the same value because some operations read another
// operation's variable (deregister-consumer reads START_STREAM_ENCRYPTION_DURATION, and so on).
const DURATION_VARS = [
  'CREATE_STREAM_DURATION',
  'DELETE_STREAM_DURATION',
  'REGISTER_STREAM_CONSUMER_DURATION',
  'DEREGISTER_STREAM_CONSUMER_DURATION',
  'START_STREAM_ENCRYPTION_DURATION',
  'STOP_STREAM_ENCRYPTION_DURATION',
  'MERGE_SHARDS_DURATION',
  'SPLIT_SHARD_DURATION',
  'UPDATE_SHARD_COUNT_DURATION',
  'UPDATE_STREAM_MODE_DURATION',
] as const;

const ATTEMPTS = 3;
const BIND_FAILURE = /EADDRINUSE|Address already in use|BindException/;

/**
 * Starts npm `kinesis-local` (kinesis-mock, the engine LocalStack runs for Kinesis) as a child
 * process on two free ports and resolves once both its plain and its TLS port answer
 * `GET /healthcheck`. The endpoint is the plain HTTP port on loopback.
 * @public
 * @example
 * const kinesis = await startKinesisLocal();
 * // … new KinesisClient({ endpoint: kinesis.endpoint, requestHandler: new NodeHttpHandler() })
 * await kinesis.stop();
 */
export async function startKinesisLocal(
  options: KinesisLocalOptions = {},
): Promise<KinesisEmulator> {
  const packageDir = dirname(require.resolve('kinesis-local/package.json'));
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const started = performance.now();
    const [plainPort, tlsPort] = (await getFreePorts(2)) as [number, number];
    const child = spawnManaged({
      label: 'kinesis-local',
      command: process.execPath,
      args: [join(packageDir, 'main.js')],
      env: kinesisLocalEnv(packageDir, plainPort, tlsPort, options.operationDurationMs ?? 50),
      marker: join('kinesis-local', 'main.js'),
    });
    try {
      await waitHealthy(child, plainPort, tlsPort, options.startTimeoutMs ?? 30_000);
      const startupMs = Math.round(performance.now() - started);
      return {
        engine: 'kinesis-local',
        endpoint: `http://127.0.0.1:${plainPort}`,
        startupMs,
        stop: () => child.stop(),
      };
    } catch (error) {
      lastError = error;
      // A failed bind leaves a process that ignores SIGTERM: escalate quickly.
      await child.stop(500);
      if (!BIND_FAILURE.test(child.output())) break;
      options.logger?.warn(`kinesis-local could not bind port ${plainPort}/${tlsPort}; retrying`);
    }
  }
  throw new Error('kinesis-local did not start', { cause: lastError });
}

function kinesisLocalEnv(
  packageDir: string,
  plainPort: number,
  tlsPort: number,
  durationMs: number,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The default is `server.json` relative to the cwd, which crashes with ENOENT elsewhere.
    KINESIS_MOCK_CERT_PATH: join(packageDir, 'server.json'),
    KINESIS_MOCK_PLAIN_PORT: String(plainPort),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    LOG_LEVEL: 'ERROR',
    ROOT_LOG_LEVEL: 'ERROR',
    AWS_REGION: 'us-east-1',
    SHOULD_PERSIST_DATA: 'false',
    LOAD_DATA_IF_EXISTS: 'false',
  };
  // A stray INITIALIZE_STREAMS in the caller's shell would create streams the tests do not expect.
  delete env.INITIALIZE_STREAMS;
  for (const name of DURATION_VARS) env[name] = `${durationMs}ms`;
  return env;
}

async function waitHealthy(
  child: ManagedChild,
  plainPort: number,
  tlsPort: number,
  timeoutMs: number,
): Promise<void> {
  await pollUntil(
    async () => {
      const plain = await httpGetStatus(`http://127.0.0.1:${plainPort}/healthcheck`);
      const tls = await httpGetStatus(`https://127.0.0.1:${tlsPort}/healthcheck`);
      return plain === 200 && tls === 200 ? true : undefined;
    },
    {
      description: 'kinesis-local /healthcheck',
      timeoutMs,
      giveUp: () =>
        child.hasExited() || BIND_FAILURE.test(child.output())
          ? new StartFailedError(child)
          : undefined,
    },
  ).catch((error: unknown) => {
    throw error instanceof StartFailedError ? error : new StartFailedError(child, error);
  });
}

/** The emulator exited or failed to bind; carries its output so the failure says why. */
class StartFailedError extends Error {
  constructor(child: ManagedChild, cause?: unknown) {
    super(`${child.label} failed to start. Output:\n${child.output().slice(-2000)}`, { cause });
    this.name = 'StartFailedError';
  }
}
