/**
 * Mixed fleets through kcl-bootstrap: a lease table whose `Migration3.0` item says a Java KCL 3.x
 * fleet (leader-based assignment) runs on it, with a worker heartbeat younger than 60 s, is
 * refused with the migration message; the same table left by stopped 3.x workers is taken over.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { deleteTable, uniqueName } from '@kinesis-kit/integration';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoLeaseStore } from '../../../src/adapters/dynamoLeaseStore.js';
import { loadJavaLeaseTable } from '../../fixtures/javaLeaseTables.js';
import { FIXTURES, startDaemon, terminate, waitUntil, workspace } from './daemonHarness.js';
import { bootstrapLines, useMultiLangTestContext } from './multilangTestContext.js';

const ctx = useMultiLangTestContext();
const { kinesis, cleanups, dynamo } = ctx;

/**
 * Creates the lease table with the Java 3.x fixture's items; `heartbeatAgeSeconds` sets the
 * worker's last report (`lut`). `withLeases` keeps the fixture's leases (their sequence numbers
 * are not in our test stream, so the take-over case leaves them out).
 */
async function javaFleetTable(
  tableName: string,
  heartbeatAgeSeconds: number,
  withLeases: boolean,
): Promise<void> {
  const store = new DynamoLeaseStore({
    client: dynamo,
    tableName,
    tableActivePollMs: 50,
    coordinatorStateTableName: null,
    workerMetricsTableName: null,
  });
  await store.ensureTable();
  const fixture = loadJavaLeaseTable('kcl3x-single-table');
  const lut = String(Math.floor(Date.now() / 1000) - heartbeatAgeSeconds);
  for (const item of fixture.items) {
    const entity = item.entityType?.S;
    if (!withLeases && (entity === undefined || entity === 'LEASE')) continue;
    const row: Record<string, AttributeValue> =
      entity === 'WORKER_METRIC_STATS' ? { ...item, lut: { N: lut } } : item;
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item: row }));
  }
}

describe('kcl-bootstrap start-up failures', () => {
  it('stops with one line when the stream does not exist', async () => {
    const applicationName = uniqueName('nostream');
    cleanups.push(() => deleteTable(applicationName));
    const ws = workspace({
      executableName: `node ${FIXTURES}/recorderApp.js`,
      streamName: uniqueName('missing'),
      applicationName,
    });

    const daemon = startDaemon(ws);
    const code = await daemon.exited;

    expect(code).toBe(1);
    const lines = bootstrapLines(daemon);
    expect(lines).toEqual([
      expect.stringMatching(/^kcl-bootstrap: could not start: ResourceNotFoundException: /),
    ]);
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('kcl-bootstrap on a Java KCL 3.x lease table', () => {
  it('refuses a table whose 3.x fleet is alive, saying how to migrate', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'java3live');
    await javaFleetTable(applicationName, 5, true);
    const ws = workspace({
      executableName: `node ${FIXTURES}/recorderApp.js`,
      streamName,
      applicationName,
    });

    // Act
    const daemon = startDaemon(ws);
    const code = await daemon.exited;

    // Assess: one clear line, no stack trace, no child started, the Java leases untouched.
    expect(code).toBe(1);
    const lines = bootstrapLines(daemon);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^kcl-bootstrap: this lease table belongs to a running Java KCL 3\.x fleet \(Migration3\.0 = CLIENT_VERSION_3X, live workers: java3-worker-a\)/,
    );
    expect(lines[0]).toContain('To migrate, either stop the Java fleet');
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);
    expect(ws.events()).toEqual([]);
  }, 60_000);

  it('takes over a table left by stopped 3.x workers', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'java3gone');
    await javaFleetTable(applicationName, 3600, false);
    await kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: 'k',
        Data: Buffer.from('after-java'),
      }),
    );
    const ws = workspace({
      executableName: `node ${FIXTURES}/recorderApp.js`,
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
      failoverTimeMillis: '1000',
    });

    // Act
    const daemon = startDaemon(ws);
    await waitUntil(
      'the record',
      () => ws.events().some((e) => e.records?.some((r) => r.data === 'after-java')),
      60_000,
      () => daemon.stderr(),
    );
    const code = await terminate(daemon);

    // Assess
    expect(code).toBe(0);
    expect(daemon.stderr()).toContain(
      'taking over a lease table left by stopped Java KCL 3.x workers',
    );
  }, 90_000);
});
