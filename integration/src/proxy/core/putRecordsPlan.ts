/**
 * PutRecords through the proxy, as pure steps: size each entry, decide per entry (forward,
 * throttle, inject InternalFailure), then splice the target's answers for the forwarded entries
 * back into the original order. The proxy does the I/O between `planPutRecords` and
 * `spliceResults`.
 */
import type { FaultEngine } from './faultRules.js';
import type { ShardLimitModel, ThrottleReason } from './shardLimits.js';

/** A PutRecords entry as the JSON protocol carries it (Data is base64). @public */
export interface WireEntry {
  readonly Data?: string;
  readonly PartitionKey?: string;
  readonly ExplicitHashKey?: string;
}

/** One entry's answer in a PutRecords response. @public */
export interface WireResultEntry {
  readonly SequenceNumber?: string;
  readonly ShardId?: string;
  readonly ErrorCode?: string | null;
  readonly ErrorMessage?: string | null;
}

/** What happens to one entry. @public */
export type EntryOutcome =
  | { readonly kind: 'forward'; readonly shardId: string | undefined }
  | { readonly kind: 'throttled'; readonly shardId: string; readonly reason: ThrottleReason }
  | {
      readonly kind: 'internal-failure';
      readonly shardId: string | undefined;
      readonly ruleId: string;
    };

/** Bytes of the data a base64 string encodes, without decoding it. @public */
export function base64DecodedLength(base64: string | undefined): number {
  if (base64 === undefined || base64.length === 0) return 0;
  let padding = 0;
  if (base64.endsWith('==')) padding = 2;
  else if (base64.endsWith('=')) padding = 1;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/** The bytes an entry counts against the limits: data plus the partition key's UTF-8 bytes. @public */
export function entryBytes(entry: WireEntry): number {
  return base64DecodedLength(entry.Data) + Buffer.byteLength(entry.PartitionKey ?? '', 'utf8');
}

/** Inputs of {@link planPutRecords}. @public */
export interface PutRecordsPlanInput {
  /** Per entry: the shard it routes to (undefined when unknown) and its bytes. */
  readonly entries: readonly { readonly shardId: string | undefined; readonly bytes: number }[];
  readonly streamName: string;
  /** Prefix of the limit model's shard keys for this stream (e.g. `account/stream`). */
  readonly streamKey: string;
  readonly operation: 'PutRecords' | 'PutRecord';
  readonly now: number;
  /** Undefined when limits are off. */
  readonly limits: ShardLimitModel | undefined;
  readonly faults: FaultEngine;
}

/**
 * Decides every entry in order. An entry over its shard's budget is throttled and takes nothing
 * from it; an admitted entry takes its budget and may then be hit by an `entry-internal-failure`
 * rule (the service accepted it and failed internally). Entries whose shard is unknown are
 * forwarded unlimited: the target answers for them (e.g. ResourceNotFoundException).
 * @public
 */
export function planPutRecords(input: PutRecordsPlanInput): EntryOutcome[] {
  const entryFaults = input.faults.hasEntryRules(input.operation);
  return input.entries.map(({ shardId, bytes }): EntryOutcome => {
    if (shardId !== undefined && input.limits !== undefined) {
      const reason = input.limits.admitWrite(`${input.streamKey}/${shardId}`, bytes, input.now);
      if (reason !== undefined) return { kind: 'throttled', shardId, reason };
    }
    if (entryFaults) {
      const fired = input.faults.forEntry({
        operation: input.operation,
        streamName: input.streamName,
        shardIds: shardId === undefined ? [] : [shardId],
      });
      if (fired !== undefined) return { kind: 'internal-failure', shardId, ruleId: fired.ruleId };
    }
    return { kind: 'forward', shardId };
  });
}

/** The service's message for a throttled write or read. @public */
export function rateExceededMessage(shardId: string, streamName: string, account: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${account}.`;
}

/** The service's message for an entry that failed internally. @public */
export const INTERNAL_FAILURE_MESSAGE = 'Internal service failure.';

/**
 * Puts the target's answers for the forwarded entries (in forwarding order) back among the
 * throttled and failed ones, and counts the failures. Throws when the target answered a different
 * number of entries than it was sent: the caller must not guess which entry is which.
 * @public
 */
export function spliceResults(
  outcomes: readonly EntryOutcome[],
  forwarded: readonly WireResultEntry[],
  context: { readonly streamName: string; readonly account: string },
): { Records: WireResultEntry[]; FailedRecordCount: number } {
  const expected = outcomes.filter((o) => o.kind === 'forward').length;
  if (forwarded.length !== expected) {
    throw new Error(`target answered ${forwarded.length} entries for ${expected} forwarded`);
  }
  let next = 0;
  let failed = 0;
  const records = outcomes.map((outcome): WireResultEntry => {
    if (outcome.kind === 'forward') {
      const result = forwarded[next++]!;
      // kinesis-local sends `"ErrorCode": null` on successful entries.
      if (typeof result.ErrorCode === 'string' && result.ErrorCode.length > 0) failed++;
      return result;
    }
    failed++;
    if (outcome.kind === 'throttled') {
      return {
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: rateExceededMessage(outcome.shardId, context.streamName, context.account),
      };
    }
    return { ErrorCode: 'InternalFailure', ErrorMessage: INTERNAL_FAILURE_MESSAGE };
  });
  return { Records: records, FailedRecordCount: failed };
}
