/**
 * The checkpointer handed to record processors: KCL semantics (kcl.md §5.2) with promises. Values
 * are decided by the pure rules of `core/checkpointRules.ts` (`lastCheckpoint ≤ value ≤
 * largestPermitted`, the last record of a closed shard written as SHARD_END, the stored value a
 * no-op); this class adds the I/O, the lease-lost state, and one write at a time per shard, so two
 * calls cannot race each other's conditional update on the lease.
 */
import {
  ExtendedSequenceNumber,
  KinesisKitError,
  ValidationError,
  noopMetricsSink,
  systemClock,
} from '@kinesis-kit/common';
import { decideCheckpoint, decidePrepareCheckpoint } from './core/checkpointRules.js';
import type { CheckpointDecision, CheckpointerState } from './core/checkpointRules.js';
import type { Clock, MetricDimensions, MetricsSink } from '@kinesis-kit/common';
import type {
  CallOptions,
  CheckpointUpdate,
  Lease,
  LeaseStore,
  LeaseWriteResult,
} from './ports.js';
import type {
  ConsumerRecord,
  PreparedCheckpointer,
  RecordProcessorCheckpointer,
} from './processor.js';

/**
 * The lease is no longer held by this worker (taken by another, released, or the worker
 * stopped): the KCL's `ShutdownException`. Processing of the shard must stop.
 * @public
 */
export class LeaseLostError extends KinesisKitError {
  constructor(shardId: string, detail: string, cause?: unknown) {
    super('KT_LEASE_LOST', `lease of ${shardId} is no longer held: ${detail}`, {
      cause,
      context: { shardId },
    });
  }
}

/**
 * Where checkpoints go: a conditional write on the lease this worker holds. The coordinator's
 * implementation must serialise it with its renewals of the same lease (as the KCL's renewer
 * does), so a renewal bumping `leaseCounter` does not make a checkpoint look like a lost race.
 * @public
 */
export interface CheckpointTarget {
  updateCheckpoint(update: CheckpointUpdate, options?: CallOptions): Promise<LeaseWriteResult>;
}

/**
 * A {@link CheckpointTarget} writing to `store`, conditional on the copy of `lease` it keeps (and
 * advances after each write). For tests and single-owner setups; a coordinator that also renews
 * the lease supplies its own target sharing its lease copy.
 * @public
 */
export function leaseCheckpointTarget(
  store: Pick<LeaseStore, 'updateCheckpoint'>,
  lease: Lease,
): CheckpointTarget & { readonly lease: Lease } {
  let current = lease;
  return {
    get lease() {
      return current;
    },
    async updateCheckpoint(update, options) {
      const result = await store.updateCheckpoint(current, update, options);
      if (result.ok) current = result.lease;
      return result;
    },
  };
}

/** @internal */
export interface ShardCheckpointerOptions {
  readonly shardId: string;
  readonly target: CheckpointTarget;
  /** The lease's checkpoint when processing starts. */
  readonly checkpoint: ExtendedSequenceNumber;
  readonly clock?: Pick<Clock, 'monotonic'>;
  readonly metrics?: MetricsSink;
  readonly dimensions?: MetricDimensions;
  /** Called once when a write finds the lease gone. */
  readonly onLeaseLost?: (error: LeaseLostError) => void;
  readonly onCheckpoint?: (value: ExtendedSequenceNumber) => void;
}

const noop = (): void => undefined;

/**
 * The per-shard checkpointer. The worker moves `largestPermittedCheckpoint` as batches are
 * delivered; the processor moves `lastCheckpoint` by checkpointing.
 * @internal
 */
export class ShardCheckpointer implements RecordProcessorCheckpointer {
  private last: ExtendedSequenceNumber;
  private permitted: ExtendedSequenceNumber;
  private atShardEnd: ExtendedSequenceNumber | undefined;
  private revoked: string | undefined;
  private tail: Promise<void> = Promise.resolve();
  private readonly clock: Pick<Clock, 'monotonic'>;
  private readonly metrics: MetricsSink;

  constructor(private readonly options: ShardCheckpointerOptions) {
    this.last = options.checkpoint;
    this.permitted = options.checkpoint;
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? noopMetricsSink;
  }

  get lastCheckpoint(): ExtendedSequenceNumber {
    return this.last;
  }

  get largestPermittedCheckpoint(): ExtendedSequenceNumber {
    return this.permitted;
  }

  /** True once the lease was found lost or the checkpointer was revoked. */
  get isRevoked(): boolean {
    return this.revoked !== undefined;
  }

