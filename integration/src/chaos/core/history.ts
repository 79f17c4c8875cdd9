/**
 * The history a chaos run leaves behind, as the checker reads it: what the producer acknowledged,
 * what every record processor was given, the checkpoints the processors wrote, the lease table as
 * it was sampled, the shard graph and what the fault schedule did to the worker processes.
 * Plain data, so synthetic histories can be written by hand in the checker's unit tests.
 */

/** A record whose `put()` resolved: where the producer says it landed. @public */
export interface AckedRecord {
  /** Unique per record (written into the payload). */
  readonly id: string;
  readonly partitionKey: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** Position of the `put()` call among all calls (0-based): the producer's order. */
  readonly putIndex: number;
}

/** One record as a processor received it in `processRecords`. @public */
export interface Delivery {
  /** The payload id (the producer's {@link AckedRecord.id}). */
  readonly id: string;
  readonly partitionKey: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** The worker process instance (`<workerId>#<incarnation>`): a restart is a new instance. */
  readonly instance: string;
  /** The lease counter right after this instance took the shard's lease (its lease "epoch"). */
  readonly leaseCounter: number | undefined;
  /** Wall-clock ms when the batch was handed to the processor. */
  readonly at: number;
}

/** A checkpoint a processor wrote successfully. @public */
export interface CheckpointWrite {
  readonly instance: string;
  readonly shardId: string;
  readonly leaseCounter: number | undefined;
  /** A sequence number or a sentinel (`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`, `SHARD_END`). */
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** When the checkpoint call began; the write happened after this. */
  readonly startedAt: number;
  /** When it resolved. */
  readonly at: number;
}

/** A lease taken by a worker instance (the `leaseTaken` event). @public */
export interface LeaseTake {
  readonly instance: string;
  readonly shardId: string;
  readonly leaseCounter: number;
  readonly at: number;
  /** Taken from a live owner to balance the load (not expired, not unowned). */
  readonly stolen?: boolean;
}

/** A lease a worker instance noticed it lost (the `leaseLost` event). @public */
export interface LeaseLoss {
  readonly instance: string;
  readonly shardId: string;
  readonly reason: string;
  readonly at: number;
}

/** One lease-table item as the run's watcher read it. @public */
export interface LeaseSample {
  readonly at: number;
  readonly shardId: string;
  readonly owner: string | undefined;
  readonly leaseCounter: number;
  readonly checkpoint: string;
  readonly checkpointSubSequenceNumber: number;
}

/** A shard with its parents, from ListShards. @public */
export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string | undefined;
  readonly adjacentParentShardId?: string | undefined;
}

/**
 * What the schedule did to a worker instance; `crash` is an exit the schedule did not ask for
 * (e.g. `start()` rejected), after which the runner restarts the worker as a supervisor would.
 * @public
 */
export interface WorkerAction {
  readonly instance: string;
  readonly action: 'start' | 'kill' | 'term' | 'pause' | 'resume' | 'crash';
  readonly at: number;
}

/** Everything the checker needs. @public */
export interface ChaosHistory {
  readonly acked: readonly AckedRecord[];
  /** Records a `put()` rejected (never acknowledged), for the report only. */
  readonly producerFailures: number;
  /** In the order each instance logged them; instances interleave by `at`. */
  readonly deliveries: readonly Delivery[];
  readonly checkpoints: readonly CheckpointWrite[];
  readonly takes: readonly LeaseTake[];
  readonly losses: readonly LeaseLoss[];
  readonly leaseSamples: readonly LeaseSample[];
  readonly shards: readonly ShardInfo[];
  readonly workerActions: readonly WorkerAction[];
  readonly failoverTimeMs: number;
  /** The producer ran with `preserveOrder`, so per key the stream order must be the put order. */
  readonly producerPreservesOrder: boolean;
}
