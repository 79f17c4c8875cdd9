/**
 * The one exception a lease store throws: something unexpected happened (throttling that outlived
 * the SDK's retries, access denied, the table vanished). Expected outcomes, such as losing a
 * conditional write, are values instead (`{ ok: false, reason: 'conflict' }`).
 */
import { KinesisKitError } from '@kinesis-kit/common';

/** SDK error names that mean "slow down", classified by `name` as the SDK documents them. */
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** Transient server-side failures worth retrying on the next loop iteration. */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
]);

/** True when an SDK error name means throttling. @internal */
export function isThrottlingErrorName(name: string): boolean {
  return THROTTLING_NAMES.has(name);
}

/**
 * A lease-table call failed for a reason other than a failed condition. `retriable` tells the
 * coordinator whether the next tick may succeed; `cause` is the SDK error.
 * @public
 */
export class LeaseStoreError extends KinesisKitError {
  /** The failed operation (`takeLease`, `listLeases`, …). */
  readonly operation: string;
  /** The SDK error's `name` (`ProvisionedThroughputExceededException`, …). */
  readonly errorName: string;
  readonly throttled: boolean;

  constructor(
    operation: string,
    errorName: string,
    options: { cause?: unknown; retriable?: boolean; context?: Record<string, unknown> } = {},
  ) {
    const throttled = isThrottlingErrorName(errorName);
    super('KT_AWS', `lease table ${operation} failed: ${errorName}`, {
      cause: options.cause,
      retriable: options.retriable ?? (throttled || TRANSIENT_NAMES.has(errorName)),
      context: { ...options.context, operation, errorName },
    });
    this.operation = operation;
    this.errorName = errorName;
    this.throttled = throttled;
  }
}

/**
 * A lease item the Java KCL format does not allow (no `leaseKey`, a `leaseCounter` that is not a
 * number, an unreadable checkpoint, …). Scans skip such an item so the rest of the fleet keeps
 * running, and report this error (the consumer's `error` event, operation `listLeases`, once per
 * item and problem); a call on that one lease (`getLease`, a write) rejects with it. Fix or delete
 * the item to bring the shard back.
 * @public
 * @example
 * ```ts
 * consumer.events.on('error', ({ error }) => {
 *   if (error instanceof MalformedLeaseError) console.error(error.leaseKey, error.attribute, error.problem);
 * });
 * ```
 */
export class MalformedLeaseError extends KinesisKitError {
  /** The item's `leaseKey`; undefined when that is what is missing. */
  readonly leaseKey: string | undefined;
  /** The offending attribute (`leaseCounter`, `checkpoint`, …). */
  readonly attribute: string;
  /** What is wrong with it. */
  readonly problem: string;

  constructor(
    leaseKey: string | undefined,
    attribute: string,
    problem: string,
    context: Record<string, unknown> = {},
  ) {
    super(
      'KT_VALIDATION',
      `lease item ${leaseKey ?? '(without leaseKey)'} is malformed: ${attribute} ${problem}`,
      {
        retriable: false,
        context: { ...context, ...(leaseKey !== undefined && { leaseKey }), attribute, problem },
      },
    );
    this.leaseKey = leaseKey;
    this.attribute = attribute;
    this.problem = problem;
  }
}
