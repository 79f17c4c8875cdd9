/**
 * The streams a scheduler works on. A single-stream application has one binding whose leases are
 * keyed by the bare shard id; a multi-stream one (see `multiStreamSet.ts`) has one per stream,
 * leases keyed `account:stream:epoch:shardId`, and streams that come and go. The scheduler only
 * asks: which streams to shard-sync, and how to read the shard of a given lease.
 */
import type { InitialPosition, shardFilterFor } from '../core/shardSync.js';
import type { CallOptions, Lease, ShardDescription } from '../ports.js';
import type { ShardRecordProcessor, StreamInfo } from '../processor.js';
import type { ShardReader } from '../retrievalPorts.js';
import type { ShardBatchSourceFactory } from './batchSources.js';

/** ListShards for one stream (the `ShardLister` adapter, or a fake). @internal */
export interface ShardListing {
  listShards(
    filter?: ReturnType<typeof shardFilterFor>,
    options?: CallOptions,
  ): Promise<ShardDescription[]>;
}

/** Everything needed to sync and read one stream. @internal */
export interface StreamBinding {
  /** `account:stream:epoch`; undefined for a single-stream application. */
  readonly streamIdentifier: string | undefined;
  readonly streamName: string;
  readonly streamArn?: string;
  readonly lister: ShardListing;
  readonly reader: ShardReader;
  /** How shard workers read this stream (fan-out); polling over `reader` when absent. */
  readonly batchSources?: ShardBatchSourceFactory;
  readonly initialPosition: InitialPosition;
}

/** What one stream-tracker refresh changed. @internal */
export interface StreamChanges {
  /** Newly tracked: sync their shards at once. */
  readonly added: readonly StreamBinding[];
  /** No longer synced; leases left alone. */
  readonly forgotten: readonly string[];
  /** Delete every lease of these streams, then report with `leasesDeleted`. */
  readonly deleteLeasesOf: readonly string[];
}

/** @internal */
export interface StreamSet {
  /** Streams whose shards shard sync keeps leases for. */
  active(): readonly StreamBinding[];
  /** The binding that reads a lease's shard; undefined when it cannot be read (yet). */
  forLease(lease: Pick<Lease, 'streamIdentifier'>): StreamBinding | undefined;
  /** Multi-stream: makes the binding of a stream known only from its lease (may register). */
  bindingFor?(lease: Pick<Lease, 'streamIdentifier'>): Promise<StreamBinding | undefined>;
  /** Multi-stream: how often `refresh` runs. */
  readonly refreshIntervalMs?: number;
  /** Multi-stream: re-reads the tracker (and, the first time, the streams in `leases`). */
  refresh?(leases: readonly Lease[], signal: AbortSignal): Promise<StreamChanges>;
  /** Multi-stream: ListShards said the stream does not exist; true the first time (report it). */
  streamNotFound?(streamIdentifier: string): boolean;
  /** Multi-stream: streams whose leases wait for the deletion strategy's wait period. */
  pendingDeletionCount?(): number;
  /** Multi-stream: the outcome of a `deleteLeasesOf` request. */
  leasesDeleted?(streamIdentifier: string, ok: boolean): void;
}

/** The processor-facing description of a binding (undefined for single-stream). @internal */
export function streamInfoOf(binding: StreamBinding): StreamInfo | undefined {
  if (binding.streamIdentifier === undefined) return undefined;
  return {
    streamName: binding.streamName,
    streamIdentifier: binding.streamIdentifier,
    ...(binding.streamArn !== undefined && { streamArn: binding.streamArn }),
  };
}

/**
 * A single-stream application: one binding for its bare shard-id leases. A multi-stream lease in
 * the table belongs to some other application's stream and is not read as one of ours.
 * @internal
 */
export function singleStreamSet(binding: StreamBinding): StreamSet {
  return {
    active: () => [binding],
    forLease: (lease) => (lease.streamIdentifier === undefined ? binding : undefined),
  };
}

/**
 * Tells a processor which stream its shard belongs to: `initialize` gets `streamName` and
 * `streamIdentifier` (the handler form passes them on in its context). Every other call is the
 * processor's own.
 * @internal
 */
export function withStreamInfo(
  processor: ShardRecordProcessor,
  stream: StreamInfo,
): ShardRecordProcessor {
  return {
    initialize: (input) =>
      processor.initialize({
        ...input,
        streamName: stream.streamName,
        streamIdentifier: stream.streamIdentifier,
      }),
    processRecords: (input) => processor.processRecords(input),
    leaseLost: () => processor.leaseLost(),
    shardEnded: (input) => processor.shardEnded(input),
    shutdownRequested: (input) => processor.shutdownRequested(input),
  };
}
