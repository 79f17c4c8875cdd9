/**
 * Produce-to-processRecords latency, polling against enhanced fan-out, in one run on the emulator
 * (issue 6 point 5). Two in-process consumers with their own applications read the same 1-shard
 * stream at once: one polls with the default idle time (`idleTimeBetweenReadsMs`), the other
 * subscribes (`retrieval: 'fanout'`). One record at a time is put, at jittered intervals so puts
 * fall at every phase of the poll and event cycles; each record carries its put time, and each
 * handler notes `now - put` (one process, one clock). p50 and p99 per mode and their ratio are
 * printed. Both run side by side on the same records, so machine load hits both alike.
 *
 * What this measures on kinesis-local: its SubscribeToShard sends an event every second, so
 * fan-out there cannot beat ~0.5 s on average, while AWS pushes within about 70 ms; polling waits
 * up to `idleTimeBetweenReadsMs` after an empty read on both. README.fanout.md discusses this.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  testClientConfig,
} from '@kinesis-kit/integration';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { KinesisConsumer, SHARD_WORKER_DEFAULTS } from '../src/index.js';
import type { ConsumerRecord } from '../src/index.js';
import type { BenchConfig } from './config.js';
import { addSummary, ms, note, section, table } from './report.js';
import { sleep, waitUntil } from './wait.js';

type Mode = 'polling' | 'fanout';
const MODES: readonly Mode[] = ['polling', 'fanout'];

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export async function runLatencyBench(config: BenchConfig): Promise<void> {
  section(
    `Produce-to-processRecords latency: polling vs fan-out (${String(config.latencySamples)} records)`,
  );
  const kinesis = createKinesisClient();
  const { streamName } = await createTestStream(1);
  const tables = MODES.map(() => createLeaseTableName());
  const latencies: Record<Mode, Map<string, number>> = { polling: new Map(), fanout: new Map() };
  const consumers = MODES.map(
    (mode, i) =>
      new KinesisConsumer({
        streamName,
        applicationName: tables[i]!,
        retrieval: mode,
        initialPosition: 'LATEST',
        logger: new MemoryLogger(),
        kinesisClientConfig: testClientConfig('kinesis'),
        dynamoDBClientConfig: testClientConfig('dynamodb'),
        handler: (records: readonly ConsumerRecord[]) => {
          const now = Date.now();
          for (const r of records) {
            const { id, sentAt } = JSON.parse(Buffer.from(r.data).toString()) as {
              id: string;
              sentAt: number;
            };
            if (!latencies[mode].has(id)) latencies[mode].set(id, now - sentAt);
          }
        },
      }),
  );
  try {
    await Promise.all(consumers.map((c) => c.start()));
    const reading = await waitUntil(
      () => consumers.every((c) => c.processingShardIds().length === 1),
      60_000,
    );
    if (reading === undefined) throw new Error('the consumers did not take the shard');
    const put = async (id: string): Promise<void> => {
      const data = Buffer.from(JSON.stringify({ id, sentAt: Date.now() }));
      await kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: id, Data: data }),
      );
    };
    // Warm-up: both readers positioned and delivering (LATEST iterators, first subscription).
    for (let i = 0; ; i++) {
      await put(`warm-${String(i)}`);
      const ok = await waitUntil(
        () => MODES.every((m) => latencies[m].has(`warm-${String(i)}`)),
        5000,
      );
      if (ok !== undefined) break;
      if (i > 10) throw new Error('no records reached both consumers');
    }
    for (const m of MODES) latencies[m].clear();
    for (let i = 0; i < config.latencySamples; i++) {
      await put(`r${String(i)}`);
      // 250-1250 ms apart: puts land at every phase of a 1 s poll or event cycle.
      await sleep(250 + Math.floor(Math.random() * 1000));
    }
    await waitUntil(() => MODES.every((m) => latencies[m].size >= config.latencySamples), 30_000);
  } finally {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await deleteStream(streamName).catch(() => undefined);
    await Promise.all(tables.map((t) => deleteTable(t).catch(() => undefined)));
    kinesis.destroy();
  }
  const stats = MODES.map((mode) => {
    const values = [...latencies[mode].values()];
    return { mode, n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
  });
  table(
    stats.map((s) => ({
      retrieval:
        s.mode === 'polling'
          ? `polling (idle ${String(SHARD_WORKER_DEFAULTS.idleTimeBetweenReadsMs)} ms)`
          : 'fan-out (SubscribeToShard)',
      records: s.n,
      p50: ms(s.p50),
      p99: ms(s.p99),
      max: ms(percentile([...latencies[s.mode].values()], 100)),
    })),
  );
  const [polling, fanout] = stats as [(typeof stats)[0], (typeof stats)[0]];
  const ratio50 = polling.p50 / fanout.p50;
  const ratio99 = polling.p99 / fanout.p99;
  note(
    `polling / fan-out: p50 ${ratio50.toFixed(2)}x, p99 ${ratio99.toFixed(2)}x ` +
      '(kinesis-local sends a fan-out event every 1 s; AWS pushes within ~70 ms)',
  );
  for (const s of stats) {
    addSummary({
      figure: `latency p50 / p99, ${s.mode} (emulator)`,
      measured: `${ms(s.p50)} / ${ms(s.p99)}`,
      target: 'report',
      baseline:
        s.mode === 'fanout' ? `polling ${ratio50.toFixed(2)}x / ${ratio99.toFixed(2)}x` : '',
      verdict: 'info',
    });
  }
}
