/**
 * What the CLI prints when something goes wrong: one line, no stack trace. SDK errors are
 * classified by `name` and `code` (smithy style), never by their message text, except the SDK's
 * "Region is missing", which is a plain Error with nothing else to go by.
 */

/** Bad arguments: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the command has already put into words; `exitCode` defaults to 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignatureException',
  'AccessDenied',
]);

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** Where the CLI was talking to, for the messages. */
export interface ErrorContext {
  readonly where: string;
}

/** One line describing `error`; `where` names the endpoint or region. */
export function describeError(error: unknown, ctx: ErrorContext): string {
  const e = unwrap(error);
  if (e instanceof CliError || e instanceof UsageError) return e.message;
  const name = errorName(e);
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'CredentialsProviderError') {
    return (
      'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
      '(for an emulator, give --endpoint)'
    );
  }
  if (message === 'Region is missing') {
    return 'no AWS region: pass --region or set AWS_REGION';
  }
  if (ACCESS_DENIED.has(name)) return `access denied (${name}) at ${ctx.where}: ${message}`;
  if (name === 'ResourceNotFoundException') return `not found at ${ctx.where}: ${message}`;
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return `cannot reach ${ctx.where}: ${code}`;
  }
  if (name === 'TimeoutError') return `cannot reach ${ctx.where}: timed out`;
  return `${name === 'Error' || name === '' ? 'error' : name}: ${message}`;
}

/** The SDK error's name, or '' when it has none. */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/** Our wrappers (LeaseStoreError, DeliveryFailedError…) keep the SDK error as `cause`. */
function unwrap(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 5; i++) {
    const cause = (e as { cause?: unknown } | null)?.cause;
    const name = errorName(e);
    if (cause === undefined || !/^(LeaseStoreError|DeliveryFailedError|RetrievalError)$/.test(name))
      return e;
    e = cause;
  }
  return e;
}

/** True when `error` (or what it wraps) is an SDK ResourceNotFoundException. */
export function isNotFound(error: unknown): boolean {
  return errorName(unwrap(error)) === 'ResourceNotFoundException';
}
