/**
 * `leases` and `reset` against a real lease table written by KinesisConsumer: the table shows
 * owners, checkpoints and lag; reset refuses while a worker holds the leases or while a counter
 * moves, is a dry run by default, and moves the checkpoints when applied, so that a new worker
 * replays from TRIM_HORIZON, or resumes exactly at the first record written after a timestamp.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoLeaseStore, KinesisConsumer } from '@kinesis-kit/consumer';
import type { ConsumerRecord } from '@kinesis-kit/consumer';
import { silentLogger } from '@kinesis-kit/common';
import {
  createDynamoDBClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  destroySharedClients,
  testClientConfig,
} from '@kinesis-kit/integration';
import { jsonLines, runCli } from '../support/runCli.js';

interface LeaseJson {
  shardId: string;
  leaseOwner: string | null;
  leaseCounter: number;
  checkpoint: string;
  lagMs: number | null;
}

/** A consumer collecting record data; resolves `until` once `count` records were seen. */
const started: KinesisConsumer[] = [];

function startConsumer(streamName: string, applicationName: string, workerId: string) {
  const seen: string[] = [];
  const consumer = new KinesisConsumer({
    streamName,
    applicationName,
    workerId,
    initialPosition: 'TRIM_HORIZON',
    failoverTimeMs: 3000,
    idleTimeBetweenReadsMs: 200,
    kinesisClientConfig: testClientConfig('kinesis'),
    dynamoDBClientConfig: testClientConfig('dynamodb'),
    logger: silentLogger,
    handler: (records: readonly ConsumerRecord[]) => {
      for (const r of records) seen.push(Buffer.from(r.data).toString('utf8'));
      return Promise.resolve();
    },
  });
  started.push(consumer);
  const until = async (count: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (seen.length < count) {
      if (Date.now() > deadline) throw new Error(`saw ${seen.length} of ${count} records`);
      await sleep(100);
    }
  };
  return { consumer, seen, until };
}

/** Waits until every lease's checkpoint is a sequence number (the handler checkpointed). */
async function checkpointed(store: DynamoLeaseStore, shards: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const leases = await store.listLeases();
    if (leases.length === shards && leases.every((l) => /^\d+$/.test(l.checkpoint.sequenceNumber)))
      return;
    if (Date.now() > deadline) throw new Error('the leases were not checkpointed');
    await sleep(200);
  }
}

