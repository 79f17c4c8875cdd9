/**
 * Found by the chaos suite: a worker stopped (SIGSTOP) for longer than the failover time handed
 * the batch it had prefetched to its processor right after SIGCONT, before its renewer noticed
 * the lease had expired, while the new owner was already processing the shard. The worker now
 * asks whether the lease is still valid before each batch.
 */
import { SHARD, createHarness, putPlain, text } from './workerHarness.js';

const FAST = { idleTimeBetweenReadsMs: 100, minTimeBetweenReadsMs: 0 };

describe('ShardWorker with a lease that expired while a batch waited', () => {
  it('does not deliver the batch: it ends as lease lost and calls leaseLost', async () => {
    let valid = true;
    const h = await createHarness({
      options: FAST,
      setup: (k) => putPlain(k, 2),
      params: { leaseValid: () => valid },
    });
    await h.drive(() => h.processor.delivered.length === 2);
    valid = false; // the process stalls past the failover time; the next batch is already read
    putPlain(h.kinesis, 2, 'late');

    await h.drive(() => h.outcome !== undefined);

    expect(h.outcome).toEqual({ reason: 'lease-lost' });
    expect(text(h.processor.delivered)).toEqual(['r0', 'r1']);
    expect(h.processor.calls).toEqual(['initialize', 'processRecords', 'leaseLost']);
    expect(h.events.leaseLost).toEqual([{ shardId: SHARD }]);
  });

  it('keeps delivering while the lease is valid', async () => {
    const h = await createHarness({
      options: FAST,
      setup: (k) => putPlain(k, 3),
      params: { leaseValid: () => true },
    });

    await h.drive(() => h.processor.delivered.length === 3);

    expect(h.outcome).toBeUndefined();
    await h.worker.stop();
  });
});
