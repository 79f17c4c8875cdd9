/**
 * A consumer worker as a separate process, for multi-process tests, benchmarks and the demo.
 * Configured by environment variables; writes one JSON line per event to stdout:
 *   {"t":"record","worker","shardId","pk","seq","subSeq","data","at"} for every record processed,
 *   {"t":"started"|"stopped"|"leaseTaken"|"leaseLost"|"shardEnded", ...},
 *   {"t":"batch","shardId","first":true,"records"} on a processor's first processRecords call,
 *   {"t":"shardEndCheckpointed","shardId"} once shardEnded's SHARD_END checkpoint is written.
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

/** Shards whose processor has had a processRecords call (the benchmarks time a child's start). */
const batchSeen = new Set<string>();

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
    initialize: () => {
      batchSeen.delete(shardId);
      return Promise.resolve();
    },
    async processRecords({ records, checkpointer }) {
      if (!batchSeen.has(shardId)) {
        batchSeen.add(shardId);
        emit({ t: 'batch', shardId, first: true, records: records.length });
      }
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
    shardEnded: async ({ checkpointer }) => {
      await checkpointer.checkpoint();
      emit({ t: 'shardEndCheckpointed', shardId });
    },
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});

consumer.events.on('leaseTaken', ({ lease }) =>
  emit({ t: 'leaseTaken', leaseKey: lease.leaseKey }),
);
consumer.events.on('leaseLost', ({ leaseKey, reason }) =>
  emit({ t: 'leaseLost', leaseKey, reason }),
);
consumer.events.on('leaseHandedOver', ({ leaseKey }) => emit({ t: 'handedOver', leaseKey }));
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
