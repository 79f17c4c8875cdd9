import { isKinesisKitError } from '@kinesis-kit/common';
import { FakeClock } from '@kinesis-kit/common/testing';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  StreamConsumerArnError,
  ensureStreamConsumer,
} from '../../../src/adapters/fanOutRegistration.js';
import type { FanOutRegistrationOptions } from '../../../src/adapters/fanOutRegistration.js';
import { FakeFanOutKinesis } from './fakeFanOutKinesis.js';

const STREAM_ARN = 'arn:stream/orders';

function setup() {
  const kinesis = new FakeFanOutKinesis({ orders: STREAM_ARN });
  const clock = new FakeClock();
  const register = (overrides: Partial<FanOutRegistrationOptions> = {}) =>
    ensureStreamConsumer({
      client: kinesis as unknown as Pick<KinesisClient, 'send'>,
      streamName: 'orders',
      consumerName: 'app',
      clock,
      random: () => 0.5,
      ...overrides,
    });
  return { kinesis, clock, register };
}

/** Advances the fake clock until `promise` settles; returns the ms that passed. */
async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<[T, number]> {
  const started = clock.now();
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => undefined);
  for (let i = 0; i < 200; i++) {
    await clock.advance(0); // let the code under test run up to its next sleep
    if (done) break;
    await clock.advance(100);
  }
  return [await watched, clock.now() - started];
}

