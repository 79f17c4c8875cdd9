/**
 * Load benchmark runner (utilisation.ts, memory.ts): through the shard-limit proxy (in front of a minimal in-process
 * Kinesis endpoint, see stubKinesisServer.ts for why not kinesis-local), 4 shards,
 * offered load 3x their capacity for 60 s. Reports the bytes per second the shards took (as
 * counted by the proxy, data + partition key) as a fraction of the shard limit, and throttled
 * entries as a fraction of entries sent. Target: >= 95% of the limit, <= 1% throttled.
 *
 * `BENCH_SECONDS=<n>` (or `--quick` for 15 s) shortens the run.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { TEST_CREDENTIALS, TEST_REGION } from '@kinesis-kit/integration';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startProxyProcess } from '../../../integration/src/proxy/index.js';
import { once } from 'node:events';
import { KinesisProducer } from '../src/KinesisProducer.js';
import { PRODUCER_DEFAULTS } from '../src/options.js';
import { producerWritable } from '../src/writable.js';
import { startStubKinesisProcess } from './stubKinesisProcess.js';

const SHARDS = 4;
const RECORD_BYTES = 1000;
const MiB = 1024 * 1024;

/** Run length: BENCH_SECONDS, or 15 s with --quick / BENCH_QUICK=1, else 60 s. */
export function benchSeconds(): number {
  const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  return Number(process.env.BENCH_SECONDS ?? (quick ? 15 : 60));
}

export interface LoadRunOptions {
  /** Offered load as a multiple of the 4 shards' capacity. */
  readonly load: number;
  readonly seconds: number;
  /** Sample RSS every 100 ms and report peak minus baseline. */
  readonly memory: boolean;
}

