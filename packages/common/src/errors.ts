/**
 * The typed error base of kinesis-kit. Every error we raise carries a stable `code`, whether a retry
 * can help (`retriable`), the underlying `cause` (an AWS SDK error, say) and enumerable context such
 * as `streamName` or `shardId`, so that logs and callers can act on it without parsing messages.
 */

/** @public */
export type KinesisKitErrorCode =
  | 'KT_CONFIG'
  | 'KT_VALIDATION'
  | 'KT_LEASE_LOST'
  | 'KT_RECORD_TOO_LARGE'
  | 'KT_DELIVERY_FAILED'
  | 'KT_EXPIRED'
  | 'KT_CLOSED'
  | 'KT_AWS'
  | 'KT_TIMEOUT'
  | 'KT_CHECKPOINT'
  | 'KT_PROTOCOL';

const BRAND = Symbol.for('kinesis-kit.error');

/** Context fields attached to an error; all enumerable, never payloads. @public */
export type ErrorContext = Readonly<Record<string, unknown>>;

/** @public */
export interface KinesisKitErrorOptions {
  readonly cause?: unknown;
  readonly retriable?: boolean;
  readonly context?: ErrorContext;
}

/**
 * Base class of every error kinesis-kit throws.
 * @public
 * @example
 * ```ts
 * try { await producer.put(rec) } catch (e) { if (isKinesisKitError(e) && e.code === 'KT_VALIDATION') ... }
 * ```
 */
export class KinesisKitError extends Error {
  readonly code: KinesisKitErrorCode;
  readonly retriable: boolean;
  readonly context: ErrorContext;
  readonly [BRAND] = true;

  constructor(code: KinesisKitErrorCode, message: string, options: KinesisKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/**
 * True for any kinesis-kit error, also across two copies of the package (ESM and CJS builds).
 * @public
 */
export function isKinesisKitError(value: unknown): value is KinesisKitError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/** One invalid field: its name, the value's problem and the limit it broke. @public */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Options that failed validation. Lists every invalid field at once.
 * @public
 */
export class ConfigurationError extends KinesisKitError {
  readonly problems: readonly FieldProblem[];
  constructor(component: string, problems: readonly FieldProblem[]) {
    super(
      'KT_CONFIG',
      `invalid ${component} options: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      { context: { component, fields: problems.map((p) => p.field) } },
    );
    this.problems = problems;
  }
}

/**
 * Bad input to a call (a record, a key, a sequence number). Names the field and the limit.
 * @public
 */
export class ValidationError extends KinesisKitError {
  readonly field: string;
  constructor(field: string, message: string, context: ErrorContext = {}) {
    super('KT_VALIDATION', `${field}: ${message}`, { context: { ...context, field } });
    this.field = field;
  }
}

/**
 * A record larger than a limit it must fit (the stream's record size, an aggregate).
 * @public
 */
export class RecordTooLargeError extends KinesisKitError {
  readonly field: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(field: string, sizeBytes: number, limitBytes: number, context: ErrorContext = {}) {
    super(
      'KT_RECORD_TOO_LARGE',
      `${field}: ${sizeBytes} bytes exceeds the limit of ${limitBytes} bytes`,
      {
        context: { ...context, field, sizeBytes, limitBytes },
      },
    );
    this.field = field;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * A call on something that was closed or stopped.
 * @public
 */
export class ClosedError extends KinesisKitError {
  constructor(what: string) {
    super('KT_CLOSED', `${what} is closed`, { context: { component: what } });
  }
}

/**
 * The operation was aborted through its AbortSignal.
 * @public
 */
export class AbortError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

/** @public */
export function isAbortError(value: unknown): boolean {
  return value instanceof Error && value.name === 'AbortError';
}