describe('kinesis-kit leases and reset', () => {
  const dynamodb = createDynamoDBClient();
  let streamName = '';
  const app = createLeaseTableName();
  const store = new DynamoLeaseStore({ client: dynamodb, tableName: app, consistentScans: true });

  beforeAll(async () => {
    ({ streamName } = await createTestStream(2));
  });
  afterAll(async () => {
    // stop() is idempotent: a test that failed half-way leaves no worker behind.
    await Promise.all(started.map((c) => c.stop()));
    await deleteStream(streamName).catch(() => undefined);
    await deleteTable(app).catch(() => undefined);
    dynamodb.destroy();
    destroySharedClients();
  });

  it('shows the lease table, refuses to reset held leases, then resets and replays', async () => {
    // Prepare: 40 records consumed and checkpointed by worker-a, which keeps running
    const first = Array.from({ length: 40 }, (_, i) => `r${i}`);
    expect((await runCli(['put', streamName, ...first])).code).toBe(0);
    const a = startConsumer(streamName, app, 'worker-a');
    await a.consumer.start();
    await a.until(40);
    await checkpointed(store, 2);

    // leases: owners, checkpoints and lag 0 (caught up)
    const table = await runCli(['leases', app, '--stream', streamName]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/shardId-000000000000\s+worker-a\s+…\d{12}(\/\d+)?\s+0\s+-\s+\d+/);
    const json = jsonLines<LeaseJson>(
      (await runCli(['leases', app, '--stream', streamName, '--json'])).stdout,
    );
    expect(json.map((l) => [l.shardId, l.leaseOwner, l.lagMs])).toEqual([
      ['shardId-000000000000', 'worker-a', 0],
      ['shardId-000000000001', 'worker-a', 0],
    ]);

    // reset refuses while worker-a holds them, dry run or not
    const before = await store.listLeases();
    const refused = await runCli(['reset', app, '--to', 'TRIM_HORIZON', '--apply']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('refusing: 2 leases are held by workers');
    expect(refused.stderr).toContain('owner worker-a');
    expect((await store.listLeases()).map((l) => l.checkpoint.sequenceNumber)).toEqual(
      before.map((l) => l.checkpoint.sequenceNumber),
    );

    // Act: stop the worker (graceful: checkpoint, release), dry run, then apply
    await a.consumer.stop();
    const dry = await runCli(['reset', app, '--to', 'TRIM_HORIZON']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing written. 2 leases would change');
    expect((await store.listLeases()).every((l) => /^\d+$/.test(l.checkpoint.sequenceNumber))).toBe(
      true,
    );
    const applied = await runCli([
      'reset',
      app,
      '--to',
      'TRIM_HORIZON',
      '--apply',
      '--failover-ms',
      '500',
    ]);

    // Assess: checkpoints moved, counters bumped, and a new worker replays everything
    expect(applied.stderr).toContain('watching the lease counters for 500 ms');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`reset 2 leases in ${app}.`);
    const after = await store.listLeases();
    expect(after.map((l) => l.checkpoint.sequenceNumber)).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);
    const lagged = jsonLines<LeaseJson>(
      (await runCli(['leases', app, '--stream', streamName, '--json'])).stdout,
    );
    expect(lagged.every((l) => (l.lagMs ?? 0) > 0)).toBe(true);
    const b = startConsumer(streamName, app, 'worker-b');
    await b.consumer.start();
    await b.until(40);
    expect([...b.seen].sort()).toEqual([...first].sort());
    await b.consumer.stop();
  }, 120_000);

  it('refuses when a lease counter moves while it watches, even without an owner', async () => {
    // Prepare: released leases (from the test above); someone takes one during the watch
    const leases = await store.listLeases();
    expect(leases.every((l) => l.leaseOwner === undefined)).toBe(true);
    // Act
    const reset = runCli(['reset', app, '--to', 'LATEST', '--apply', '--failover-ms', '2000']);
    await sleep(500);
    const taken = await store.takeLease(leases[0]!, 'sneaky-worker');
    const run = await reset;
    // Assess
    expect(taken.ok).toBe(true);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${leases[0]!.leaseKey} (counter moved)`);
    const now = await store.getLease(leases[1]!.leaseKey);
    expect(now?.checkpoint.sequenceNumber).not.toBe('LATEST');
    if (taken.ok) await store.releaseLease(taken.lease, 'sneaky-worker');
  }, 60_000);

  it('resets to a timestamp: a new worker resumes at the first record written after it', async () => {
    // Prepare: 20 old records, the time, 20 new ones; consumed (and checkpointed) once
    const old = Array.from({ length: 20 }, (_, i) => `old${i}`);
    const fresh = Array.from({ length: 20 }, (_, i) => `new${i}`);
    expect((await runCli(['put', streamName, ...old])).code).toBe(0);
    await sleep(1500);
    const at = new Date().toISOString();
    await sleep(300);
    expect((await runCli(['put', streamName, ...fresh])).code).toBe(0);
    const c = startConsumer(streamName, app, 'worker-c');
    await c.consumer.start();
    await c.until(40); // the 40 above: worker-b checkpointed the first 40
    await c.consumer.stop();
    // Act
    const run = await runCli([
      'reset',
      app,
      '--to',
      at,
      '--stream',
      streamName,
      '--apply',
      '--failover-ms',
      '0',
    ]);
    // Assess
    expect(run.code).toBe(0);
    const d = startConsumer(streamName, app, 'worker-d');
    await d.consumer.start();
    await d.until(20);
    await sleep(1500); // nothing more should come
    await d.consumer.stop();
    expect([...d.seen].sort()).toEqual([...fresh].sort());
  }, 120_000);

  it('says a lease table is missing, in one line', async () => {
    const run = await runCli(['leases', 'no-such-app']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `kinesis-kit leases: lease table "no-such-app" not found at ${process.env.DYNAMODB_ENDPOINT} (has the application run? --table names it when it differs from the application name)\n`,
    );
  });
});
