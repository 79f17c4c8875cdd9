/**
 * The shard-limit and fault proxy, in-process: an HTTP/1.1 server on a loopback port that
 * forwards AWS JSON requests to kinesis-local (or DynamoDB Local) and enforces the service's
 * per-shard limits and the fault rules on the way.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@kinesis-kit/common';
import { accountOf, operationOf, parseJsonBody } from './awsRequest.js';
import { FaultEngine } from './core/faultRules.js';
import type { FaultRule } from './core/faultRules.js';
import { ShardLimitModel, resolveProxyLimits } from './core/shardLimits.js';
import type { ProxyLimits } from './core/shardLimits.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import type { ProxyKind } from './faultResponses.js';
import { Upstream, readBody, sendAwsError } from './http.js';
import { handleKinesis } from './kinesisHandler.js';
import { handleDynamoDB } from './pipeline.js';
import type { ProxyRequest, ProxyRuntime } from './pipeline.js';
import { ShardDirectory } from './shardDirectory.js';
import { StatsRecorder } from './stats.js';
import type { ProxyStats } from './stats.js';

/** Options of {@link startProxy}. @public */
export interface StartProxyOptions {
  /** The emulator's endpoint, e.g. `process.env.KINESIS_ENDPOINT` (plain http). */
  readonly target: string;
  /** @defaultValue 'kinesis' */
  readonly kind?: ProxyKind;
  /**
   * Per-shard rate limits (merged over the service's) or `false` for none. The PutRecords
   * request limits (500 entries, 5 MiB) apply either way. Ignored for DynamoDB.
   * @defaultValue the service's limits
   */
  readonly limits?: Partial<ProxyLimits> | false;
  /** @defaultValue none */
  readonly faults?: readonly FaultRule[];
  /** Uniform random numbers in [0, 1) for fault probabilities. @defaultValue Math.random */
  readonly random?: () => number;
  /** Monotonic milliseconds for the limit model. @defaultValue performance.now */
  readonly now?: () => number;
  /** @defaultValue 0 (a free port) */
  readonly port?: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** How often known streams' shard maps are re-read from ListShards. @defaultValue 5000 */
  readonly shardMapRefreshMs?: number;
  /** Region of the proxy's own ListShards client. @defaultValue 'us-east-1' */
  readonly region?: string;
  /** Where failures of the proxy itself go. @defaultValue console warnings */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** A running proxy. @public */
export interface ProxyServer {
  /** Point SDK clients here (`http://127.0.0.1:<port>`). */
  readonly endpoint: string;
  readonly target: string;
  readonly kind: ProxyKind;
  /** A snapshot of the counters. */
  stats(): ProxyStats;
  /** Replaces the fault rules (takes effect for the next request). */
  setFaults(rules: readonly FaultRule[]): void;
  /** Replaces the limits (merged over the service's) or turns rate limits off; buckets refill. */
  setLimits(limits: Partial<ProxyLimits> | false): void;
  /** Zeroes the counters and refills every shard's buckets; rules and limits stay. */
  reset(): void;
  /** Stops listening, drops open connections (subscriptions included). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free loopback port.
 * @public
 * @example
 * const proxy = await startProxy({ target: process.env.KINESIS_ENDPOINT! });
 * const kinesis = createKinesisClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
 * // … proxy.stats().totals.throttledEntries
 * await proxy.close();
 */
export async function startProxy(options: StartProxyOptions): Promise<ProxyServer> {
  const kind = options.kind ?? 'kinesis';
  const now = options.now ?? (() => performance.now());
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) };
  const stats = new StatsRecorder(now);
  const upstream = new Upstream(options.target);
  let limits = resolveProxyLimits(options.limits === false ? {} : options.limits);
  let limitsOn = options.limits !== false && kind === 'kinesis';
  const model = new ShardLimitModel(limits);
  const faults = new FaultEngine(options.faults ?? [], options.random ?? Math.random);
  const directory =
    kind === 'kinesis'
      ? new ShardDirectory({
          target: upstream.target,
          region: options.region ?? 'us-east-1',
          refreshIntervalMs: options.shardMapRefreshMs ?? 5000,
          onRefresh: () => stats.shardMapRefreshed(),
          onError: (message, error) => logger.warn(`[proxy] ${message}: ${describe(error)}`),
        })
      : undefined;

  const runtime: ProxyRuntime = {
    kind,
    upstream,
    faults,
    stats,
    directory,
    limitModel: () => (limitsOn ? model : undefined),
    limits: () => limits,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };

  const control = {
    target: upstream.target,
    kind,
    stats: () => stats.snapshot(),
    setFaults: (rules: readonly FaultRule[]) => faults.setRules(rules),
    setLimits: (next: Partial<ProxyLimits> | false) => {
      limits = resolveProxyLimits(next === false ? {} : next);
      limitsOn = next !== false && kind === 'kinesis';
      model.setLimits(limits);
    },
    reset: () => {
      stats.reset();
      model.reset();
    },
  };

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      logger.warn(`[proxy] ${operationOf(req) ?? req.url ?? ''}: ${describe(error)}`);
      if (res.headersSent) res.destroy();
      // The target failed (refused, reset): a gateway error the SDK classifies as transient.
      else
        sendAwsError(
          res,
          502,
          'BadGateway',
          `proxy could not reach the target: ${describe(error)}`,
        );
    });
  });
  // SDK clients keep connections alive longer than Node's 5 s default would allow.
  server.keepAliveTimeout = 60_000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.startsWith(CONTROL_PREFIX) === true) return handleControl(req, res, control);
    const body = await readBody(req);
    const operation = operationOf(req);
    if (operation === undefined) return upstream.pipe(req, body, res);
    stats.request(operation);
    const request: ProxyRequest = {
      req,
      res,
      operation,
      body,
      json: parseJsonBody(req, body),
      account: accountOf(req),
    };
    return kind === 'kinesis' ? handleKinesis(runtime, request) : handleDynamoDB(runtime, request);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    target: upstream.target,
    kind,
    stats: control.stats,
    setFaults: control.setFaults,
    setLimits: control.setLimits,
    reset: control.reset,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        directory?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        upstream.close();
      });
      return closing;
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
