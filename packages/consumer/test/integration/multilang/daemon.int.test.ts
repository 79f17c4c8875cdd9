/**
 * kcl-bootstrap end to end on the emulators, driving the real npm aws-kcl child library: records
 * (plain and KPL-aggregated) before and after a split reach the app once per shard process, the
 * lease table left behind is one the Java KCL reads, SIGTERM is a graceful stop, and a child that
 * never answers is killed by timeoutInSeconds while the daemon carries on.
 */
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RecordAggregator } from '@kinesis-kit/common';
import { splitShardAndWait } from '@kinesis-kit/integration';
import { javaReadableProblems } from '../../fixtures/javaLeaseTables.js';
import { FIXTURES, startDaemon, terminate, waitUntil, workspace } from './daemonHarness.js';
import { useMultiLangTestContext } from './multilangTestContext.js';
import type { RecordedEvent, RunningProcess } from './daemonHarness.js';

const ctx = useMultiLangTestContext();
const { kinesis, dynamo } = ctx;

/** Writes `keys` plain records and one KPL aggregate of two user records, tagged `tag`. */
async function produce(
  client: KinesisClient,
  streamName: string,
  tag: string,
  keys: number,
): Promise<string[]> {
  const entries = [];
  const expected: string[] = [];
  for (let k = 0; k < keys; k++) {
    const data = `${tag}-${k}`;
    expected.push(data);
    entries.push({ PartitionKey: `key-${k}`, Data: Buffer.from(data) });
  }
  const agg = new RecordAggregator({ maxBytes: 51200 });
  for (const sub of ['a', 'b']) {
    agg.add({ partitionKey: `agg-${tag}`, data: Buffer.from(`${tag}-agg-${sub}`) });
    expected.push(`${tag}-agg-${sub}`);
  }
  const rec = agg.toKinesisRecord();
  entries.push({
    PartitionKey: rec.partitionKey,
    ExplicitHashKey: rec.explicitHashKey,
    Data: rec.data,
  });
  const out = await client.send(
    new PutRecordsCommand({ StreamName: streamName, Records: entries }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  return expected;
}

function processed(events: readonly RecordedEvent[]): string[] {
  return events.flatMap((e) => (e.event === 'records' ? e.records!.map((r) => r.data) : []));
}

function explain(daemon: RunningProcess, events: () => RecordedEvent[]): () => string {
  return () =>
    `daemon stderr:\n${daemon.stderr()}\nrecorded:\n${JSON.stringify(events(), null, 1)}`;
}

describe('kcl-bootstrap with the aws-kcl child library', () => {
  it('processes every record through a split, checkpoints like the Java daemon and stops on SIGTERM', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'kclapp');
    const ws = workspace({
      executableName: `node ${FIXTURES}/recorderApp.js`,
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
      failoverTimeMillis: '5000',
      shardSyncIntervalMillis: '1000',
      parentShardPollIntervalMillis: '200',
      shutdownGraceMillis: '10000',
      processingLanguage: 'nodejs/20',
    });
    const before = await produce(kinesis, streamName, 'before', 10);

    // Act
    const daemon = startDaemon(ws);
    const why = explain(daemon, ws.events);
    await waitUntil(
      'records before the split',
      () => before.every((d) => processed(ws.events()).includes(d)),
      60_000,
      why,
    );
    const children = await splitShardAndWait(streamName, 'shardId-000000000000', undefined, {
      kinesis,
    });
    const after = await produce(kinesis, streamName, 'after', 10);
    await waitUntil(
      'records after the split',
      () => after.every((d) => processed(ws.events()).includes(d)),
      60_000,
      why,
    );
    await waitUntil(
      'child checkpoints',
      () =>
        ws.events().filter((e) => e.event === 'checkpoint' && children.includes(e.shardId))
          .length >= 2,
      30_000,
      why,
    );
    const code = await terminate(daemon);

    // Assess: every record once, de-aggregated, parent before children, each shard its own process.
    expect(code).toBe(0);
    const events = ws.events();
    const data = processed(events);
    expect([...data].sort()).toEqual([...before, ...after].sort());
    const parent = events.filter((e) => e.shardId === 'shardId-000000000000');
    expect(parent.map((e) => e.event)).toEqual([
      'initialize',
      'records',
      'checkpoint',
      'shardEnded',
    ]);
    expect(parent[0]!.sequenceNumber).toBe('TRIM_HORIZON');
    expect(parent[2]!.err).toBeNull();
    expect(parent[3]!.err).toBeNull();
    const aggregated = parent[1]!.records!.filter((r) => r.data.startsWith('before-agg'));
    expect(aggregated.map((r) => r.subSequenceNumber)).toEqual([0, 1]);
    expect(aggregated[0]!.sequenceNumber).toBe(aggregated[1]!.sequenceNumber);
    expect(typeof parent[1]!.records![0]!.approximateArrivalTimestamp).toBe('number');
    const pids = new Map(events.map((e) => [e.shardId, e.pid]));
    expect(new Set(pids.values()).size).toBe(3);
    for (const child of children) {
      const seen = events.filter((e) => e.shardId === child).map((e) => e.event);
      expect(seen[0]).toBe('initialize');
      // SIGTERM: shutdownRequested (the app checkpoints), then leaseLost, as the Java daemon.
      expect(seen.slice(-2)).toEqual(['shutdownRequested', 'leaseLost']);
    }
    expect(daemon.stderr()).toContain('note: processingLanguage is ignored');
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);

    // The lease table is one the Java KCL reads, checked as AWS's own CI does (verify_kcl.sh).
    const table = await dynamo.send(new DescribeTableCommand({ TableName: applicationName }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'leaseKey', KeyType: 'HASH' }]);
    expect(table.Table?.AttributeDefinitions).toEqual([
      { AttributeName: 'leaseKey', AttributeType: 'S' },
    ]);
    const items =
      (await dynamo.send(new ScanCommand({ TableName: applicationName, ConsistentRead: true })))
        .Items ?? [];
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) expect(javaReadableProblems(item)).toEqual([]);
    const byKey = new Map(items.map((i) => [i.leaseKey!.S!, i]));
    for (const child of children) {
      const lease = byKey.get(child)!;
      expect(lease.checkpoint!.S).toMatch(/^\d+$/);
      expect(lease.parentShardId!.SS).toEqual(['shardId-000000000000']);
      // Released on the graceful stop, so another worker takes it at once.
      expect(lease.leaseOwner).toBeUndefined();
    }
    expect(items.some((i) => i.checkpoint!.S !== 'TRIM_HORIZON')).toBe(true);
    const parentLease = byKey.get('shardId-000000000000');
    // Present at SHARD_END, or already deleted by the lease cleanup once both children started.
    expect(parentLease?.checkpoint?.S ?? 'deleted').toMatch(/^(SHARD_END|deleted)$/);
  }, 180_000);

  it('kills a child that never answers after timeoutInSeconds, fails only its shard and retries it', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'kclslow');
    const ws = workspace({
      executableName: `node ${FIXTURES}/silentApp.js`,
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
      failoverTimeMillis: '1000',
      timeoutInSeconds: '2',
      shutdownGraceMillis: '2000',
    });
    await produce(kinesis, streamName, 'slow', 2);

    // Act
    const daemon = startDaemon(ws);
    const why = explain(daemon, ws.events);
    await waitUntil(
      'the shard retried in a new child',
      () => ws.events().filter((e) => e.event === 'initialize').length >= 2,
      60_000,
      why,
    );
    const code = await terminate(daemon);

    // Assess
    expect(daemon.stderr()).toContain(
      'did not answer processRecords within timeoutInSeconds (2 s); killed it',
    );
    expect(daemon.stderr()).toContain('[shardId-000000000000] processing forever');
    const pids = ws.events().map((e) => e.pid);
    expect(new Set(pids).size).toBe(pids.length);
    expect(code).toBe(0);
  }, 120_000);

  it('stops within shutdownGraceMillis on SIGTERM even when a child never answers', async () => {
    // Prepare: no timeoutInSeconds, so only the shutdown deadline can end the silent child.
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'kclgrace');
    const ws = workspace({
      executableName: `node ${FIXTURES}/silentApp.js`,
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
      shutdownGraceMillis: '2000',
    });
    await produce(kinesis, streamName, 'grace', 1);
    const daemon = startDaemon(ws);
    await waitUntil(
      'the stuck batch',
      () => daemon.stderr().includes('processing forever'),
      60_000,
      () => daemon.stderr(),
    );

    // Act
    const started = Date.now();
    const code = await terminate(daemon, 20_000);
    const tookMs = Date.now() - started;

    // Assess: grace (2 s) plus the 1 s backstop, not the 20 s SIGKILL of the test.
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(8_000);
    expect(daemon.stderr()).toContain('processors did not finish within shutdownGraceMs');
  }, 120_000);
});
