/**
 * A consumer worker as a separate process, for multi-process tests, benchmarks and the demo.
 * Configured by environment variables; writes one JSON line per event to stdout:
 *   {"t":"record","worker","shardId","pk","seq","subSeq","data","at"} for every record processed,
 *   {"t":"started"|"stopped"|"leaseTaken"|"leaseLost"|"shardEnded", ...}.
 * SIGTERM stops it gracefully (shutdownRequested, checkpoint, release); SIGKILL is a crash.
 */
import { KinesisConsumer } from '../../src/index.js';
import { silentLogger } from '@kinesis-kit/common';
import { testClientConfig } from '@kinesis-kit/integration';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const workerId = env('WORKER_ID');
const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...event, worker: workerId, at: Date.now() })}\n`);
};

const consumer = new KinesisConsumer({
  streamName: env('STREAM_NAME'),
  applicationName: env('APPLICATION_NAME'),
  workerId,
  initialPosition: env('INITIAL_POSITION', 'TRIM_HORIZON') as 'TRIM_HORIZON' | 'LATEST',
  failoverTimeMs: Number(env('FAILOVER_TIME_MS', '10000')),
  idleTimeBetweenReadsMs: Number(env('IDLE_TIME_MS', '200')),
  kinesisClientConfig: testClientConfig('kinesis'),
  dynamoDBClientConfig: testClientConfig('dynamodb'),
  logger: silentLogger,
  processorFactory: (shardId) => ({
    initialize: () => Promise.resolve(),
    async processRecords({ records, checkpointer }) {
      for (const r of records) {
        emit({
          t: 'record',
          shardId,
          pk: r.partitionKey,
          seq: r.sequenceNumber,
          subSeq: r.subSequenceNumber,
          data: Buffer.from(r.data).toString(),
        });
      }
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => Promise.resolve(),
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});

consumer.events.on('leaseTaken', ({ lease }) =>
  emit({ t: 'leaseTaken', leaseKey: lease.leaseKey }),
);
consumer.events.on('leaseLost', ({ leaseKey, reason }) =>
  emit({ t: 'leaseLost', leaseKey, reason }),
);
consumer.events.on('shardEnded', ({ shardId }) => emit({ t: 'shardEnded', shardId }));

process.once('SIGTERM', () => {
  void consumer.stop().then(() => {
    emit({ t: 'stopped' });
    process.exit(0);
  });
});

consumer.start().then(
  () => emit({ t: 'started' }),
  (error: unknown) => {
    emit({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
