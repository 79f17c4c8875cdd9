/**
 * One consumer worker of the demo, as its own process (started by `fleet.ts` under tsx).
 * Configured by environment variables; reports on stdout, one JSON object per line:
 *   {"t":"recs","shardId","recs":[[partitionKey, data], ...],"mbl"} per processRecords call,
 *   {"t":"started"|"stopped"|"leaseTaken"|"leaseLost"|"shardEnded"|"fatal", ...}.
 * SIGTERM stops it gracefully (checkpoint and release); SIGKILL is a crash. It also exits when its
 * stdin closes, so a demo that dies without cleaning up never leaves a worker behind.
 */
import { KinesisConsumer } from '@kinesis-kit/consumer';
import { silentLogger } from '@kinesis-kit/common';
import { testClientConfig } from '@kinesis-kit/integration';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const workerId = env('DEMO_WORKER_ID');
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...event, w: workerId, at: Date.now() })}\n`);
};

const consumer = new KinesisConsumer({
  streamName: env('DEMO_STREAM'),
  applicationName: env('DEMO_APPLICATION'),
  workerId,
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: Number(env('DEMO_FAILOVER_MS', '5000')),
  idleTimeBetweenReadsMs: 500,
  shutdownGraceMs: 10_000,
  kinesisClientConfig: testClientConfig('kinesis'),
  dynamoDBClientConfig: testClientConfig('dynamodb'),
  logger: silentLogger,
  processorFactory: (shardId) => ({
    initialize: () => Promise.resolve(),
    async processRecords({ records, checkpointer, millisBehindLatest }) {
      if (records.length > 0) {
        emit({
          t: 'recs',
          shardId,
          mbl: millisBehindLatest,
          recs: records.map((r) => [r.partitionKey, Buffer.from(r.data).toString('utf8')]),
        });
        await checkpointer.checkpoint();
      }
    },
    leaseLost: () => Promise.resolve(),
    async shardEnded({ checkpointer }) {
      await checkpointer.checkpoint();
      emit({ t: 'shardEnded', shardId });
    },
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});

consumer.events.on('leaseTaken', ({ lease, stolen }) =>
  emit({ t: 'leaseTaken', shardId: lease.shardId, stolen }),
);
consumer.events.on('leaseLost', ({ leaseKey, reason }) =>
  emit({ t: 'leaseLost', shardId: leaseKey, reason }),
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void consumer.stop().then(() => {
    emit({ t: 'stopped' });
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

consumer.start().then(
  () => emit({ t: 'started', pid: process.pid }),
  (error: unknown) => {
    emit({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