  /** Worker: the processor has been handed records up to `value`. */
  setLargestPermitted(value: ExtendedSequenceNumber): void {
    this.permitted = value;
  }

  /** Worker: `value` is the last record of the closed shard (checkpointing it writes SHARD_END). */
  markShardEnd(value: ExtendedSequenceNumber): void {
    this.atShardEnd = value;
  }

  /** Worker: every record was delivered and processed; SHARD_END may now be written. */
  permitShardEnd(): void {
    this.permitted = ExtendedSequenceNumber.SHARD_END;
  }

  /** Worker: from now on every call rejects with a LeaseLostError (lease lost or released). */
  revoke(reason: string): void {
    this.revoked ??= reason;
  }

  checkpoint(target?: ConsumerRecord | string, subSequenceNumber?: number): Promise<void> {
    return this.serialise(async () => {
      this.assertHeld();
      const decision = this.decide(decideCheckpoint, target, subSequenceNumber);
      // Re-checkpointing the stored position is a no-op, as in the KCL (saves a lease write).
      if (decision.kind === 'noop') return;
      const value = decision.checkpoint;
      await this.write({
        checkpoint: value,
        pendingCheckpoint: null,
        pendingCheckpointState: null,
      });
      this.last = value;
      this.options.onCheckpoint?.(value);
    });
  }

  prepareCheckpoint(
    target?: ConsumerRecord | string | Uint8Array,
    second?: number | Uint8Array,
    third?: Uint8Array,
  ): Promise<PreparedCheckpointer> {
    return this.serialise(async () => {
      this.assertHeld();
      const isState = target instanceof Uint8Array;
      const sub = typeof second === 'number' ? second : undefined;
      const state = isState ? target : second instanceof Uint8Array ? second : third;
      const decision = this.decide(decidePrepareCheckpoint, isState ? undefined : target, sub);
      if (decision.kind === 'noop') return { pendingCheckpoint: this.last, checkpoint: noopAsync };
      const value = decision.checkpoint;
      await this.write({
        checkpoint: this.last,
        pendingCheckpoint: value,
        pendingCheckpointState: state ?? null,
      });
      return {
        pendingCheckpoint: value,
        checkpoint: () => this.checkpoint(value.sequenceNumber, value.subSequenceNumber),
      };
    });
  }

  /** Applies the KCL's rules (`core/checkpointRules.ts`) to what the processor passed. */
  private decide(
    rule: (state: CheckpointerState, seq?: unknown, sub?: unknown) => CheckpointDecision,
    target: ConsumerRecord | string | undefined,
    subSequenceNumber: number | undefined,
  ): CheckpointDecision {
    const state: CheckpointerState = {
      lastCheckpoint: this.last,
      largestPermitted: this.permitted,
      ...(this.atShardEnd && { sequenceNumberAtShardEnd: this.atShardEnd }),
    };
    if (target === undefined || typeof target === 'string') {
      return rule(state, target, subSequenceNumber);
    }
    if (typeof target === 'object' && typeof target.sequenceNumber === 'string') {
      return rule(state, target.sequenceNumber, target.subSequenceNumber);
    }
    throw new ValidationError('record', 'must be a ConsumerRecord, a sequence number or nothing');
  }

  private async write(update: CheckpointUpdate): Promise<void> {
    const started = this.clock.monotonic();
    let result: LeaseWriteResult;
    try {
      result = await this.options.target.updateCheckpoint(update);
    } catch (error) {
      this.recordWrite(false, started);
      throw error;
    }
    this.recordWrite(result.ok, started);
    if (!result.ok) {
      const error = new LeaseLostError(this.options.shardId, `checkpoint write: ${result.reason}`);
      if (this.revoked === undefined) {
        this.revoked = result.reason;
        this.options.onLeaseLost?.(error);
      }
      throw error;
    }
  }

  private recordWrite(ok: boolean, started: number): void {
    const dimensions = this.options.dimensions;
    this.metrics.record({
      name: 'UpdateLease.Success',
      value: ok ? 1 : 0,
      unit: 'Count',
      dimensions,
    });
    this.metrics.record({
      name: 'UpdateLease.Time',
      value: this.clock.monotonic() - started,
      unit: 'Milliseconds',
      dimensions,
    });
  }

  private assertHeld(): void {
    if (this.revoked !== undefined) {
      throw new LeaseLostError(this.options.shardId, this.revoked);
    }
  }

  private serialise<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.then(noop, noop);
    return result;
  }
}

function noopAsync(): Promise<void> {
  return Promise.resolve();
}
