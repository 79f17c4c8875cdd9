/**
 * Runs the proxy as its own process (for benchmarks, the demo, or a test that wants the proxy out
 * of its event loop):
 *
 *   npx tsx integration/src/proxy/cli.ts --target http://127.0.0.1:4568 [--kind dynamodb]
 *     [--port 0] [--limits '{"writeRecordsPerSecond":500}' | --no-limits]
 *     [--faults '[{"fault":{"kind":"http-503"},"probability":0.1}]'] [--seed 42]
 *
 * The first stdout line is `{"endpoint":"http://127.0.0.1:<port>"}`. Rules, limits and counters
 * are then driven over the control endpoint (`/__proxy/*`, see control.ts). SIGINT/SIGTERM close.
 */
import { parseArgs } from 'node:util';
import type { FaultRule } from './core/faultRules.js';
import type { ProxyLimits } from './core/shardLimits.js';
import { seededRandom } from './random.js';
import { startProxy } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      kind: { type: 'string', default: 'kinesis' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      limits: { type: 'string' },
      'no-limits': { type: 'boolean', default: false },
      faults: { type: 'string' },
      seed: { type: 'string' },
      'shard-map-refresh-ms': { type: 'string' },
    },
  });
  if (values.target === undefined) throw new Error('--target <endpoint> is required');
  if (values.kind !== 'kinesis' && values.kind !== 'dynamodb') {
    throw new Error(`--kind must be kinesis or dynamodb, got ${values.kind}`);
  }
  const limits: Partial<ProxyLimits> | false = values['no-limits']
    ? false
    : values.limits === undefined
      ? {}
      : (JSON.parse(values.limits) as Partial<ProxyLimits>);
  const refresh = values['shard-map-refresh-ms'];
  const proxy = await startProxy({
    target: values.target,
    kind: values.kind,
    port: Number(values.port),
    host: values.host,
    limits,
    faults: values.faults === undefined ? [] : (JSON.parse(values.faults) as FaultRule[]),
    ...(values.seed !== undefined && { random: seededRandom(Number(values.seed)) }),
    ...(refresh !== undefined && { shardMapRefreshMs: Number(refresh) }),
  });
  console.log(JSON.stringify({ endpoint: proxy.endpoint }));
  const stop = (): void => {
    void proxy.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