/** Runs the producer through the proxy at `load` x capacity and prints the figures. */
export async function runLoad({
  load: LOAD,
  seconds: SECONDS,
  memory,
}: LoadRunOptions): Promise<void> {
  const streamName = 'utilisation-bench';
  // The stub endpoint runs in a child process too: in AWS, reading and parsing the requests is
  // the service's work, and in this process it was part of what the memory benchmark measured.
  const stub = await startStubKinesisProcess(streamName, SHARDS);
  // The proxy runs in its own process so its JSON work does not slow the producer's event loop.
  const proxy = await startProxyProcess({ target: stub.endpoint, shardMapRefreshMs: 5000 });
  const producer = new KinesisProducer({
    streamName,
    kinesisClient: new KinesisClient({
      endpoint: proxy.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    }),
  });
  let throttleEvents = 0;
  producer.on('throttled', () => (throttleEvents += 1));
  await producer.flush();
  // One record first, so the proxy has learnt the stream's shards before counting starts.
  await producer.put({ partitionKey: 'warm-up', data: 'x' });
  await proxy.reset();
  global.gc?.();
  const atBaseline = process.memoryUsage();
  const baselineRss = atBaseline.rss;
  let peakRss = baselineRss;
  let atPeak = atBaseline;
  const rssSampler = memory
    ? setInterval(() => {
        const m = process.memoryUsage();
        if (m.rss > peakRss) {
          peakRss = m.rss;
          atPeak = m;
        }
      }, 100)
    : undefined;

  // Offer LOAD x capacity: records of ~1 KB at LOAD * SHARDS * 1 MiB/s, paced every 10 ms.
  const pad = 'x'.repeat(RECORD_BYTES - 20);
  let offered = 0;
  let failed = 0;
  let refused = 0;
  const failures = new Map<string, number>();
  let delivered = 0;
  const started = performance.now();
  const end = started + SECONDS * 1000;
  let last = await proxy.stats();
  let lastAt = started;
  const perSecond: string[] = [];
  const reporter = setInterval(() => void sample(), 1000);
  async function sample(): Promise<void> {
    const s = await proxy.stats();
    const now = performance.now();
    const rate = (s.totals.putBytes - last.totals.putBytes - 0) / ((now - lastAt) / 1000);
    const thr = s.totals.throttledEntries - last.totals.throttledEntries;
    perSecond.push(`${(rate / (SHARDS * MiB)).toFixed(2)}${thr > 0 ? `(${thr}T)` : ''}`);
    last = s;
    lastAt = now;
  }
  // The source writes through the producer's Writable, topping up to LOAD x capacity every few
  // ms; when the producer's buffer is full the Writable asks it to wait ('drain'), which is how
  // a well-behaved source meets backpressure.
  const writable = producerWritable(producer, { highWaterMark: 256 });
  producer.on('recordFailed', ({ error }) => {
    failed++;
    const key = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 120);
    failures.set(key, (failures.get(key) ?? 0) + 1);
  });
  const perMs = (LOAD * SHARDS * MiB) / (RECORD_BYTES + 12) / 1000;
  let target = 0;
  // The first seconds (shard map discovery in the producer and the proxy, the first buffering
  // deadline) are reported apart from the steady state.
  const WARMUP_MS = 2000;
  let warm: { at: number; bytes: number; throttled: number; entries: number } | undefined;
  while (performance.now() < end) {
    if (!warm && performance.now() - started >= WARMUP_MS) {
      const w = await proxy.stats();
      warm = {
        at: performance.now(),
        bytes: w.totals.putBytes,
        throttled: w.totals.throttledEntries,
        entries: w.totals.putEntries,
      };
    }
    target = Math.floor((performance.now() - started) * perMs);
    while (offered < target) {
      const n = offered++;
      if (!writable.write({ partitionKey: `k-${n}`, data: `${n}:${pad}` })) {
        await once(writable, 'drain');
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  refused = target - offered;
  const endedAt = performance.now();
  const elapsed = (endedAt - started) / 1000;
  const stats = await proxy.stats();
  clearInterval(reporter);
  if (rssSampler) clearInterval(rssSampler);
  writable.end();
  await producer.close();
  delivered = offered - failed;
  // putBytes counts every entry sent, throttled or not; subtract nothing: throttled entries are
  // few, and the admitted bytes are what matters. Compute admitted from shard stats.
  const admittedBytes = Object.values(stats.shards).reduce((a, s) => a + s.putBytes, 0);
  const throttled = stats.totals.throttledEntries;
  const entries = stats.totals.putEntries;
  console.log(
    `${memory ? 'Memory' : 'Shard utilisation'} benchmark: ${SHARDS} shards through the proxy, offered ${LOAD}x capacity for ${SECONDS} s, default buffer bounds`,
  );
  console.log(`  per second (fraction of limit): ${perSecond.join(' ')}`);
  console.log(
    `  bytes sent (proxy count)      : ${(admittedBytes / MiB).toFixed(1)} MiB in ${elapsed.toFixed(1)} s`,
  );
  const steadyBytes = admittedBytes - (warm?.bytes ?? 0);
  const steadySeconds = (endedAt - (warm?.at ?? started)) / 1000;
  console.log(
    `  steady state (after ${WARMUP_MS / 1000} s)     : ${((steadyBytes / steadySeconds / (SHARDS * MiB)) * 100).toFixed(1)}% of the shard limit, ${throttled - (warm?.throttled ?? 0)} of ${entries - (warm?.entries ?? 0)} entries throttled`,
  );
  console.log(
    `  utilisation                   : ${((admittedBytes / elapsed / (SHARDS * MiB)) * 100).toFixed(1)}% of the shard limit (target >= 95%)`,
  );
  console.log(
    `  throttled entries             : ${throttled} of ${entries} (${((throttled / Math.max(1, entries)) * 100).toFixed(2)}%, target <= 1%), ${throttleEvents} throttle events`,
  );
  // Fewer, fuller PutRecords requests mean fewer SDK objects and bodies alive at once.
  const requests = stats.requests.PutRecords ?? 0;
  console.log(
    `  PutRecords requests           : ${requests} (${(requests / elapsed).toFixed(1)}/s, ${(entries / Math.max(1, requests)).toFixed(1)} entries and ${(stats.totals.putBytes / Math.max(1, requests) / 1024).toFixed(0)} KiB each)`,
  );
  console.log(
    `  user records                  : ${offered}, delivered ${delivered}, refused (buffer full) ${refused}, failed ${failed}`,
  );
  for (const [k, v] of failures) console.log(`  failure x${v}: ${k}`);
  if (memory) {
    const bound = PRODUCER_DEFAULTS.maxBufferedBytes;
    const mb = (n: number): string => `${(n / MiB).toFixed(0)} MiB`;
    // Where the growth is: the V8 heap as reserved (not only used), memory outside it
    // (ArrayBuffers: records' bytes, aggregates, request bodies), and the rest of the RSS
    // (code, native buffers, and what malloc keeps after frees).
    const split = (m: NodeJS.MemoryUsage): string =>
      `heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)}), rest of RSS ${mb(m.rss - m.heapTotal - m.external)}`;
    console.log(`  at baseline: ${split(atBaseline)}`);
    console.log(`  at peak    : ${split(atPeak)}`);
    const grown = peakRss - baselineRss;
    console.log(
      `  memory: baseline RSS ${(baselineRss / MiB).toFixed(0)} MiB, peak ${(peakRss / MiB).toFixed(0)} MiB, growth ${(grown / MiB).toFixed(1)} MiB; bound ${(bound / MiB).toFixed(0)} MiB + 64 MiB = ${((bound + 64 * MiB) / MiB).toFixed(0)} MiB (${grown < bound + 64 * MiB ? 'within' : 'OVER'}; ratio ${(grown / (bound + 64 * MiB)).toFixed(2)})`,
    );
  }
  await proxy.close();
  await stub.close();
}
