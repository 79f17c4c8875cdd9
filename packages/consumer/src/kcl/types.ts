/**
 * The aws-kcl (npm) record-processor API, typed: callback style, as aws-kcl apps are written
 * (peers-and-emulators.md §1.3, §1.4). Inputs are the daemon's messages minus `action`.
 */

/** A record as delivered: `data` is base64. @public */
export interface KclRecord {
  readonly action: 'record';
  readonly data: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
  /** Epoch milliseconds, or null. */
  readonly approximateArrivalTimestamp: number | null;
}

/**
 * `err` is null/undefined on success, else the Java exception's simple name
 * (`ShutdownException`, `InvalidStateException`, `ThrottlingException`,
 * `KinesisClientLibDependencyException`, `IllegalArgumentException`) or aws-kcl's
 * "Cannot checkpoint while another checkpoint is already in progress." string.
 * @public
 */
export type KclCheckpointCallback = (
  err: string | null | undefined,
  sequenceNumber?: string | null,
) => void;

/**
 * aws-kcl's checkpointer. One checkpoint at a time. Without a callback (an extension) it returns
 * a promise that rejects with an Error whose `code` is the error string.
 * @public
 */
export interface KclCheckpointer {
  /** Checkpoints the last record delivered (SHARD_END in `shardEnded`). */
  checkpoint(callback: KclCheckpointCallback): void;
  checkpoint(sequenceNumber: string | null | undefined, callback: KclCheckpointCallback): void;
  /** Extension: a sub-sequence number too (KPL aggregates). */
  checkpoint(
    sequenceNumber: string,
    subSequenceNumber: number,
    callback: KclCheckpointCallback,
  ): void;
  /** Extension: the promise form. */
  checkpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<string | null>;
}

/** @public */
export interface KclInitializeInput {
  readonly shardId: string;
  readonly sequenceNumber: string | null;
  readonly subSequenceNumber: number | null;
}

/** @public */
export interface KclProcessRecordsInput {
  readonly records: readonly KclRecord[];
  readonly millisBehindLatest: number | null;
  readonly checkpointer: KclCheckpointer;
}

/** Input of `shardEnded` and `shutdownRequested`. @public */
export interface KclCheckpointerInput {
  readonly checkpointer: KclCheckpointer;
}

/** Input of the V1 `shutdown`: ZOMBIE (lease lost, no checkpointer) or TERMINATE (shard end). @public */
export type KclShutdownInput =
  | { readonly reason: 'ZOMBIE' }
  | { readonly reason: 'TERMINATE'; readonly checkpointer: KclCheckpointer };

/** Called with no arguments when the processor is done with an action. @public */
export type KclCompleteCallback = () => void;

/**
 * An aws-kcl record processor: `initialize` and `processRecords`, plus `leaseLost` and
 * `shardEnded` (V2) or `shutdown` (V1, which wins when present). Methods are called with `this`
 * bound to the processor. A method that declares fewer than two parameters and returns a promise
 * completes when the promise resolves (an extension for async functions).
 * @public
 */
export interface KclRecordProcessor {
  initialize(input: KclInitializeInput, completeCallback: KclCompleteCallback): unknown;
  processRecords(input: KclProcessRecordsInput, completeCallback: KclCompleteCallback): unknown;
  leaseLost?(input: Record<string, never>, completeCallback: KclCompleteCallback): unknown;
  shardEnded?(input: KclCheckpointerInput, completeCallback: KclCompleteCallback): unknown;
  shutdownRequested?(input: KclCheckpointerInput, completeCallback: KclCompleteCallback): unknown;
  shutdown?(input: KclShutdownInput, completeCallback: KclCompleteCallback): unknown;
}

/** What `kcl(processor)` returns. @public */
export interface KclProcess {
  /** Starts reading actions (idempotent); or, given a properties file, runs the daemon in-process. */
  run(): void;
  /** Stops reading actions. */
  cleanup(): void;
}
