/**
 * Start-up retries. Starting a consumer makes a dozen AWS calls (lease table, fleet check, stream
 * ARN, first shard sync); a throttle or 5xx that outlives the SDK's own retries must not make
 * `start()` fail, or every worker of a fleet that starts while DynamoDB throttles gives up. The
 * Java KCL retries its initialization (`maxInitializationAttempts`, 20 by default) for the same
 * reason. Errors that will not go away (bad configuration, stream not found, a KCL 3.x fleet on
 * the table) still fail at once.
 */
import { computeBackoff, isAbortError, isKinesisKitError } from '@kinesis-kit/common';
import type { BackoffOptions, Clock } from '@kinesis-kit/common';
import { isThrottlingErrorName } from '../core/leaseErrors.js';

/** How often and how patiently start-up is retried. @internal */
export const START_RETRY: { readonly attempts: number; readonly backoff: BackoffOptions } = {
  attempts: 10,
  backoff: { baseMs: 500, capMs: 5_000 },
};

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'TimeoutError',
]);

/**
 * True for an error the next attempt may not meet: our retriable errors, SDK throttles, 5xx and
 * connection failures (classified by name, code, `$retryable` and status, never by message).
 * @internal
 */
export function isTransientStartError(error: unknown): boolean {
  if (isAbortError(error)) return false;
  if (isKinesisKitError(error)) return error.retriable;
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  } | null;
  if (e === null || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  return (
    e.$retryable !== undefined ||
    (status !== undefined && status >= 500) ||
    isThrottlingErrorName(e.name ?? '') ||
    TRANSIENT_CODES.has(e.code ?? '') ||
    TRANSIENT_CODES.has(e.name ?? '')
  );
}

/** Options of {@link retryStart}. @internal */
export interface RetryStartOptions {
  readonly clock: Clock;
  readonly random: () => number;
  readonly signal: AbortSignal;
  readonly attempts?: number;
  readonly backoff?: BackoffOptions;
  /** Called before each wait (for an `error` event). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `attempt` until it resolves, retrying transient errors with full-jitter backoff; the last
 * error, or the first that is not transient, is thrown. An abort ends the waiting at once.
 * @internal
 */
export async function retryStart<T>(
  attempt: () => Promise<T>,
  options: RetryStartOptions,
): Promise<T> {
  const attempts = options.attempts ?? START_RETRY.attempts;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= attempts || options.signal.aborted || !isTransientStartError(error)) throw error;
      const delayMs = computeBackoff(n - 1, options.backoff ?? START_RETRY.backoff, options.random);
      options.onRetry?.(error, n, delayMs);
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}
