import { ClosedError, isAbortError } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { FanOutShardSource, toStartingPosition } from '../../../src/adapters/fanOutSubscription.js';
import type {
  FanOutResubscribe,
  FanOutShardSourceOptions,
} from '../../../src/adapters/fanOutSubscription.js';
import { isRetrievalError } from '../../../src/retrievalPorts.js';
import { FakeFanOutKinesis, eventOf, sdkError } from './fakeFanOutKinesis.js';

const SHARD = 'shardId-000000000000';

function setup(overrides: Partial<FanOutShardSourceOptions> = {}) {
  const kinesis = new FakeFanOutKinesis();
  const clock = new FakeClock();
  const resubscribes: FanOutResubscribe[] = [];
  const source = new FanOutShardSource({
    client: kinesis as unknown as Pick<KinesisClient, 'send'>,
    consumerArn: 'arn:consumer',
    shardId: SHARD,
    start: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '5' },
    clock,
    random: () => 0.5,
    onResubscribe: (info) => resubscribes.push(info),
    ...overrides,
  });
  return { kinesis, clock, source, resubscribes };
}

/** Advances the fake clock until `promise` settles (backoff sleeps in between). */
async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => undefined);
  for (let i = 0; i < 100 && !done; i++) await clock.advance(1000);
  return watched;
}

const seqs = (r: { records: readonly { sequenceNumber: string }[] }) =>
  r.records.map((x) => x.sequenceNumber);

