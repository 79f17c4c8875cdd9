/**
 * The proxy in a child process, steered over its control endpoint. The child is registered with
 * the harness's process bookkeeping, so it dies with the test run even if close() is forgotten.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnManaged } from '../harness/childProcesses.js';
import { CONTROL_PREFIX } from './control.js';
import type { FaultRule } from './core/faultRules.js';
import type { ProxyLimits } from './core/shardLimits.js';
import type { ProxyKind } from './faultResponses.js';
import type { ProxyStats } from './stats.js';

/** Options of {@link startProxyProcess}. @public */
export interface StartProxyProcessOptions {
  readonly target: string;
  /** @defaultValue 'kinesis' */
  readonly kind?: ProxyKind;
  /** @defaultValue the service's limits */
  readonly limits?: Partial<ProxyLimits> | false;
  /** @defaultValue none */
  readonly faults?: readonly FaultRule[];
  /** Seed of the fault dice, for repeatable runs. @defaultValue unseeded (Math.random) */
  readonly seed?: number;
  /** @defaultValue 5000 */
  readonly shardMapRefreshMs?: number;
  /** @defaultValue 20000 */
  readonly startTimeoutMs?: number;
}

/** A proxy running in a child process; the same operations as {@link ProxyServer}, async. @public */
export interface ProxyProcess {
  readonly endpoint: string;
  readonly pid: number | undefined;
  stats(): Promise<ProxyStats>;
  setFaults(rules: readonly FaultRule[]): Promise<void>;
  setLimits(limits: Partial<ProxyLimits> | false): Promise<void>;
  reset(): Promise<void>;
  /** Stops the child (SIGTERM, then SIGKILL). Idempotent. */
  close(): Promise<void>;
}

const ENDPOINT_LINE = /\{"endpoint":"([^"]+)"\}/;

/**
 * Starts the proxy CLI (through tsx) on a free loopback port and resolves once it printed its
 * endpoint.
 * @public
 * @example
 * const proxy = await startProxyProcess({ target: process.env.KINESIS_ENDPOINT!, seed: 7 });
 * await proxy.setFaults([{ operations: ['PutRecords'], probability: 0.05, fault: { kind: 'reset' } }]);
 * await proxy.close();
 */
export async function startProxyProcess(options: StartProxyProcessOptions): Promise<ProxyProcess> {
  const cli = join(__dirname, 'cli.ts');
  const args = ['--import', pathToFileURL(require.resolve('tsx')).href, cli];
  args.push('--target', options.target, '--kind', options.kind ?? 'kinesis');
  if (options.limits === false) args.push('--no-limits');
  else if (options.limits !== undefined) args.push('--limits', JSON.stringify(options.limits));
  if (options.faults !== undefined) args.push('--faults', JSON.stringify(options.faults));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.shardMapRefreshMs !== undefined) {
    args.push('--shard-map-refresh-ms', String(options.shardMapRefreshMs));
  }
  const child = spawnManaged({
    label: 'kinesis-kit-proxy',
    command: process.execPath,
    args,
    // The repository root, whose tsconfig maps @kinesis-kit/* to the sources for tsx.
    cwd: join(dirname(cli), '..', '..', '..'),
    env: { ...process.env },
    marker: join('proxy', 'cli.ts'),
  });
  const endpoint = await waitForEndpoint(child, options.startTimeoutMs ?? 20_000);

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${endpoint}${CONTROL_PREFIX}${path}`, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    });
    const payload: unknown = await response.json();
    if (!response.ok) {
      throw new Error(`proxy control ${method} ${path}: ${JSON.stringify(payload)}`);
    }
    return payload;
  };

  return {
    endpoint,
    pid: child.pid,
    stats: async () => (await call('GET', 'stats')) as ProxyStats,
    setFaults: async (rules) => {
      await call('PUT', 'faults', rules);
    },
    setLimits: async (limits) => {
      await call('PUT', 'limits', limits);
    },
    reset: async () => {
      await call('POST', 'reset');
    },
    close: () => child.stop(),
  };
}

async function waitForEndpoint(
  child: ReturnType<typeof spawnManaged>,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = ENDPOINT_LINE.exec(child.output());
    if (match !== null) return match[1]!;
    if (child.hasExited()) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await child.stop(500);
  throw new Error(`the proxy process did not start:\n${child.output()}`);
}
