/**
 * Our `kcl()` run directly with a properties file (`node app.js --properties app.properties`):
 * the app's process hosts the consumer and re-executes the app once per shard as its protocol
 * child, so the aws-kcl-style app (one processor object per process) keeps per-shard state.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {} from '@kinesis-kit/integration';
import { startInProcessApp, terminate, waitUntil, workspace } from './daemonHarness.js';
import { useMultiLangTestContext } from './multilangTestContext.js';

const ctx = useMultiLangTestContext();
const { kinesis } = ctx;

describe('kcl(processor).run() with --properties', () => {
  it('runs the consumer in-process with one child process per shard', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(2, 'kclinproc');
    const ws = workspace({
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
      failoverTimeMillis: '3000',
    });
    const data = Array.from({ length: 20 }, (_, i) => `in-process-${i}`);
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: data.map((d, i) => ({ PartitionKey: `key-${i}`, Data: Buffer.from(d) })),
      }),
    );

    // Act
    const app = startInProcessApp(ws, 'recorderApp.js');
    await waitUntil(
      'every record',
      () => {
        const seen = ws.events().flatMap((e) => e.records?.map((r) => r.data) ?? []);
        return data.every((d) => seen.includes(d));
      },
      60_000,
      () => app.stderr(),
    );
    const code = await terminate(app);

    // Assess
    expect(code).toBe(0);
    const events = ws.events();
    const shards = [...new Set(events.map((e) => e.shardId))].sort();
    expect(shards).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const pidOf = (shardId: string): number[] => [
      ...new Set(events.filter((e) => e.shardId === shardId).map((e) => e.pid)),
    ];
    const [a, b] = shards.map(pidOf);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a![0]).not.toBe(b![0]);
    expect([a![0], b![0]]).not.toContain(app.child.pid);
    for (const shardId of shards) {
      expect(
        events
          .filter((e) => e.shardId === shardId)
          .map((e) => e.event)
          .slice(-2),
      ).toEqual(['shutdownRequested', 'leaseLost']);
    }
    expect(app.stdout()).toBe('');
  }, 120_000);
});