describe('FanOutShardSource', () => {
  it('maps events to shard batches, starting at the given position', async () => {
    const { kinesis, source } = setup();
    kinesis.subscriptions.push({
      items: [eventOf(5, 2, { MillisBehindLatest: 42 })],
      then: 'hang',
    });

    const batch = await source.next();

    expect(kinesis.positions).toEqual([{ Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: '5' }]);
    expect(seqs(batch)).toEqual(['5', '6']);
    expect(new TextDecoder().decode(batch.records[0]!.data)).toBe('r5');
    expect(batch.millisBehindLatest).toBe(42);
    expect(source.continuationSequenceNumber).toBe('6');
    expect(batch.childShards).toBeUndefined();
    await source.close();
  });

  it('pulls one event per next() call, leaving the rest in the stream (backpressure)', async () => {
    const { kinesis, source } = setup();
    kinesis.subscriptions.push({
      items: [eventOf(1, 1), eventOf(2, 1), eventOf(3, 1), eventOf(4, 1)],
      then: 'hang',
    });

    await source.next();
    const pulledAfterOne = kinesis.pulled;
    const second = await source.next();

    expect(pulledAfterOne).toBe(1);
    expect(kinesis.pulled).toBe(2);
    expect(seqs(second)).toEqual(['2']);
    expect(kinesis.positions).toHaveLength(1);
    await source.close();
  });

  it('re-subscribes AFTER the last continuation when the subscription ends', async () => {
    const { kinesis, clock, source, resubscribes } = setup();
    kinesis.subscriptions.push({ items: [eventOf(5, 3)], then: 'end' });
    kinesis.subscriptions.push({ items: [eventOf(8, 1)], then: 'hang' });

    await source.next();
    const batch = await settle(clock, source.next());

    expect(seqs(batch)).toEqual(['8']);
    expect(kinesis.positions[1]).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '7' });
    expect(resubscribes).toEqual([
      {
        shardId: SHARD,
        attempt: 1,
        delayMs: 100,
        position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '7' },
      },
    ]);
    await source.close();
  });

  it('re-subscribes after a broken connection and resets the backoff after an event', async () => {
    const { kinesis, clock, source, resubscribes } = setup();
    kinesis.subscriptions.push({
      items: [eventOf(5, 1), { breakWith: 'ECONNRESET' }],
      then: 'end',
    });
    kinesis.subscriptions.push({ fail: 'InternalFailureException' });
    kinesis.subscriptions.push({
      items: [eventOf(6, 1), { breakWith: 'TimeoutError' }],
      then: 'end',
    });
    kinesis.subscriptions.push({ items: [eventOf(7, 1)], then: 'hang' });

    await source.next();
    const second = await settle(clock, source.next());
    const third = await settle(clock, source.next());

    expect([seqs(second), seqs(third)]).toEqual([['6'], ['7']]);
    expect(resubscribes.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [1, 100],
    ]);
    expect(resubscribes.map((r) => (r.error as Error).name)).toEqual([
      'RetrievalError',
      'RetrievalError',
      'RetrievalError',
    ]);
    expect(kinesis.positions.slice(1).map((p) => p.SequenceNumber)).toEqual(['5', '5', '6']);
    await source.close();
  });

  it('retries ResourceInUseException from a subscription still open elsewhere', async () => {
    const { kinesis, clock, source, resubscribes } = setup();
    kinesis.subscriptions.push({ fail: 'ResourceInUseException' });
    kinesis.subscriptions.push({ fail: 'ResourceInUseException' });
    kinesis.subscriptions.push({ items: [eventOf(5, 1)], then: 'hang' });

    const batch = await settle(clock, source.next());

    expect(seqs(batch)).toEqual(['5']);
    expect(kinesis.positions).toHaveLength(3);
    // No event yet: every retry starts from the original position.
    expect(kinesis.positions.every((p) => p.Type === 'AT_SEQUENCE_NUMBER')).toBe(true);
    expect(resubscribes.every((r) => isRetrievalError(r.error, 'throttled'))).toBe(true);
    await source.close();
  });

  it('handles an exception sent inside the event stream like a failed subscription', async () => {
    const { kinesis, clock, source, resubscribes } = setup();
    const inUse = sdkError('ResourceInUseException');
    kinesis.subscriptions.push({
      items: [eventOf(5, 1), { member: { ResourceInUseException: inUse } as never }],
      then: 'end',
    });
    kinesis.subscriptions.push({ items: [eventOf(6, 1)], then: 'hang' });

    await source.next();
    const batch = await settle(clock, source.next());

    expect(seqs(batch)).toEqual(['6']);
    expect(isRetrievalError(resubscribes[0]!.error, 'throttled')).toBe(true);
    expect((resubscribes[0]!.error as Error).cause).toBe(inUse);
    await source.close();
  });

  it('ends the shard on ChildShards: children mapped, no more reads', async () => {
    const { kinesis, source } = setup();
    const child = {
      ShardId: 'shardId-000000000001',
      ParentShards: [SHARD],
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' },
    };
    kinesis.subscriptions.push({
      items: [eventOf(5, 1, { ChildShards: [child], ContinuationSequenceNumber: undefined })],
      then: 'hang',
    });

    const last = await source.next();

    expect(seqs(last)).toEqual(['5']);
    expect(last.childShards).toEqual([
      {
        shardId: 'shardId-000000000001',
        parentShards: [SHARD],
        hashKeyRange: { startingHashKey: '0', endingHashKey: '99' },
      },
    ]);
    expect(source.shardEnded).toBe(true);
    expect(kinesis.abortSignals[0]!.aborted).toBe(true);
    await expect(source.next()).rejects.toMatchObject({
      name: 'RetrievalError',
      kind: 'shard-not-found',
    });
  });

  it('turns ResourceNotFoundException into a shard-not-found end', async () => {
    const { kinesis, source } = setup();
    kinesis.subscriptions.push({ fail: 'ResourceNotFoundException' });

    await expect(source.next()).rejects.toMatchObject({
      name: 'RetrievalError',
      kind: 'shard-not-found',
    });
    expect(source.shardEnded).toBe(true);
  });

  it('an abort cancels the subscription; the next call resumes after the last event', async () => {
    const { kinesis, source } = setup();
    kinesis.subscriptions.push({ items: [eventOf(5, 1)], then: 'hang' });
    kinesis.subscriptions.push({ items: [eventOf(6, 1)], then: 'hang' });
    await source.next();
    const controller = new AbortController();

    const waiting = source.next(controller.signal);
    controller.abort();
    const error = await waiting.catch((e: unknown) => e);
    const resumed = await source.next();

    expect(isAbortError(error)).toBe(true);
    expect(kinesis.abortSignals[0]!.aborted).toBe(true);
    expect(kinesis.positions[1]).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '5' });
    expect(seqs(resumed)).toEqual(['6']);
    await source.close();
  });

  it('gives up after maxConsecutiveFailures with the classified error', async () => {
    const { kinesis, clock, source } = setup({ maxConsecutiveFailures: 2 });
    kinesis.subscriptions.push({ fail: 'AccessDeniedException' });
    kinesis.subscriptions.push({ fail: 'AccessDeniedException' });

    const error = await settle(clock, source.next()).catch((e: unknown) => e);

    expect(isRetrievalError(error, 'other')).toBe(true);
    expect(((error as Error).cause as Error).name).toBe('AccessDeniedException');
    expect(kinesis.positions).toHaveLength(2);
  });

  it('renews a subscription that stays silent past idleTimeoutMs (a half-open connection)', async () => {
    const { kinesis, clock, source, resubscribes } = setup({ idleTimeoutMs: 60_000 });
    kinesis.subscriptions.push({ items: [eventOf(5, 1)], then: 'hang' });
    kinesis.subscriptions.push({ items: [eventOf(6, 1)], then: 'hang' });
    await source.next();

    const batch = await settle(clock, source.next());

    expect(seqs(batch)).toEqual(['6']);
    expect(kinesis.abortSignals[0]!.aborted).toBe(true);
    expect(kinesis.positions[1]).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '5' });
    expect(isRetrievalError(resubscribes[0]!.error, 'other')).toBe(true);
    expect((resubscribes[0]!.error as Error).message).toContain(
      'no SubscribeToShard event for 60000 ms',
    );
    await source.close();
  });

  it('waits as long as it takes for the next event without an idle timeout', async () => {
    const { kinesis, clock, source } = setup();
    kinesis.subscriptions.push({ items: [eventOf(5, 1)], then: 'hang' });
    await source.next();
    let settled = false;
    const pending = source.next().finally(() => (settled = true));
    pending.catch(() => undefined);

    await clock.advance(600_000);

    expect(settled).toBe(false);
    expect(kinesis.positions).toHaveLength(1);
    await source.close();
    // close() ends the wait; the source does not subscribe again.
    await expect(settle(clock, pending)).rejects.toBeInstanceOf(ClosedError);
    expect(kinesis.positions).toHaveLength(1);
  });

  it('rejects with ClosedError after close()', async () => {
    const { source } = setup();
    await source.close();
    await expect(source.next()).rejects.toBeInstanceOf(ClosedError);
  });

  it.each([
    [{ type: 'TRIM_HORIZON' } as const, { Type: 'TRIM_HORIZON' }],
    [{ type: 'LATEST' } as const, { Type: 'LATEST' }],
    [
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '9' } as const,
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '9' },
    ],
    [
      { type: 'AT_TIMESTAMP', timestamp: new Date(5) } as const,
      { Type: 'AT_TIMESTAMP', Timestamp: new Date(5) },
    ],
  ])('maps %j to the SDK starting position', (position, expected) => {
    expect(toStartingPosition(position)).toEqual(expected);
  });
});
