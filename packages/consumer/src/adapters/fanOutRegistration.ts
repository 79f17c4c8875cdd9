/**
 * Enhanced fan-out consumer registration, as the Java KCL's `FanOutConsumerRegistration`
 * (kcl.md §6.2): a given `consumerArn` is only described (and waited for); otherwise the stream's
 * ARN comes from DescribeStreamSummary, the consumer named after the application is described,
 * registered when absent, and polled until ACTIVE. `LimitExceededException` on register is
 * retried (the account-wide 5 TPS limit), `ResourceInUseException` means another worker is
 * registering the same name, so we describe again. SDK errors are classified by `name` only.
 */
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import type { Consumer, ConsumerDescription, KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisKitError, computeBackoff, isAbortError, systemClock } from '@kinesis-kit/common';
import type { Clock } from '@kinesis-kit/common';
import type { CallOptions } from '../ports.js';

/** @public */
export interface FanOutRegistrationOptions {
  /** Only `send` is used; we never destroy a client we did not create. */
  readonly client: Pick<KinesisClient, 'send'>;
  /** The stream, by name or ARN (the ARN saves one DescribeStreamSummary). */
  readonly streamName?: string;
  readonly streamArn?: string;
  /** Name of the consumer to find or register (the KCL: `consumerName ?: applicationName`). */
  readonly consumerName: string;
  /** A consumer registered elsewhere: it is only described and waited for, never registered. */
  readonly consumerArn?: string;
  /** Pause between describes while the consumer is CREATING (KCL `retryBackoffMillis`). @defaultValue 1000 */
  readonly describePollMs?: number;
  /** Describes while waiting for ACTIVE before giving up. @defaultValue 10 */
  readonly maxDescribeAttempts?: number;
  /** Register attempts on LimitExceeded/ResourceInUse before giving up. @defaultValue 10 */
  readonly maxRegisterAttempts?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/**
 * A given `consumerArn` that cannot be used: no such stream consumer, or one registered on another
 * stream. Not retriable: the option must change. `option` names it.
 * @public
 * @example
 * ```ts
 * await consumer.start().catch((e) => { if (e instanceof StreamConsumerArnError) console.error(e.option, e.message) });
 * ```
 */
export class StreamConsumerArnError extends KinesisKitError {
  readonly option = 'consumerArn';
  constructor(
    readonly consumerArn: string,
    problem: string,
    cause?: unknown,
  ) {
    super('KT_CONFIG', `consumerArn ${consumerArn} ${problem}`, {
      cause,
      retriable: false,
      context: { option: 'consumerArn', consumerArn },
    });
  }
}

/** The ACTIVE consumer to subscribe with. @public */
export interface StreamConsumerInfo {
  readonly consumerArn: string;
  readonly consumerName: string;
  readonly streamArn: string;
}

/**
 * Finds or registers the stream consumer and resolves once it is ACTIVE. Rejects with a
 * `KinesisKitError` (`KT_AWS`, SDK error as `cause`) that says which step failed.
 * @public
 * @example
 * ```ts
 * const { consumerArn } = await ensureStreamConsumer({ client, streamName: 'orders', consumerName: 'app' });
 * ```
 */
export async function ensureStreamConsumer(
  options: FanOutRegistrationOptions,
  call: CallOptions = {},
): Promise<StreamConsumerInfo> {
  const r = new Registration(options, call.signal);
  return r.run();
}

class Registration {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly pollMs: number;

  constructor(
    private readonly o: FanOutRegistrationOptions,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.pollMs = o.describePollMs ?? 1000;
  }

