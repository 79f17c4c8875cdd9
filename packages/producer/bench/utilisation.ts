/**
 * Shard utilisation benchmark: through the shard-limit proxy in front of kinesis-local, 4 shards,
 * offered load 3x their capacity for 60 s. Reports the bytes per second the shards took (as
 * counted by the proxy, data + partition key) as a fraction of the shard limit, and throttled
 * entries as a fraction of entries sent. Target: >= 95% of the limit, <= 1% throttled.
 *
 * `BENCH_SECONDS=<n>` (or `--quick` for 15 s) shortens the run.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createTestStream,
  deleteStream,
  startKinesisLocal,
  testClientConfig,
} from '@kinesis-kit/integration';
import { startProxy } from '../../../integration/src/proxy/index.js';
import { KinesisProducer } from '../src/KinesisProducer.js';

const SHARDS = 4;
const LOAD = Number(process.env.BENCH_LOAD ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (process.argv.includes('--quick') ? 15 : 60));
const RECORD_BYTES = 1000;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const emulator = process.env.KINESIS_ENDPOINT ? undefined : await startKinesisLocal();
  const target = process.env.KINESIS_ENDPOINT ?? emulator!.endpoint;
  process.env.KINESIS_ENDPOINT = target;
  const proxy = await startProxy({ target, shardMapRefreshMs: 1000 });
  const { streamName } = await createTestStream(SHARDS);
  const producer = new KinesisProducer({
    streamName,
    kinesisClient: new KinesisClient({
      ...testClientConfig(),
      endpoint: proxy.endpoint,
      maxAttempts: 1,
    }),
    // Offered load beyond the buffer is refused at the door rather than queued in put().
    onBufferFull: 'reject',
  });
  let throttleEvents = 0;
  producer.on('throttled', () => (throttleEvents += 1));
  await producer.flush();
  proxy.reset();

  // Offer LOAD x capacity: records of ~1 KB at LOAD * SHARDS * 1 MiB/s, paced every 10 ms.
  const pad = 'x'.repeat(RECORD_BYTES - 20);
  const perTick = Math.round((LOAD * SHARDS * MiB) / (RECORD_BYTES + 12) / 100);
  let offered = 0;
  let failed = 0;
  let refused = 0;
  const failures = new Map<string, number>();
  let delivered = 0;
  const started = performance.now();
  const end = started + SECONDS * 1000;
  let last = proxy.stats();
  let lastAt = started;
  const perSecond: string[] = [];
  const reporter = setInterval(() => {
    const s = proxy.stats();
    const now = performance.now();
    const rate = (s.totals.putBytes - last.totals.putBytes - 0) / ((now - lastAt) / 1000);
    const thr = s.totals.throttledEntries - last.totals.throttledEntries;
    perSecond.push(`${(rate / (SHARDS * MiB)).toFixed(2)}${thr > 0 ? `(${thr}T)` : ''}`);
    last = s;
    lastAt = now;
  }, 1000);
  while (performance.now() < end) {
    for (let i = 0; i < perTick; i++) {
      const n = offered++;
      producer.put({ partitionKey: `k-${n}`, data: `${n}:${pad}` }).then(
        () => {
          delivered++;
        },
        (e: unknown) => {
          if ((e as Error).name === 'BufferFullError') refused++;
          else {
            failed++;
            const key = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 120);
            failures.set(key, (failures.get(key) ?? 0) + 1);
          }
        },
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const elapsed = (performance.now() - started) / 1000;
  const stats = proxy.stats();
  clearInterval(reporter);
  await producer.close();
  // putBytes counts every entry sent, throttled or not; subtract nothing: throttled entries are
  // few, and the admitted bytes are what matters. Compute admitted from shard stats.
  const admittedBytes = Object.values(stats.shards).reduce((a, s) => a + s.putBytes, 0);
  const throttled = stats.totals.throttledEntries;
  const entries = stats.totals.putEntries;
  console.log(
    `Shard utilisation benchmark: ${SHARDS} shards, offered ${LOAD}x capacity for ${SECONDS} s`,
  );
  console.log(`  per second (fraction of limit): ${perSecond.join(' ')}`);
  console.log(
    `  bytes sent (proxy count)      : ${(admittedBytes / MiB).toFixed(1)} MiB in ${elapsed.toFixed(1)} s`,
  );
  console.log(
    `  utilisation                   : ${((admittedBytes / elapsed / (SHARDS * MiB)) * 100).toFixed(1)}% of the shard limit (target >= 95%)`,
  );
  console.log(
    `  throttled entries             : ${throttled} of ${entries} (${((throttled / Math.max(1, entries)) * 100).toFixed(2)}%, target <= 1%), ${throttleEvents} throttle events`,
  );
  console.log(
    `  user records                  : offered ${offered}, delivered ${delivered}, refused (buffer full) ${refused}, failed ${failed}`,
  );
  for (const [k, v] of failures) console.log(`  failure x${v}: ${k}`);
  await proxy.close();
  await deleteStream(streamName);
  await emulator?.stop();
}

void main();
