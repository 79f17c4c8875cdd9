/**
 * A taken lease whose worker cannot be built or started must not stall silently: the scheduler
 * runs inside the coordinator's `leaseTaken` listener, whose errors the emitter swallows.
 */
import { ConfigurationError, ExtendedSequenceNumber } from '@kinesis-kit/common';
import { RecordingProcessor, putPlain, SHARD, text } from './workerHarness.js';
import { FAILOVER_MS, Fleet, TAKER_MS } from './schedulerHarness.js';

/** A table taken over from a Java application configured AT_TIMESTAMP. */
async function atTimestampLease(fleet: Fleet): Promise<void> {
  fleet.kinesis.createShard(SHARD);
  putPlain(fleet.kinesis, 2);
  await fleet.store.createLeaseIfNotExists({
    leaseKey: SHARD,
    shardId: SHARD,
    checkpoint: ExtendedSequenceNumber.of('AT_TIMESTAMP'),
    parentShardIds: [],
  });
}

describe('Scheduler: a lease that cannot be started', () => {
  it('an AT_TIMESTAMP lease without a timestamp is reported, released and left to others', async () => {
    // Prepare
    const fleet = new Fleet();
    await atTimestampLease(fleet);

    // Act
    const a = await fleet.start({ id: 'a', initialPosition: 'LATEST' });
    await fleet.drive(() => a.events.error.length > 0, 5_000);
    await fleet.run(TAKER_MS * 4);

    // Assess: reported, naming the lease, and given back rather than held unprocessed.
    expect(a.events.error).toHaveLength(1);
    const { operation, error } = a.events.error[0]!;
    expect(operation).toBe('startShard');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems[0]?.message).toContain(`lease ${SHARD}`);
    expect(a.logger.find('warn', 'scheduler operation failed')[0]?.fields).toMatchObject({
      leaseKey: SHARD,
    });
    expect(await fleet.owner(SHARD)).toBeUndefined();
    expect(a.scheduler.activeShards).toBe(0);
    expect(a.made).toEqual([SHARD]);

    // A worker that has the timestamp takes it at its next scan and reads it.
    const b = await fleet.start({
      id: 'b',
      initialPosition: { timestamp: new Date(fleet.clock.now() - 60_000) },
    });
    await fleet.drive(() => (b.processors.get(SHARD)?.delivered.length ?? 0) === 2, 5_000);
    expect(text(b.processors.get(SHARD)!.delivered)).toEqual(['r0', 'r1']);
    expect(await fleet.owner(SHARD)).toBe('b');
    await fleet.stopAll();
  });

  it('a processor factory that throws is reported; the lease is retried after the failover time', async () => {
    // Prepare
    const fleet = new Fleet();
    fleet.kinesis.createShard(SHARD);
    putPlain(fleet.kinesis, 1);
    let failures = 1;
    const a = await fleet.start({
      id: 'a',
      createProcessor: () => {
        if (failures-- > 0) throw new Error('no database connection');
        return new RecordingProcessor();
      },
    });

    // Act
    await fleet.drive(() => a.events.error.length > 0, 5_000);
    const failedAt = fleet.clock.now();
    await fleet.drive(() => a.scheduler.activeShards === 1, 2 * FAILOVER_MS);

    // Assess: not retaken at once (no tight loop of factory calls), but after the failover time.
    expect(a.events.error.map((e) => e.operation)).toEqual(['processorFactory']);
    expect(fleet.clock.now() - failedAt).toBeGreaterThanOrEqual(FAILOVER_MS);
    await fleet.drive(() => (a.processors.get(SHARD)?.delivered.length ?? 0) === 1, 5_000);
    await fleet.stopAll();
  });

  it('a stream binding that fails gives the lease back instead of holding it unprocessed', async () => {
    // Prepare: the first binding of the lease's stream rejects (a registration error, say).
    const fleet = new Fleet();
    fleet.kinesis.createShard(SHARD);
    putPlain(fleet.kinesis, 1);
    let failures = 1;
    const a = await fleet.start({
      id: 'a',
      streams: (single) => ({
        active: () => single.active(),
        forLease: () => undefined,
        bindingFor: (lease) =>
          failures-- > 0
            ? Promise.reject(new Error('RegisterStreamConsumer failed'))
            : Promise.resolve(single.forLease(lease)),
      }),
    });

    // Act
    await fleet.drive(() => a.events.error.length > 0, 5_000);
    await fleet.run(TAKER_MS);

    // Assess: released, then retried after the failover time.
    expect(a.events.error.map((e) => e.operation)).toEqual(['bindStream']);
    expect(await fleet.owner(SHARD)).toBeUndefined();
    await fleet.drive(
      () => (a.processors.get(SHARD)?.delivered.length ?? 0) === 1,
      2 * FAILOVER_MS,
    );
    await fleet.stopAll();
  });
});
