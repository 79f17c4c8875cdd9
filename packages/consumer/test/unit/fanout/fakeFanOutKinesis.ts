/**
 * A hand-made Kinesis for fan-out tests: stream consumers with a CREATING → ACTIVE life cycle,
 * scripted register failures, and SubscribeToShard answers whose event streams are lazy async
 * generators, so a test can see how many events the source actually pulled (backpressure).
 */
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import type {
  StartingPosition,
  SubscribeToShardEvent,
  SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';

/** An error as the SDK raises it: only `name` matters to the code under test. */
export function sdkError(name: string): Error {
  return Object.assign(new Error(`${name} (fake)`), { name, $metadata: {} });
}

/** One scripted SubscribeToShard call. */
export type SubscriptionScript =
  | { readonly fail: string }
  | {
      /** Items sent in order: events, in-stream exception members, or a connection error. */
      readonly items: readonly (
        | { readonly event: SubscribeToShardEvent }
        | { readonly member: SubscribeToShardEventStream }
        | { readonly breakWith: string }
      )[];
      /** After the items: end the stream (the 5-minute limit) or stay open until aborted. */
      readonly then: 'end' | 'hang';
    };

interface FakeConsumer {
  name: string;
  arn: string;
  streamArn: string;
  /** Describes left before it turns ACTIVE (CREATING) or disappears (DELETING). */
  describesUntilActive: number;
  status: 'CREATING' | 'ACTIVE' | 'DELETING';
}

export class FakeFanOutKinesis {
  readonly consumers: FakeConsumer[] = [];
  readonly calls: string[] = [];
  /** Error names thrown by the next RegisterStreamConsumer calls, in order. */
  registerFailures: string[] = [];
  /** Error names thrown by the next DescribeStreamConsumer calls, in order. */
  describeFailures: string[] = [];
  /** Describes a new consumer stays CREATING. */
  creatingDescribes = 2;
  /** Run when a RegisterStreamConsumer fails with ResourceInUse (another worker won the race). */
  onRegisterRace: (() => void) | undefined;
  readonly subscriptions: SubscriptionScript[] = [];
  readonly positions: StartingPosition[] = [];
  readonly abortSignals: (AbortSignal | undefined)[] = [];
  /** Items handed to the source, across all subscriptions. */
  pulled = 0;

  constructor(readonly streams: Record<string, string> = { orders: 'arn:stream/orders' }) {}

  addConsumer(name: string, streamArn: string, status: FakeConsumer['status'] = 'ACTIVE') {
    const c = {
      name,
      arn: `${streamArn}/consumer/${name}:1`,
      streamArn,
      describesUntilActive: 0,
      status,
    };
    this.consumers.push(c);
    return c;
  }

  // async: a throw in handle() becomes a rejection, as the SDK's send does.
  // eslint-disable-next-line @typescript-eslint/require-await
  async send(command: object, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    this.calls.push(command.constructor.name);
    return this.handle(command, options.abortSignal);
  }

  private handle(command: object, signal: AbortSignal | undefined): unknown {
    if (command instanceof DescribeStreamSummaryCommand) {
      const arn = this.streams[command.input.StreamName ?? ''];
      if (arn === undefined) throw sdkError('ResourceNotFoundException');
      return { StreamDescriptionSummary: { StreamARN: arn } };
    }
    if (command instanceof DescribeStreamConsumerCommand) {
      const failure = this.describeFailures.shift();
      if (failure !== undefined) throw sdkError(failure);
      const { ConsumerARN, ConsumerName, StreamARN } = command.input;
      const c = this.consumers.find((x) =>
        ConsumerARN !== undefined
          ? x.arn === ConsumerARN
          : x.name === ConsumerName && x.streamArn === StreamARN,
      );
      if (c === undefined) throw sdkError('ResourceNotFoundException');
      if (c.status === 'DELETING' && c.describesUntilActive-- <= 0) {
        // The deletion finished: the name is free again.
        this.consumers.splice(this.consumers.indexOf(c), 1);
        throw sdkError('ResourceNotFoundException');
      }
      if (c.status === 'CREATING' && c.describesUntilActive-- <= 0) c.status = 'ACTIVE';
      return {
        ConsumerDescription: {
          ConsumerName: c.name,
          ConsumerARN: c.arn,
          ConsumerStatus: c.status,
          StreamARN: c.streamArn,
        },
      };
    }
    if (command instanceof RegisterStreamConsumerCommand) {
      const failure = this.registerFailures.shift();
      if (failure !== undefined) {
        if (failure === 'ResourceInUseException') this.onRegisterRace?.();
        throw sdkError(failure);
      }
      const { StreamARN = '', ConsumerName = '' } = command.input;
      if (this.consumers.some((x) => x.name === ConsumerName && x.streamArn === StreamARN)) {
        throw sdkError('ResourceInUseException');
      }
      const c = this.addConsumer(ConsumerName, StreamARN, 'CREATING');
      c.describesUntilActive = this.creatingDescribes;
      return { Consumer: { ConsumerName: c.name, ConsumerARN: c.arn, ConsumerStatus: c.status } };
    }
    if (command instanceof SubscribeToShardCommand) {
      this.positions.push(command.input.StartingPosition!);
      this.abortSignals.push(signal);
      const script = this.subscriptions.shift();
      if (script === undefined) throw new Error('no subscription scripted');
      if ('fail' in script) throw sdkError(script.fail);
      return { EventStream: this.stream(script, signal) };
    }
    throw new Error(`unexpected command ${command.constructor.name}`);
  }

  private async *stream(
    script: Extract<SubscriptionScript, { items: unknown }>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<SubscribeToShardEventStream> {
    for (const item of script.items) {
      this.pulled += 1;
      if ('breakWith' in item) throw sdkError(item.breakWith);
      yield 'event' in item ? { SubscribeToShardEvent: item.event } : item.member;
    }
    if (script.then === 'hang') {
      await new Promise<void>((_, reject) => {
        signal?.addEventListener('abort', () => reject(sdkError('AbortError')), { once: true });
      });
    }
  }
}

/** An event with records numbered `from..from+count-1`; continuation = the last one. */
export function eventOf(from: number, count: number, extra: Partial<SubscribeToShardEvent> = {}) {
  const records = Array.from({ length: count }, (_, i) => ({
    SequenceNumber: String(from + i),
    PartitionKey: 'pk',
    Data: new TextEncoder().encode(`r${String(from + i)}`),
    ApproximateArrivalTimestamp: new Date(1_700_000_000_000),
  }));
  return {
    event: {
      Records: records,
      ContinuationSequenceNumber: String(from + Math.max(count, 1) - 1),
      MillisBehindLatest: 0,
      ...extra,
    },
  };
}
