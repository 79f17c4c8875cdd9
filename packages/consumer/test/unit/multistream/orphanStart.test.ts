/**
 * An orphan stream's lease (in the table, not listed) is started after its stream is bound, in a
 * promise callback: a worker that cannot be built there must be reported, not become an unhandled
 * rejection with the lease held and never processed.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { FakeStreams, shardIdOf, startApp, waitFor } from './multiStreamHarness.js';
import type { App } from './multiStreamHarness.js';

const apps: App[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

describe('multi-stream: an orphan lease that cannot be started', () => {
  it('is reported and released when it is at AT_TIMESTAMP and no timestamp is configured', async () => {
    // Prepare: the orphan's lease was written AT_TIMESTAMP; orphaned streams start LATEST here.
    const streams = new FakeStreams();
    const store = new InMemoryLeaseStore();
    streams.create('orders');
    const orphan = streams.create('orphan');
    const leaseKey = `${orphan}:${shardIdOf(0)}`;
    await store.createLeaseIfNotExists({
      leaseKey,
      shardId: shardIdOf(0),
      streamIdentifier: orphan,
      checkpoint: ExtendedSequenceNumber.of('AT_TIMESTAMP'),
      parentShardIds: [],
    });

    // Act
    const app = await startApp({ store, streams, tracker: ['orders'], seen: [] });
    apps.push(app);
    await waitFor(() => app.events.error.some((e) => e.operation === 'startShard'), 'the report');
    await waitFor(
      async () => (await store.getLease(leaseKey))?.leaseOwner === undefined,
      'release',
    );
    await new Promise((r) => setTimeout(r, 50));

    // Assess
    const report = app.events.error.find((e) => e.operation === 'startShard');
    expect(String(report?.error)).toContain(leaseKey);
    expect(app.scheduler.processingLeaseKeys()).not.toContain(leaseKey);
    expect(unhandled).toEqual([]);
  });
});
