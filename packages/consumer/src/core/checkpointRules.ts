/**
 * Checkpoint validation as the KCL's ShardRecordProcessorCheckpointer does it (kcl.md §5.2), pure:
 * a checkpoint must lie between the last checkpoint and the largest sequence number delivered
 * (`largestPermitted`, SHARD_END inside `shardEnded`); checkpointing exactly the last record of a
 * closed shard is written as SHARD_END; checkpointing the value already stored is a no-op.
 * Bad input throws a ValidationError naming the field (the KCL throws IllegalArgumentException).
 */
import { ExtendedSequenceNumber, ValidationError } from '@kinesis-kit/common';

/** What the checkpointer knows about its shard. @public */
export interface CheckpointerState {
  readonly lastCheckpoint: ExtendedSequenceNumber;
  readonly largestPermitted: ExtendedSequenceNumber;
  /** The last record of a closed shard, once its final batch was delivered. */
  readonly sequenceNumberAtShardEnd?: ExtendedSequenceNumber;
}

/** @public */
export type CheckpointDecision =
  | { readonly kind: 'write'; readonly checkpoint: ExtendedSequenceNumber }
  | { readonly kind: 'noop' };

/**
 * Validates `checkpoint()` (no argument: `largestPermitted`) or `checkpoint(seq, subSeq)`.
 * @public
 */
export function decideCheckpoint(
  state: CheckpointerState,
  sequenceNumber?: unknown,
  subSequenceNumber?: unknown,
): CheckpointDecision {
  const requested =
    sequenceNumber === undefined
      ? state.largestPermitted
      : parse(sequenceNumber, subSequenceNumber);
  checkRange(state, requested);
  if (requested.equals(state.lastCheckpoint)) return { kind: 'noop' };
  const end = state.sequenceNumberAtShardEnd;
  const checkpoint =
    end !== undefined && requested.equals(end) ? ExtendedSequenceNumber.SHARD_END : requested;
  return { kind: 'write', checkpoint };
}

/**
 * Validates `prepareCheckpoint(...)`: same range; preparing at the current checkpoint is a no-op
 * (the KCL returns a prepared checkpointer that does nothing). @public
 */
export function decidePrepareCheckpoint(
  state: CheckpointerState,
  sequenceNumber?: unknown,
  subSequenceNumber?: unknown,
): CheckpointDecision {
  const requested =
    sequenceNumber === undefined
      ? state.largestPermitted
      : parse(sequenceNumber, subSequenceNumber);
  checkRange(state, requested);
  if (requested.equals(state.lastCheckpoint)) return { kind: 'noop' };
  return { kind: 'write', checkpoint: requested };
}

function parse(sequenceNumber: unknown, subSequenceNumber: unknown): ExtendedSequenceNumber {
  if (typeof sequenceNumber !== 'string') {
    throw new ValidationError('sequenceNumber', `must be a string, got ${typeof sequenceNumber}`);
  }
  const sub = subSequenceNumber ?? 0;
  if (typeof sub !== 'number') {
    throw new ValidationError('subSequenceNumber', `must be a number, got ${typeof sub}`);
  }
  // Throws ValidationError('sequenceNumber' | 'subSequenceNumber') on garbage or negatives.
  const value = ExtendedSequenceNumber.of(sequenceNumber, sub);
  if (value.isSentinel && !value.isShardEnd) {
    throw new ValidationError('sequenceNumber', `cannot checkpoint at ${value.sequenceNumber}`);
  }
  return value;
}

function checkRange(state: CheckpointerState, requested: ExtendedSequenceNumber): void {
  if (
    requested.compareTo(state.lastCheckpoint) < 0 ||
    requested.compareTo(state.largestPermitted) > 0
  ) {
    throw new ValidationError(
      'sequenceNumber',
      `${requested.toString()} is outside the acceptable range between the last checkpoint ` +
        `${state.lastCheckpoint.toString()} and the largest sequence number delivered ` +
        state.largestPermitted.toString(),
    );
  }
}
