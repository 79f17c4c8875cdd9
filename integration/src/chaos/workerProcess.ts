/**
 * A chaos consumer worker: one KinesisConsumer in its own process (`node --import tsx`, started by
 * the runner), reaching Kinesis and DynamoDB through the fault proxies (`KINESIS_ENDPOINT` and
 * `DYNAMODB_ENDPOINT` point at them). It appends one JSON line per event to `CHAOS_LOG` with a
 * synchronous write, so every line logged before a SIGKILL is on disk:
 *   {"t":"take","shardId","counter","at"}            a lease taken (counter after the take)
 *   {"t":"lost","shardId","reason","at"}             a lease noticed lost
 *   {"t":"recs","shardId","counter","at","recs":[[id, pk, seq, sub], ...]}  one processRecords call
 *   {"t":"ckpt","shardId","counter","seq","sub","startedAt","at"}  a checkpoint written
 *   {"t":"ckptFail","shardId","code","at"}           a checkpoint that failed
 * The processor never throws: a failed checkpoint is logged and the next batch's covers it, as a
 * KCL application does with `ShutdownException`. So any redelivery under one lease is a consumer bug.
 * SIGTERM stops it gracefully; SIGKILL and SIGSTOP are the runner's faults.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { RecordProcessorCheckpointer } from '@kinesis-kit/consumer';
import { isKinesisKitError, silentLogger } from '@kinesis-kit/common';
import { testClientConfig } from '../harness/clients.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const fd = openSync(env('CHAOS_LOG'), 'a');
const write = (event: Record<string, unknown>): void => {
  writeSync(fd, `${JSON.stringify({ ...event, at: event.at ?? Date.now() })}\n`);
};

/** The lease counter of each shard's current lease, from the take. */
const counters = new Map<string, number>();

async function checkpoint(
  shardId: string,
  checkpointer: RecordProcessorCheckpointer,
): Promise<void> {
  const counter = counters.get(shardId);
  const startedAt = Date.now();
  try {
    await checkpointer.checkpoint();
    const value = checkpointer.lastCheckpoint;
    write({
      t: 'ckpt',
      shardId,
      counter,
      seq: value.sequenceNumber,
      sub: value.subSequenceNumber,
      startedAt,
    });
  } catch (error) {
    const code = isKinesisKitError(error) ? error.code : (error as { name?: string }).name;
    write({ t: 'ckptFail', shardId, counter, code: code ?? 'unknown', startedAt });
  }
}

const consumer = new KinesisConsumer({
  streamName: env('STREAM_NAME'),
  applicationName: env('APPLICATION_NAME'),
  workerId: env('CHAOS_WORKER_ID'),
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: Number(env('FAILOVER_TIME_MS')),
  idleTimeBetweenReadsMs: 250,
  shutdownGraceMs: 10_000,
  kinesisClientConfig: testClientConfig('kinesis'),
  dynamoDBClientConfig: testClientConfig('dynamodb'),
  logger: silentLogger,
  processorFactory: (shardId) => ({
    initialize: () => Promise.resolve(),
    async processRecords({ records, checkpointer }) {
      if (records.length === 0) return;
      write({
        t: 'recs',
        shardId,
        counter: counters.get(shardId),
        recs: records.map((r) => [
          Buffer.from(r.data).toString('utf8'),
          r.partitionKey,
          r.sequenceNumber,
          r.subSequenceNumber,
        ]),
      });
      await checkpoint(shardId, checkpointer);
    },
    leaseLost: () => Promise.resolve(),
    shardEnded: ({ checkpointer }) => checkpoint(shardId, checkpointer),
    shutdownRequested: ({ checkpointer }) => checkpoint(shardId, checkpointer),
  }),
});

consumer.events.on('leaseTaken', ({ lease, stolen }) => {
  counters.set(lease.shardId, lease.leaseCounter);
  write({ t: 'take', shardId: lease.shardId, counter: lease.leaseCounter, stolen });
});
consumer.events.on('leaseLost', ({ leaseKey, reason }) => {
  write({ t: 'lost', shardId: leaseKey, reason });
});

process.once('SIGTERM', () => {
  void consumer.stop().then(() => {
    write({ t: 'stopped' });
    closeSync(fd);
    process.exit(0);
  });
});
// The runner's lifeline: if it dies, so do we (a SIGKILLed runner cannot clean up).
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

consumer.start().then(
  () => write({ t: 'started', pid: process.pid }),
  (error: unknown) => {
    write({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
