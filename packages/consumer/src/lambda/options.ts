/**
 * Options of the Lambda handlers, checked once when the handler is created (at cold start), so a
 * misconfiguration fails the first invocation loudly instead of mis-reporting failures.
 */
import { ConfigurationError, createConsoleLogger } from '@kinesis-kit/common';
import type { FieldProblem, HashKeyRange, Logger } from '@kinesis-kit/common';

/** Looks up a shard's hash-key range, e.g. from a ListShards result cached at cold start. @public */
export type ShardHashKeyRangeLookup = (
  shardId: string,
  eventSourceARN: string,
) => HashKeyRange | undefined | Promise<HashKeyRange | undefined>;

/** @public */
export interface KinesisHandlerOptions {
  /**
   * Where failures are logged (never payloads). The shape of the AWS SDK's logger.
   * @defaultValue console warnings and errors
   */
  readonly logger?: Logger;
  /**
   * Whether the event source mapping has `FunctionResponseTypes: ["ReportBatchItemFailures"]`.
   * When true, a failure is returned as `batchItemFailures`. When false, the handler rethrows
   * the first failure instead: without that setting Lambda ignores the response and would count
   * the failed records as processed, so throwing (Lambda retries the whole batch) is the only
   * way not to lose them.
   * @defaultValue true
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * The KCL's hash-range filter, opt-in: given a shard's range, an aggregate holding a user record
   * that hashes outside it is dropped whole, because it was written to the wrong shard and a KPL
   * producer writes its records again (kpl.md §2.4). Lambda does not tell a function its shard's
   * range, so without this lookup such records are delivered twice. Return `undefined` to skip
   * the filter for a shard.
   * @defaultValue no filter
   */
  readonly shardHashKeyRange?: ShardHashKeyRangeLookup;
}

/** @public */
export const KINESIS_HANDLER_DEFAULTS = {
  reportBatchItemFailures: true,
} as const satisfies Partial<KinesisHandlerOptions>;

/** @internal */
export interface ResolvedKinesisHandlerOptions {
  readonly logger: Logger;
  readonly reportBatchItemFailures: boolean;
  readonly shardHashKeyRange: ShardHashKeyRangeLookup | undefined;
}

/**
 * Merges the defaults and validates every field, throwing one ConfigurationError.
 * @internal
 */
export function resolveKinesisHandlerOptions(
  options: KinesisHandlerOptions = {},
): ResolvedKinesisHandlerOptions {
  const problems: FieldProblem[] = [];
  const { logger, reportBatchItemFailures, shardHashKeyRange } = options as Record<string, unknown>;
  if (logger !== undefined && !isLogger(logger)) {
    problems.push({ field: 'logger', message: 'must have debug, info, warn and error methods' });
  }
  if (reportBatchItemFailures !== undefined && typeof reportBatchItemFailures !== 'boolean') {
    problems.push({ field: 'reportBatchItemFailures', message: 'must be a boolean' });
  }
  if (shardHashKeyRange !== undefined && typeof shardHashKeyRange !== 'function') {
    problems.push({ field: 'shardHashKeyRange', message: 'must be a function' });
  }
  if (problems.length > 0) throw new ConfigurationError('kinesisHandler', problems);
  return {
    logger: options.logger ?? createConsoleLogger('warn'),
    reportBatchItemFailures:
      options.reportBatchItemFailures ?? KINESIS_HANDLER_DEFAULTS.reportBatchItemFailures,
    shardHashKeyRange: options.shardHashKeyRange,
  };
}

function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const l = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((m) => typeof l[m] === 'function');
}
