/**
 * Errors a put() can reject with, besides common's ValidationError and RecordTooLargeError (bad
 * input) and ClosedError (put after close). Each carries every attempt made, like the KPL's
 * UserRecordFailedException, and the AWS error as `cause` when there was one.
 */
import { KinesisKitError } from '@kinesis-kit/common';
import type { ErrorContext } from '@kinesis-kit/common';
import type { Attempt } from './core/records.js';

/**
 * The record was not in the stream within `recordTtl` (the KPL's "Expired").
 * @public
 * @example
 * ```ts
 * producer.put(rec).catch((e) => { if (e instanceof RecordExpiredError) deadLetter(rec, e.attempts) });
 * ```
 */
export class RecordExpiredError extends KinesisKitError {
  readonly attempts: readonly Attempt[];
  constructor(attempts: readonly Attempt[], context: ErrorContext = {}) {
    const last = attempts.at(-1);
    super(
      'KT_EXPIRED',
      `record expired after ${attempts.length} attempt(s)` +
        (last?.errorCode ? `; last error ${last.errorCode}` : ''),
      { retriable: true, context: { ...context, attempts: attempts.length } },
    );
    this.attempts = attempts;
  }
}

/**
 * The record cannot be delivered: the service refused it for a reason retrying will not fix
 * (access denied, stream not found, a KMS error), or it was throttled with `failIfThrottled`.
 * `errorCode` is the AWS error name or per-entry ErrorCode; `cause` is the AWS error.
 * @public
 * @example
 * ```ts
 * if (e instanceof DeliveryFailedError && e.errorCode === 'ResourceNotFoundException') ...
 * ```
 */
export class DeliveryFailedError extends KinesisKitError {
  readonly attempts: readonly Attempt[];
  readonly errorCode: string;
  constructor(
    errorCode: string,
    message: string,
    attempts: readonly Attempt[],
    options: { cause?: unknown; retriable?: boolean; context?: ErrorContext } = {},
  ) {
    super('KT_DELIVERY_FAILED', `${errorCode}: ${message}`, {
      cause: options.cause,
      retriable: options.retriable ?? false,
      context: { ...options.context, errorCode, attempts: attempts.length },
    });
    this.errorCode = errorCode;
    this.attempts = attempts;
  }
}

/**
 * put() with `onBufferFull: 'reject'` found the buffer full. Retriable: try again later.
 * @public
 * @example
 * ```ts
 * if (e instanceof BufferFullError) await sleep(100);
 * ```
 */
export class BufferFullError extends KinesisKitError {
  constructor(bufferedRecords: number, bufferedBytes: number, context: ErrorContext = {}) {
    super('KT_DELIVERY_FAILED', 'producer buffer is full', {
      retriable: true,
      context: { ...context, bufferedRecords, bufferedBytes },
    });
  }
}

/**
 * close() reached its deadline before this record was in the stream.
 * @public
 * @example
 * ```ts
 * await producer.close(); // records still buffered at the deadline reject with CloseTimeoutError
 * ```
 */
export class CloseTimeoutError extends KinesisKitError {
  readonly attempts: readonly Attempt[];
  constructor(attempts: readonly Attempt[], context: ErrorContext = {}) {
    super('KT_CLOSED', 'producer closed before the record was delivered', {
      retriable: true,
      context: { ...context, attempts: attempts.length },
    });
    this.attempts = attempts;
  }
}
