/**
 * Helpers for consumer-level integration tests: a recorder of every `consumer.events` event, an
 * SDK middleware that records (and can fail) the calls an injected client makes, and a poller.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisConsumer, KinesisConsumerEvents } from '@kinesis-kit/consumer';

/**
 * Every consumer event name. `satisfies Record<keyof …, true>` makes the type check fail when an
 * event is added to (or removed from) KinesisConsumerEvents without being listed here.
 */
const EVENT_NAMES = {
  started: true,
  stopped: true,
  leaseTaken: true,
  leaseLost: true,
  error: true,
  stateChange: true,
  processorError: true,
  batchSkipped: true,
  batchDeadLettered: true,
  shardEnded: true,
  checkpointed: true,
  readThrottled: true,
  iteratorExpired: true,
  retrievalError: true,
  shardStarted: true,
  shardFinished: true,
  leasesCreated: true,
  leaseDeleted: true,
  leaseHandedOver: true,
  hashRangeHole: true,
  streamsChanged: true,
  streamLeasesDeleted: true,
} as const satisfies Record<keyof KinesisConsumerEvents, true>;

export type EventLog = { [K in keyof KinesisConsumerEvents]: KinesisConsumerEvents[K][] };

/** Subscribes to every event of `consumer`; the returned log fills as events come. */
export function recordEvents(consumer: KinesisConsumer): EventLog {
  const log = {} as Record<string, unknown[]>;
  for (const name of Object.keys(EVENT_NAMES) as (keyof KinesisConsumerEvents)[]) {
    const list: unknown[] = [];
    log[name] = list;
    consumer.events.on(name, (payload) => list.push(payload));
  }
  return log as EventLog;
}

/** The names of the events that fired at least once. */
export function firedEvents(log: EventLog): string[] {
  return Object.entries(log)
    .filter(([, list]) => list.length > 0)
    .map(([name]) => name)
    .sort();
}

/** One SDK call an injected client made. */
export interface SdkCall {
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The part of an SDK client's middleware stack used here, without its generic input types. */
interface Stack {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/**
 * Records every command `client` sends. `fault(call)` may return an error to throw instead of
 * sending; it is thrown in the initialize step, before the SDK's retry middleware, so the caller
 * sees it once, as if the service had answered with it after the SDK's retries.
 */
export function recordCalls(
  client: KinesisClient | DynamoDBClient,
  fault: (call: SdkCall) => Error | undefined = () => undefined,
): SdkCall[] {
  const calls: SdkCall[] = [];
  (client.middlewareStack as unknown as Stack).add(
    (next, context) => async (args) => {
      const call = {
        command: context.commandName ?? '?',
        input: args.input as Record<string, unknown>,
      };
      calls.push(call);
      const error = fault(call);
      if (error !== undefined) throw error;
      return next(args);
    },
    { step: 'initialize', name: 'kinesisKitTestRecorder' },
  );
  return calls;
}

/** An error shaped like the SDK's service exceptions (classified by name, never by message). */
export function serviceError(name: string, httpStatusCode = 400): Error {
  const error = new Error(`injected ${name}`);
  error.name = name;
  Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode } });
  return error;
}

export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
