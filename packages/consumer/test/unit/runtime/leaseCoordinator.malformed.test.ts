import { ExtendedSequenceNumber, noopMetricsSink } from '@kinesis-kit/common';
import { FakeClock, MemoryLogger } from '@kinesis-kit/common/testing';
import { MalformedLeaseError } from '../../../src/core/leaseErrors.js';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';

const TAKER = 1500;

describe('LeaseCoordinator and malformed lease items', () => {
  it('keeps taking the good leases and reports each malformed item once, as a typed error', async () => {
    // Prepare
    const clock = new FakeClock();
    const store = new InMemoryLeaseStore();
    await store.createLeaseIfNotExists({
      leaseKey: 'shardId-000000000000',
      shardId: 'shardId-000000000000',
      checkpoint: ExtendedSequenceNumber.TRIM_HORIZON,
      parentShardIds: [],
    });
    store.putRawItem({
      leaseKey: { S: 'shardId-000000000001' },
      leaseCounter: { S: 'seven' },
      checkpoint: { S: 'LATEST' },
    });
    const logger = new MemoryLogger();
    const coordinator = new LeaseCoordinator({
      store,
      workerId: 'worker-a',
      taker: { ...TAKER_DEFAULTS, failoverTimeMs: 10_000 },
      renewIntervalMs: 3308,
      takerIntervalMs: TAKER,
      clock,
      logger,
      metrics: noopMetricsSink,
    });
    const errors: unknown[] = [];
    coordinator.events.on('error', ({ operation, error }) => {
      if (operation === 'listLeases') errors.push(error);
    });
    // Act: start plus several taker scans.
    await coordinator.start();
    await clock.advance(TAKER * 4);
    // Assess
    expect(coordinator.heldLeases().map((l) => l.leaseKey)).toEqual(['shardId-000000000000']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MalformedLeaseError);
    expect(errors[0]).toMatchObject({
      leaseKey: 'shardId-000000000001',
      attribute: 'leaseCounter',
    });
    expect(logger.find('warn', 'lease operation failed')).toHaveLength(1);

    // A different problem with the same item is news; reported once more.
    store.putRawItem({
      leaseKey: { S: 'shardId-000000000001' },
      leaseCounter: { N: '7' },
      checkpoint: { S: 'bogus' },
    });
    await clock.advance(TAKER * 3);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatchObject({ attribute: 'checkpoint' });

    // Fixed by an operator: the lease is taken like any other.
    store.putRawItem({
      leaseKey: { S: 'shardId-000000000001' },
      leaseCounter: { N: '7' },
      checkpoint: { S: 'LATEST' },
    });
    await clock.advance(TAKER * 2);
    expect(
      coordinator
        .heldLeases()
        .map((l) => l.leaseKey)
        .sort(),
    ).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(errors).toHaveLength(2);
    await coordinator.stop();
  });
});
