/**
 * The two readers the throughput benchmark compares, and what a run of either measures. The bare
 * loop is what an application would write by hand: per shard, GetShardIterator TRIM_HORIZON, then
 * GetRecords until caught up, deaggregating each Kinesis record with the common codec and the
 * KCL's hash-range filter, and nothing else (no lease table, no checkpoints, no prefetch). When a
 * call is throttled (ProvisionedThroughputExceededException, after the client's own retries) it
 * sleeps BARE_THROTTLE_RETRY_MS and calls again with the same iterator: the sharpest fixed policy
 * that does not hammer the shard. The consumer is one in-process KinesisConsumer in handler form.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deaggregate, silentLogger } from '@kinesis-kit/common';
import { createLeaseTableName, deleteTable, testClientConfig } from '@kinesis-kit/integration';
import { DynamoLeaseStore, KinesisConsumer } from '../src/index.js';
import type { HandlerProcessorOptions } from '../src/index.js';
import { shardRange } from './streamData.js';

/** GetRecords `Limit` of the bare loop, the service's maximum and the consumer's default. */
const LIMIT = 10_000;
const READ_TIMEOUT_MS = 300_000;
/** The bare loop's pause before calling again after a throttled read. */
export const BARE_THROTTLE_RETRY_MS = 100;

export interface ReadRun {
  /** From the start of the run to the last record handed over. */
  readonly totalMs: number;
  /** From the first record handed over to the last. */
  readonly steadyMs: number;
  /** From the start of the run to the first record handed over. */
  readonly firstRecordMs: number;
  /** This process's CPU time (user + system) during the run. */
  readonly cpuMs: number;
  /** The same from the first record handed over to the last (start-up left out). */
  readonly steadyCpuMs: number;
  /** Records handed over after the first batch (what steadyCpuMs is spent on). */
  readonly steadyRecords: number;
  /** Throttled reads the reader saw (after the client's own retries). */
  readonly throttles: number;
  readonly records: number;
}

/** Counts what a reader hands over and notes when the first and the expected last arrive. */
class Tally {
  records = 0;
  bytes = 0;
  /** Throttled reads the reader saw (after the client's retries). */
  throttles = 0;
  firstAt: number | undefined;
  doneAt: number | undefined;
  private firstCpu: NodeJS.CpuUsage | undefined;
  private firstCount = 0;
  private doneCpu: NodeJS.CpuUsage | undefined;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(readonly expected: number) {}

  add(count: number, bytes: number): void {
    const now = performance.now();
    if (this.firstAt === undefined) {
      this.firstAt = now;
      this.firstCpu = process.cpuUsage();
      this.firstCount = count;
    }
    this.records += count;
    this.bytes += bytes;
    if (this.doneAt === undefined && this.records >= this.expected) {
      this.doneAt = now;
      this.doneCpu = process.cpuUsage();
      this.resolveDone();
    }
  }

  result(startedAt: number, cpuStart: NodeJS.CpuUsage): ReadRun {
    const { doneAt, firstAt, doneCpu, firstCpu } = this;
    if (doneAt === undefined || firstAt === undefined || !doneCpu || !firstCpu) {
      throw new Error(`read ${this.records} of ${this.expected} records`);
    }
    const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number =>
      (a.user + a.system - b.user - b.system) / 1000;
    return {
      totalMs: doneAt - startedAt,
      steadyMs: doneAt - firstAt,
      firstRecordMs: firstAt - startedAt,
      cpuMs: cpuMs(doneCpu, cpuStart),
      steadyCpuMs: cpuMs(doneCpu, firstCpu),
      steadyRecords: this.records - this.firstCount,
      throttles: this.throttles,
      records: this.records,
    };
  }
}

function withTimeout(promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), READ_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function readShardBare(
  kinesis: KinesisClient,
  streamName: string,
  shard: Shard,
  tally: Tally,
): Promise<void> {
  const hashRange = shardRange(shard);
  const first = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shard.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  let iterator = first.ShardIterator;
  while (iterator !== undefined && tally.doneAt === undefined) {
    let out: GetRecordsCommandOutput;
    try {
      out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: LIMIT }));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ProvisionedThroughputExceededException')) {
        throw error;
      }
      tally.throttles += 1;
      await sleep(BARE_THROTTLE_RETRY_MS);
      continue;
    }
    const records = out.Records ?? [];
    let count = 0;
    let bytes = 0;
    for (const r of records) {
      const users = deaggregate(
        {
          data: r.Data!,
          partitionKey: r.PartitionKey!,
          sequenceNumber: r.SequenceNumber!,
          approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
        },
        { hashRange },
      );
      for (const u of users) bytes += u.data.length;
      count += users.length;
    }
    if (count > 0) tally.add(count, bytes);
    if (records.length === 0 && out.MillisBehindLatest === 0) return; // caught up
    iterator = out.NextShardIterator;
  }
}

/** Where the records are read from. */
export interface Source {
  readonly label: string;
  readonly streamName: string;
  readonly shards: readonly Shard[];
  readonly userRecords: number;
  /** A fresh client per run, the same configuration for both readers. */
  readonly client: () => KinesisClient;
  /** Called before each run, before its clock starts (e.g. to reset the shards' read limits). */
  readonly beforeRun?: () => Promise<void>;
}

export async function runBare(source: Source): Promise<ReadRun> {
  await source.beforeRun?.();
  const kinesis = source.client();
  try {
    const tally = new Tally(source.userRecords);
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    const loops = Promise.all(
      source.shards.map((s) => readShardBare(kinesis, source.streamName, s, tally)),
    );
    await withTimeout(Promise.race([tally.done, loops.then(() => undefined)]), 'bare loop');
    const run = tally.result(startedAt, cpuStart);
    await loops;
    return run;
  } finally {
    kinesis.destroy();
  }
}

/** Consumer options the throughput runs vary. */
export interface ConsumerBenchOptions {
  readonly maxPrefetchBatches?: number;
  readonly minTimeBetweenReadsMs?: number;
  readonly shardReadBytesPerSecond?: number;
  readonly handlerOptions?: HandlerProcessorOptions;
}

export async function runConsumer(
  source: Source,
  options: ConsumerBenchOptions = {},
): Promise<ReadRun> {
  await source.beforeRun?.();
  const kinesis = source.client();
  const dynamo = new DynamoDBClient(testClientConfig('dynamodb'));
  const applicationName = createLeaseTableName();
  // The lease table is created before the clock starts: its creation is a deployment step.
  await new DynamoLeaseStore({ client: dynamo, tableName: applicationName }).ensureTable();
  const tally = new Tally(source.userRecords);
  const consumer = new KinesisConsumer({
    streamName: source.streamName,
    applicationName,
    initialPosition: 'TRIM_HORIZON',
    kinesisClient: kinesis,
    dynamoDBClient: dynamo,
    logger: silentLogger,
    ...options,
    handler: (records) => {
      let bytes = 0;
      for (const r of records) bytes += r.data.length;
      tally.add(records.length, bytes);
      return Promise.resolve();
    },
  });
  consumer.events.on('readThrottled', () => (tally.throttles += 1));
  try {
    const cpuStart = process.cpuUsage();
    const startedAt = performance.now();
    await consumer.start();
    await withTimeout(tally.done, 'consumer');
    return tally.result(startedAt, cpuStart);
  } finally {
    await consumer.stop();
    kinesis.destroy();
    dynamo.destroy();
    await deleteTable(applicationName).catch(() => undefined);
  }
}
