/**
 * The chaos producer: a KinesisProducer in its own process (started by the runner), through the
 * Kinesis fault proxy (`KINESIS_ENDPOINT`). It puts `CHAOS_RATE` records/s round-robin over
 * `CHAOS_KEYS` partition keys for `CHAOS_DURATION_MS`, each record's data being its id
 * `<key>:<n>`, then flushes and closes. One JSON line per outcome goes to `CHAOS_LOG`:
 *   {"t":"ack","id","pk","shardId","seq","sub","put","attempts","at"}   put #`put` resolved
 *   {"t":"fail","id","pk","put","code","at"}                 put #`put` rejected
 *   {"t":"done","acked","failed","at"}
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isKinesisKitError } from '@kinesis-kit/common';
import { KinesisProducer } from '@kinesis-kit/producer';
import { testClientConfig } from '../harness/clients.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const fd = openSync(env('CHAOS_LOG'), 'a');
const write = (event: Record<string, unknown>): void => {
  writeSync(fd, `${JSON.stringify({ ...event, at: Date.now() })}\n`);
};

const rate = Number(env('CHAOS_RATE'));
const keys = Number(env('CHAOS_KEYS'));
const durationMs = Number(env('CHAOS_DURATION_MS'));

const producer = new KinesisProducer({
  streamName: env('STREAM_NAME'),
  clientConfig: testClientConfig('kinesis'),
  // Per-key order under retries needs one request in flight per shard.
  preserveOrder: true,
  recordMaxBufferedTime: 100,
  // Throttling episodes and a loaded 2-core machine delay records; none should expire.
  recordTtl: 600_000,
});

let acked = 0;
let failed = 0;
const counters = new Array<number>(keys).fill(0);
const pending = new Set<Promise<void>>();

function putOne(index: number): void {
  const k = index % keys;
  const pk = `k${String(k).padStart(2, '0')}`;
  const id = `${pk}:${String(counters[k]!++)}`;
  const p = producer.put({ partitionKey: pk, data: id }).then(
    (result) => {
      acked++;
      write({
        t: 'ack',
        id,
        pk,
        shardId: result.shardId,
        seq: result.sequenceNumber,
        sub: result.subSequenceNumber,
        put: index,
        attempts: result.attempts,
      });
    },
    (error: unknown) => {
      failed++;
      const code = isKinesisKitError(error) ? error.code : (error as { name?: string }).name;
      write({ t: 'fail', id, pk, put: index, code: code ?? 'unknown' });
    },
  );
  pending.add(p);
  void p.then(() => pending.delete(p));
}

const started = Date.now();
let sent = 0;
const timer = setInterval(() => {
  const elapsed = Math.min(Date.now() - started, durationMs);
  const due = Math.floor((elapsed / 1000) * rate);
  for (; sent < due; sent++) putOne(sent);
  if (elapsed >= durationMs) void finish();
}, 50);

let finishing: Promise<void> | undefined;
function finish(): Promise<void> {
  finishing ??= (async () => {
    clearInterval(timer);
    await producer.flush().catch(() => undefined);
    await producer.close().catch(() => undefined);
    await Promise.all(pending);
    write({ t: 'done', acked, failed });
    closeSync(fd);
    process.exit(0);
  })();
  return finishing;
}
process.once('SIGTERM', () => void finish());
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