describe('ensureStreamConsumer', () => {
  it('registers a missing consumer and waits until it is ACTIVE', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.creatingDescribes = 2;

    const [info, elapsed] = await settle(clock, register());

    expect(info).toEqual({
      consumerArn: `${STREAM_ARN}/consumer/app:1`,
      consumerName: 'app',
      streamArn: STREAM_ARN,
    });
    expect(kinesis.calls).toEqual([
      'DescribeStreamSummaryCommand',
      'DescribeStreamConsumerCommand',
      'RegisterStreamConsumerCommand',
      'DescribeStreamConsumerCommand',
      'DescribeStreamConsumerCommand',
      'DescribeStreamConsumerCommand',
    ]);
    expect(elapsed).toBe(3000); // three describe polls, 1 s apart
  });

  it('uses an ACTIVE consumer as it is, without registering or waiting', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.addConsumer('app', STREAM_ARN);

    const [info, elapsed] = await settle(
      clock,
      register({ streamArn: STREAM_ARN, streamName: undefined }),
    );

    expect(info.consumerArn).toBe(`${STREAM_ARN}/consumer/app:1`);
    expect(kinesis.calls).toEqual(['DescribeStreamConsumerCommand']);
    expect(elapsed).toBe(0);
  });

  it('retries LimitExceeded on register with backoff', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.registerFailures = ['LimitExceededException', 'LimitExceededException'];
    kinesis.creatingDescribes = 0;

    const [info] = await settle(clock, register());

    expect(info.consumerName).toBe('app');
    expect(kinesis.calls.filter((c) => c === 'RegisterStreamConsumerCommand')).toHaveLength(3);
  });

  it('describes again on ResourceInUse: another worker registered the same name', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.registerFailures = ['ResourceInUseException'];
    kinesis.onRegisterRace = () => kinesis.addConsumer('app', STREAM_ARN);

    const [info] = await settle(clock, register());

    expect(info.consumerArn).toBe(`${STREAM_ARN}/consumer/app:1`);
    expect(kinesis.consumers).toHaveLength(1);
    expect(kinesis.calls.filter((c) => c === 'RegisterStreamConsumerCommand')).toHaveLength(1);
  });

  it('a given consumerArn is described and waited for, never registered', async () => {
    const { kinesis, clock, register } = setup();
    const c = kinesis.addConsumer('other', STREAM_ARN, 'CREATING');
    c.describesUntilActive = 1;

    const [info] = await settle(clock, register({ consumerArn: c.arn }));

    expect(info).toEqual({ consumerArn: c.arn, consumerName: 'other', streamArn: STREAM_ARN });
    expect(kinesis.calls).not.toContain('RegisterStreamConsumerCommand');
  });

  it('an unknown consumerArn is a clear, non-retriable error', async () => {
    const { clock, register } = setup();

    const [error] = await settle(
      clock,
      register({ consumerArn: 'arn:nope' }).catch((e: unknown) => e),
    );

    expect(isKinesisKitError(error)).toBe(true);
    expect(error).toBeInstanceOf(StreamConsumerArnError);
    expect(error).toMatchObject({ code: 'KT_CONFIG', retriable: false, option: 'consumerArn' });
    expect((error as Error).message).toContain('consumerArn arn:nope does not exist');
  });

  it("a consumerArn of another stream's consumer is refused, naming both streams", async () => {
    const { kinesis, clock, register } = setup();
    const other = kinesis.addConsumer('app', 'arn:stream/payments');

    const [error] = await settle(
      clock,
      register({ consumerArn: other.arn, streamArn: STREAM_ARN }).catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(StreamConsumerArnError);
    expect((error as Error).message).toContain(
      `belongs to arn:stream/payments, not to ${STREAM_ARN}`,
    );
    expect(kinesis.calls).not.toContain('RegisterStreamConsumerCommand');
  });

  it('gives up when the consumer never turns ACTIVE', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.creatingDescribes = 1000;

    const [error] = await settle(
      clock,
      register({ maxDescribeAttempts: 3 }).catch((e: unknown) => e),
    );

    expect((error as Error).message).toMatch(/is CREATING, not ACTIVE/);
    expect(kinesis.calls.filter((c) => c === 'DescribeStreamConsumerCommand')).toHaveLength(4);
  });

  it('keeps an unexpected SDK error as the cause', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.registerFailures = ['AccessDeniedException'];

    const [error] = await settle(
      clock,
      register().catch((e: unknown) => e),
    );

    expect((error as Error).message).toMatch(/RegisterStreamConsumer app failed: AccessDenied/);
    expect(((error as Error).cause as Error).name).toBe('AccessDeniedException');
  });

  it('a missing stream fails at DescribeStreamSummary', async () => {
    const { clock, register } = setup();

    const [error] = await settle(
      clock,
      register({ streamName: 'gone' }).catch((e: unknown) => e),
    );

    expect((error as Error).message).toMatch(/DescribeStreamSummary gone failed: ResourceNotFound/);
  });

  it('backs off throttled describes by 1000 + rand(100) ms', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.addConsumer('app', STREAM_ARN);
    kinesis.describeFailures = ['LimitExceededException', 'LimitExceededException'];

    const [info, elapsed] = await settle(clock, register());

    expect(info.consumerName).toBe('app');
    // Two sleeps of 1050 ms each (random 0.5), observed through 100 ms test steps.
    expect(elapsed).toBeGreaterThanOrEqual(2100);
    expect(elapsed).toBeLessThan(2200);
  });

  it('waits out a DELETING consumer of the same name, then registers it anew', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.addConsumer('app', STREAM_ARN, 'DELETING').describesUntilActive = 1;
    kinesis.creatingDescribes = 0;

    const [info] = await settle(clock, register());

    expect(info.consumerName).toBe('app');
    expect(kinesis.calls).toContain('RegisterStreamConsumerCommand');
  });

  it('gives up on a consumer that stays DELETING', async () => {
    const { kinesis, clock, register } = setup();
    kinesis.addConsumer('app', STREAM_ARN, 'DELETING').describesUntilActive = 1000;

    const [error] = await settle(
      clock,
      register({ maxRegisterAttempts: 2 }).catch((e: unknown) => e),
    );

    expect((error as Error).message).toMatch(/stays DELETING/);
  });

  it('needs a stream name or ARN', async () => {
    const { clock, register } = setup();

    const [error] = await settle(
      clock,
      register({ streamName: undefined }).catch((e: unknown) => e),
    );

    expect(error).toMatchObject({ code: 'KT_CONFIG' });
  });
});
