import { ConfigurationError, KinesisKitError } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import { LeaseStoreError } from '../../../src/core/leaseErrors.js';
import { isTransientStartError, retryStart } from '../../../src/runtime/startRetry.js';

/** An SDK-shaped error (the SDK sets name, $metadata and, for throttles and 5xx, $retryable). */
const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

/** Lets the fake clock run every pending sleep until `promise` settles. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const mark = (): void => {
    settled = true;
  };
  void promise.then(mark, mark);
  while (!settled) {
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(10_000);
  }
  return promise;
}

describe('isTransientStartError', () => {
  it.each([
    [
      'a throttled lease-table call (what a chaos run saw fail start())',
      new LeaseStoreError('listLeases', 'ThrottlingException'),
      true,
    ],
    ['a retriable KinesisKitError', new KinesisKitError('KT_AWS', 'x', { retriable: true }), true],
    ['an SDK throttle', sdkError('ProvisionedThroughputExceededException', 400), true],
    ['an SDK 500', sdkError('InternalFailure', 500), true],
    [
      'a connection reset',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      true,
    ],
    [
      'a lease-table access denial',
      new LeaseStoreError('listLeases', 'AccessDeniedException'),
      false,
    ],
    [
      'bad configuration',
      new ConfigurationError('KinesisConsumer', [{ field: 'x', message: 'bad' }]),
      false,
    ],
    ['a missing stream', sdkError('ResourceNotFoundException', 400), false],
    ['not an error', 'boom', false],
  ])('%s', (_what, error, expected) => {
    expect(isTransientStartError(error)).toBe(expected);
  });
});

describe('retryStart', () => {
  const options = (clock: FakeClock, signal = new AbortController().signal) => ({
    clock,
    random: () => 0.5,
    signal,
  });

  it('retries transient errors until the attempt succeeds', async () => {
    const clock = new FakeClock();
    const retries: number[] = [];
    let calls = 0;
    const result = await drive(
      clock,
      retryStart(
        () => {
          calls++;
          if (calls < 3)
            return Promise.reject(new LeaseStoreError('listLeases', 'ThrottlingException'));
          return Promise.resolve('started');
        },
        { ...options(clock), onRetry: (_e, attempt) => retries.push(attempt) },
      ),
    );

    expect(result).toBe('started');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('fails at once on an error that will not go away', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const denied = new LeaseStoreError('listLeases', 'AccessDeniedException');
    await expect(
      retryStart(() => {
        calls++;
        return Promise.reject(denied);
      }, options(clock)),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const attempt = (): Promise<never> =>
      Promise.reject(
        new LeaseStoreError('listLeases', `ThrottlingException`, { context: { n: ++calls } }),
      );
    const failure = drive(clock, retryStart(attempt, { ...options(clock), attempts: 4 })).catch(
      (e: unknown) => e,
    );

    expect(((await failure) as LeaseStoreError).context).toMatchObject({ n: 4 });
    expect(calls).toBe(4);
  });

  it('stops waiting when start is aborted (stop() during start)', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const throttled = new LeaseStoreError('listLeases', 'ThrottlingException');
    const result = retryStart(() => Promise.reject(throttled), options(clock, abort.signal));
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending).toBe(1);

    abort.abort();

    await expect(result).rejects.toThrow();
    expect(clock.pending).toBe(0);
  });
});