  async run(): Promise<StreamConsumerInfo> {
    if (this.o.consumerArn !== undefined) {
      const arn = this.o.consumerArn;
      const found = await this.describe({ ConsumerARN: arn });
      if (found === undefined) {
        throw new StreamConsumerArnError(
          arn,
          'does not exist: register the stream consumer first, or leave consumerArn out to register one named consumerName',
        );
      }
      const streamArn = this.o.streamArn;
      if (
        streamArn !== undefined &&
        found.StreamARN !== undefined &&
        found.StreamARN !== streamArn
      ) {
        throw new StreamConsumerArnError(arn, `belongs to ${found.StreamARN}, not to ${streamArn}`);
      }
      return this.waitActive(found);
    }
    const streamArn = this.o.streamArn ?? (await this.streamArnFromSummary());
    const key = { StreamARN: streamArn, ConsumerName: this.o.consumerName };
    const maxRegister = this.o.maxRegisterAttempts ?? 10;
    for (let attempt = 0; ; attempt++) {
      const found = await this.describe(key);
      if (found !== undefined && found.ConsumerStatus !== 'DELETING') return this.waitActive(found);
      if (found === undefined) {
        let registered: Consumer | undefined;
        try {
          const out = await this.o.client.send(new RegisterStreamConsumerCommand(key), {
            abortSignal: this.signal,
          });
          registered = out.Consumer;
        } catch (error) {
          if (isAbortError(error)) throw error;
          const name = errorName(error);
          // ResourceInUse: another worker registers the same name right now; describe again.
          if (name !== 'LimitExceededException' && name !== 'ResourceInUseException') {
            throw fail(`RegisterStreamConsumer ${this.o.consumerName} failed: ${name}`, error);
          }
          if (attempt + 1 >= maxRegister) {
            throw fail(`RegisterStreamConsumer gave up after ${String(maxRegister)} tries`, error);
          }
        }
        // Outside the try: a waitActive failure is not a register failure to retry or rename.
        if (registered !== undefined) return this.waitActive(fromConsumer(registered, streamArn));
      } else if (attempt + 1 >= maxRegister) {
        throw fail(`stream consumer ${this.o.consumerName} stays DELETING`, undefined);
      }
      await this.clock.sleep(
        Math.max(
          this.pollMs,
          computeBackoff(attempt, { baseMs: 1000, capMs: 10_000 }, this.random),
        ),
        this.signal,
      );
    }
  }

  private async streamArnFromSummary(): Promise<string> {
    if (this.o.streamName === undefined) {
      throw new KinesisKitError('KT_CONFIG', 'fan-out registration needs streamName or streamArn');
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.o.client.send(
          new DescribeStreamSummaryCommand({ StreamName: this.o.streamName }),
          { abortSignal: this.signal },
        );
        const arn = out.StreamDescriptionSummary?.StreamARN;
        if (arn) return arn;
        throw fail(`DescribeStreamSummary returned no ARN for ${this.o.streamName}`, undefined);
      } catch (error) {
        if (isAbortError(error)) throw error;
        if (!(await this.throttled(error, attempt))) {
          if (error instanceof KinesisKitError) throw error;
          throw fail(
            `DescribeStreamSummary ${this.o.streamName} failed: ${errorName(error)}`,
            error,
          );
        }
      }
    }
  }

  /** DescribeStreamConsumer; undefined on ResourceNotFound; throttles retried. */
  private async describe(
    key: { ConsumerARN: string } | { StreamARN: string; ConsumerName: string },
  ): Promise<ConsumerDescription | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.o.client.send(new DescribeStreamConsumerCommand(key), {
          abortSignal: this.signal,
        });
        return out.ConsumerDescription;
      } catch (error) {
        if (isAbortError(error)) throw error;
        if (errorName(error) === 'ResourceNotFoundException') return undefined;
        if (!(await this.throttled(error, attempt))) {
          throw fail(`DescribeStreamConsumer failed: ${errorName(error)}`, error);
        }
      }
    }
  }

  private async waitActive(found: ConsumerDescription): Promise<StreamConsumerInfo> {
    const max = this.o.maxDescribeAttempts ?? 10;
    let current = found;
    for (let attempt = 0; current.ConsumerStatus !== 'ACTIVE'; attempt++) {
      if (attempt >= max || current.ConsumerStatus === 'DELETING') {
        throw fail(
          `stream consumer ${current.ConsumerName ?? '?'} is ${current.ConsumerStatus ?? '?'}, not ACTIVE`,
          undefined,
        );
      }
      await this.clock.sleep(this.pollMs, this.signal);
      const again = await this.describe({ ConsumerARN: current.ConsumerARN ?? '' });
      if (again === undefined)
        throw fail(`stream consumer ${current.ConsumerARN ?? '?'} vanished`, undefined);
      current = again;
    }
    return {
      consumerArn: current.ConsumerARN ?? '',
      consumerName: current.ConsumerName ?? '',
      streamArn: current.StreamARN ?? '',
    };
  }

  /** The KCL's describe throttle backoff: 1000 + rand(100) ms, 10 tries. False: not a throttle. */
  private async throttled(error: unknown, attempt: number): Promise<boolean> {
    if (errorName(error) !== 'LimitExceededException' || attempt >= 9) return false;
    await this.clock.sleep(1000 + Math.floor(this.random() * 100), this.signal);
    return true;
  }
}

function fromConsumer(c: Consumer, streamArn: string): ConsumerDescription {
  return {
    ConsumerName: c.ConsumerName,
    ConsumerARN: c.ConsumerARN,
    ConsumerStatus: c.ConsumerStatus,
    ConsumerCreationTimestamp: c.ConsumerCreationTimestamp,
    StreamARN: streamArn,
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Unknown';
}

function fail(message: string, cause: unknown): KinesisKitError {
  return new KinesisKitError('KT_AWS', message, { cause, retriable: true });
}
