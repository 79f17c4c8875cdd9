/**
 * The control endpoint: the same server answers `/__proxy/*` so that a proxy running in a child
 * process (or started by another tool) can be steered over plain HTTP. SDK requests always go to
 * `/`, so the paths cannot collide.
 *
 * - `GET  /__proxy/stats`  → {@link ProxyStats}
 * - `PUT  /__proxy/faults` ← `FaultRule[]`
 * - `PUT  /__proxy/limits` ← `Partial<ProxyLimits>` or `false`
 * - `POST /__proxy/reset`  (counters and buckets)
 * - `GET  /__proxy/health` → `{ ok: true, target, kind }`
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule } from './core/faultRules.js';
import type { ProxyLimits } from './core/shardLimits.js';
import { readBody } from './http.js';
import type { ProxyStats } from './stats.js';

/** Path prefix of the control endpoint. @public */
export const CONTROL_PREFIX = '/__proxy/';

/** What the control endpoint drives. @internal */
export interface ControlTarget {
  readonly target: string;
  readonly kind: string;
  stats(): ProxyStats;
  setFaults(rules: readonly FaultRule[]): void;
  setLimits(limits: Partial<ProxyLimits> | false): void;
  reset(): void;
}

/** Answers one control request. @internal */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  proxy: ControlTarget,
): Promise<void> {
  const path = (req.url ?? '').slice(CONTROL_PREFIX.length).split('?')[0];
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    switch (route) {
      case 'GET stats':
        return reply(res, 200, proxy.stats());
      case 'GET health':
        return reply(res, 200, { ok: true, target: proxy.target, kind: proxy.kind });
      case 'PUT faults':
        proxy.setFaults((await readJson(req)) as FaultRule[]);
        return reply(res, 200, { ok: true });
      case 'PUT limits':
        proxy.setLimits((await readJson(req)) as Partial<ProxyLimits> | false);
        return reply(res, 200, { ok: true });
      case 'POST reset':
        proxy.reset();
        return reply(res, 200, { ok: true });
      default:
        return reply(res, 404, { error: `no control route ${route}` });
    }
  } catch (error) {
    reply(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  return JSON.parse((await readBody(req)).toString('utf8')) as unknown;
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
