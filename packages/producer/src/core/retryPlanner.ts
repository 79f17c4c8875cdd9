/**
 * What to do with a Kinesis record whose put failed: retry it after an exponential backoff with
 * full jitter, expire it (its TTL passed), or fail it (the error will not go away by retrying,
 * such as access denied or a missing stream). The KPL retries everything in a tight loop until
 * expiry (issue #35); here retries are spaced and bounded by the TTL, and permanent errors reach
 * the caller at once with the AWS error as cause.
 *
 * Errors are classified by `name`, `$metadata` and `$retryable`, never by message text.
 * Pure: `now` and `random` are passed in.
 */
import { computeBackoff } from '@kinesis-kit/common';
import type { OutboundRecord } from './records.js';

/** @internal */
export type FailureKind = 'throttled' | 'retriable' | 'fatal';

/** Error code we give a record that landed on a shard whose range does not hold it. @internal */
export const WRONG_SHARD = 'WrongShard';

const THROTTLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const RETRIABLE_ENTRY_CODES = new Set([
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  WRONG_SHARD,
]);

const FATAL_REQUEST_NAMES = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidArgumentException',
  'ValidationException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'NotAuthorized',
  'CredentialsProviderError',
]);

/** Kind of a per-entry ErrorCode in a PutRecords response. @internal */
export function classifyEntryError(code: string): FailureKind {
  if (THROTTLE_CODES.has(code)) return 'throttled';
  if (RETRIABLE_ENTRY_CODES.has(code)) return 'retriable';
  // KMS access and state errors, and anything unknown: retrying the same bytes will not help.
  return 'fatal';
}

/** The parts of an SDK error we classify by. @internal */
export interface SdkErrorShape {
  readonly name?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
  readonly $fault?: unknown;
}

/** Kind and code of an error that failed a whole PutRecords request. @internal */
export function classifyRequestError(error: unknown): { kind: FailureKind; code: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const code = typeof e.name === 'string' && e.name !== '' ? e.name : 'UnknownError';
  if (THROTTLE_CODES.has(code)) return { kind: 'throttled', code };
  if (e.$retryable !== undefined && e.$retryable !== null) return { kind: 'retriable', code };
  if (FATAL_REQUEST_NAMES.has(code)) return { kind: 'fatal', code };
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    if (status >= 500 || status === 429 || status === 408) return { kind: 'retriable', code };
    if (status >= 400) return { kind: 'fatal', code };
  }
  if (e.$fault === 'client' && typeof status === 'number') return { kind: 'fatal', code };
  // No HTTP response at all: a reset connection, a timeout, a DNS hiccup. Worth retrying.
  return { kind: 'retriable', code };
}

/** @internal */
export interface RetryPolicy {
  readonly failIfThrottled: boolean;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

/** @internal */
export type RetryDecision =
  | { readonly action: 'retry'; readonly notBefore: number }
  | { readonly action: 'expire' }
  | { readonly action: 'fail' };

/** Decides the fate of `record` after a failed send (its `sends` already counts that send). */
export function planRetry(
  record: OutboundRecord,
  kind: FailureKind,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (kind === 'fatal') return { action: 'fail' };
  if (kind === 'throttled' && policy.failIfThrottled) return { action: 'fail' };
  if (now >= record.expiresAt) return { action: 'expire' };
  const delay = computeBackoff(
    Math.max(0, record.sends - 1),
    { baseMs: policy.retryBaseMs, capMs: policy.retryMaxMs },
    random,
  );
  return { action: 'retry', notBefore: now + delay };
}
