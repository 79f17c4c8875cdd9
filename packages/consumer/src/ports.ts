/**
 * The consumer's ports: what the runtime needs from the outside world, declared here by the
 * package that uses them (house style). Adapters implement them over the AWS SDK; tests implement
 * them with fakes that have real semantics (conditional writes, shard iterators, throttling).
 *
 * Expected outcomes are values, not exceptions: a conditional write that loses the race returns
 * `{ ok: false, reason: 'conflict' }`. Exceptions mean something unexpected (throttling after
 * retries, access denied, the table vanished).
 */
import type { ExtendedSequenceNumber } from '@kinesis-kit/common';
import type { MalformedLeaseError } from './core/leaseErrors.js';

/** A shard's hash-key range as decimal strings, as the lease table stores it. */
export interface LeaseHashKeyRange {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

/**
 * One lease item of a Java-KCL-compatible lease table, in domain form. Attribute mapping (Java
 * serializer names) lives in the DynamoDB adapter; see `../shared/reference/kcl.md` §1.2.
 */
export interface Lease {
  /** `shardId-…` (single stream) or `account:stream:epoch:shardId` (multi-stream). */
  readonly leaseKey: string;
  /** The plain shard id (equals leaseKey for single-stream leases). */
  readonly shardId: string;
  /** `account:stream:epoch` for multi-stream leases (the Java `streamName` attribute). */
  readonly streamIdentifier?: string;
  /** Absent means unassigned. */
  readonly leaseOwner?: string;
  readonly leaseCounter: number;
  readonly checkpoint: ExtendedSequenceNumber;
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  readonly pendingCheckpointState?: Uint8Array;
  readonly ownerSwitchesSinceCheckpoint: number;
  /** Parent and adjacent parent shard ids (plain shard ids, even in multi-stream). */
  readonly parentShardIds: readonly string[];
  readonly childShardIds: readonly string[];
  readonly hashKeyRange?: LeaseHashKeyRange;
  /** KCL 3.x graceful handoff: the previous owner still checkpointing. */
  readonly checkpointOwner?: string;
  /** KCL 3.x throughput statistic; preserved, never required. */
  readonly throughputKBps?: number;
}

/** A lease to create (shard sync, child creation): no owner, counter 0. */
export type NewLease = Pick<
  Lease,
  'leaseKey' | 'shardId' | 'streamIdentifier' | 'checkpoint' | 'parentShardIds' | 'hashKeyRange'
> & { readonly childShardIds?: readonly string[] };

/**
 * The outcome of a conditional lease write. `conflict` means the condition did not hold: the
 * counter moved, the owner changed, or the item is gone (DynamoDB cannot tell those apart without
 * an extra read, so neither store does). `not-found` is reserved for callers that looked first.
 */
export type LeaseWriteResult =
  | { readonly ok: true; readonly lease: Lease }
  | { readonly ok: false; readonly reason: 'conflict' | 'not-found' };

/**
 * A checkpoint write, as the Java KCL's `updateLease` does it.
 *
 * - Commit (`pendingCheckpoint` absent or `null`): writes `checkpoint`, resets
 *   `ownerSwitchesSinceCheckpoint` to 0 and clears the pending fields (a checkpoint always
 *   supersedes a prepared one, as in the KCL).
 * - Prepare (`pendingCheckpoint` set): writes the pending fields (and `pendingCheckpointState`, or
 *   removes a stale one) and re-writes `checkpoint` unchanged; owner switches are left alone.
 */
export interface CheckpointUpdate {
  readonly checkpoint: ExtendedSequenceNumber;
  readonly pendingCheckpoint?: ExtendedSequenceNumber | null;
  readonly pendingCheckpointState?: Uint8Array | null;
}

/** Options every I/O call accepts. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** `listLeases` options: who hears about skipped malformed items (else the store logs them). */
export interface ListLeasesOptions extends CallOptions {
  readonly onMalformed?: (error: MalformedLeaseError) => void;
}

/**
 * The lease table. Every ownership and checkpoint change is conditional on the `leaseCounter` the
 * caller last saw (and on the owner, which a Java 3.x handoff can change without a counter bump),
 * and bumps the counter. Failed conditions are values (`{ ok: false }`); exceptions are for the
 * unexpected, as a `LeaseStoreError` (see `core/leaseErrors.ts`) carrying the SDK error as `cause`.
 */
export interface LeaseStore {
  /** Creates the table if it does not exist (hash key `leaseKey`, on-demand) and waits until usable. */
  ensureTable(options?: CallOptions): Promise<void>;
  /**
   * Every lease item; items whose `entityType` is not `LEASE` are skipped, malformed ones skipped
   * and reported (`onMalformed`, else the logger).
   */
  listLeases(options?: ListLeasesOptions): Promise<Lease[]>;
  /**
   * One lease (strongly consistent read); undefined when absent or not a lease. A malformed item
   * rejects with `MalformedLeaseError`.
   */
  getLease(leaseKey: string, options?: CallOptions): Promise<Lease | undefined>;
  /** True when the table holds no lease item (non-lease items do not count). */
  isEmpty(options?: CallOptions): Promise<boolean>;
  /** Conditional put on `attribute_not_exists(leaseKey)`; false when it already existed. */
  createLeaseIfNotExists(lease: NewLease, options?: CallOptions): Promise<boolean>;
  /**
   * Take (also steal): condition counter = lease.leaseCounter; sets the owner, counter+1, removes a
   * 3.x `checkpointOwner`, owner switches +1 when `lease.leaseOwner` was someone else.
   */
  takeLease(lease: Lease, owner: string, options?: CallOptions): Promise<LeaseWriteResult>;
  /** Renew: condition counter = lease.leaseCounter and owner = lease.leaseOwner; counter+1. */
  renewLease(lease: Lease, options?: CallOptions): Promise<LeaseWriteResult>;
  /** Graceful release: condition leaseOwner = owner (any counter); removes the owner, counter+1. */
  releaseLease(lease: Lease, owner: string, options?: CallOptions): Promise<LeaseWriteResult>;
  /** Checkpoint: condition counter = lease.leaseCounter and owner = lease.leaseOwner; counter+1. */
  updateCheckpoint(
    lease: Lease,
    update: CheckpointUpdate,
    options?: CallOptions,
  ): Promise<LeaseWriteResult>;
  /**
   * Metadata only, no counter bump (Java `updateLeaseWithMetaInfo`): condition the lease exists.
   * Resolves false when it does not (the KCL only logs that).
   */
  updateChildShardIds(
    leaseKey: string,
    childShardIds: readonly string[],
    options?: CallOptions,
  ): Promise<boolean>;
  updateHashKeyRange(
    leaseKey: string,
    range: LeaseHashKeyRange,
    options?: CallOptions,
  ): Promise<boolean>;
  /** Unconditional delete (lease cleanup), as the KCL does. */
  deleteLease(leaseKey: string, options?: CallOptions): Promise<void>;
  /**
   * The KCL 3.x client-version item (`Migration3.0`), if present in the lease table (or the
   * coordinator state table), so a worker can refuse to join a 3.x fleet silently.
   */
  getClientVersionState?(options?: CallOptions): Promise<ClientVersionState | undefined>;
  /**
   * KCL 3.x worker heartbeats (`WorkerMetricStats` items: in the lease table, or the legacy
   * `<app>-WorkerMetricStats` table), used to tell a live 3.x fleet from a stopped one.
   */
  listWorkerHeartbeats?(options?: CallOptions): Promise<WorkerHeartbeat[]>;
}

/** The `Migration3.0` item's fields. */
export interface ClientVersionState {
  /** e.g. `CLIENT_VERSION_3X`, `CLIENT_VERSION_2X`, `CLIENT_VERSION_UPGRADE_FROM_2X`. */
  readonly clientVersion: string;
  readonly modifiedBy?: string;
  readonly modifiedAtMs?: number;
  /** Where it was found. */
  readonly source: 'lease-table' | 'coordinator-state-table';
}

/** A KCL 3.x `WorkerMetricStats` entry, reduced to what liveness needs. */
export interface WorkerHeartbeat {
  readonly workerId: string;
  /** `lut`: the last update, epoch seconds. */
  readonly lastUpdateEpochSeconds: number;
}

/** A shard as ListShards describes it (the SDK's shape, so adapters pass it through). */
export interface ShardDescription {
  readonly ShardId: string;
  readonly ParentShardId?: string;
  readonly AdjacentParentShardId?: string;
  readonly HashKeyRange: { readonly StartingHashKey: string; readonly EndingHashKey: string };
  readonly SequenceNumberRange: {
    readonly StartingSequenceNumber: string;
    readonly EndingSequenceNumber?: string;
  };
}

/** A child shard as GetRecords/SubscribeToShard report it at the end of a parent. */
export interface ChildShard {
  readonly shardId: string;
  readonly parentShards: readonly string[];
  readonly hashKeyRange: LeaseHashKeyRange;
}
