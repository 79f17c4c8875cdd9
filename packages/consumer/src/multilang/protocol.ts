/**
 * The MultiLang wire protocol (peers-and-emulators.md §1.5, `multilang-transcript.txt`): one JSON
 * object per line each way. The daemon sends actions (`initialize`, `processRecords`, `leaseLost`,
 * `shardEnded`, `shutdownRequested`) and answers checkpoint requests; the child sends
 * `checkpoint` requests and one `status` per action. Field names and order follow the Java
 * daemon's Jackson output, so children written for it see the same bytes.
 */
import { isKinesisKitError } from '@kinesis-kit/common';
import type { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { LeaseStoreError } from '../core/leaseErrors.js';
import type { ConsumerRecord } from '../processor.js';

/** A record as the Java daemon's `JsonFriendlyRecord` serialises it. @internal */
export interface WireRecord {
  readonly action: 'record';
  readonly data: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly approximateArrivalTimestamp: number | null;
  readonly subSequenceNumber: number;
}

/** Daemon → child. @internal */
export type DaemonMessage =
  | {
      readonly action: 'initialize';
      readonly shardId: string;
      readonly sequenceNumber: string;
      readonly subSequenceNumber: number;
    }
  | {
      readonly action: 'processRecords';
      readonly records: readonly WireRecord[];
      readonly millisBehindLatest: number | null;
    }
  | { readonly action: 'leaseLost' }
  | { readonly action: 'shardEnded' }
  | { readonly action: 'shutdownRequested' }
  | {
      readonly action: 'checkpoint';
      readonly sequenceNumber: string | null;
      readonly subSequenceNumber: number | null;
      readonly error: JavaCheckpointError | null;
    };

/** The actions a child answers with a status. @internal */
export type ActionName =
  'initialize' | 'processRecords' | 'leaseLost' | 'shardEnded' | 'shutdownRequested';

/** Child → daemon, after validation. @internal */
export type ChildMessage =
  | { readonly action: 'status'; readonly responseFor: string }
  | {
      readonly action: 'checkpoint';
      readonly sequenceNumber: string | null;
      readonly subSequenceNumber: number | null;
    };

/** Simple names of the Java exceptions a checkpoint answer carries. @internal */
export type JavaCheckpointError =
  | 'ShutdownException'
  | 'InvalidStateException'
  | 'ThrottlingException'
  | 'KinesisClientLibDependencyException'
  | 'IllegalArgumentException';

/** Encodes a record as the Java daemon does (arrival time in epoch ms, data base64). @internal */
export function toWireRecord(record: ConsumerRecord): WireRecord {
  const time = record.approximateArrivalTimestamp.getTime();
  return {
    action: 'record',
    data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString(
      'base64',
    ),
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    approximateArrivalTimestamp: Number.isNaN(time) ? null : time,
    subSequenceNumber: record.subSequenceNumber,
  };
}

/** The `initialize` message for a lease checkpoint. @internal */
export function initializeMessage(
  shardId: string,
  checkpoint: ExtendedSequenceNumber,
): Extract<DaemonMessage, { action: 'initialize' }> {
  return {
    action: 'initialize',
    shardId,
    sequenceNumber: checkpoint.sequenceNumber,
    subSequenceNumber: checkpoint.subSequenceNumber,
  };
}

/**
 * The Java checkpointer's exception for one of our checkpoint errors: lease lost →
 * `ShutdownException`, bad or out-of-range value → `IllegalArgumentException`, a throttled lease
 * write → `ThrottlingException`, the lease table gone → `InvalidStateException`, any other
 * DynamoDB failure → `KinesisClientLibDependencyException`.
 * @internal
 */
export function javaCheckpointError(error: unknown): JavaCheckpointError {
  if (error instanceof LeaseStoreError) {
    if (error.throttled) return 'ThrottlingException';
    if (error.errorName === 'ResourceNotFoundException') return 'InvalidStateException';
    return 'KinesisClientLibDependencyException';
  }
  if (isKinesisKitError(error)) {
    switch (error.code) {
      case 'KT_LEASE_LOST':
      case 'KT_CLOSED':
        return 'ShutdownException';
      case 'KT_VALIDATION':
        return 'IllegalArgumentException';
      case 'KT_AWS':
        return 'KinesisClientLibDependencyException';
      default:
        return 'InvalidStateException';
    }
  }
  return 'KinesisClientLibDependencyException';
}

/**
 * Parses one line from the child: undefined for a blank line (children write `"\n" + json +
 * "\n"`), a message, or an error string describing the protocol violation.
 * @internal
 */
export function parseChildLine(
  line: string,
): ChildMessage | undefined | { readonly invalid: string } {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { invalid: `not JSON: ${truncate(line)}` };
  }
  if (typeof value !== 'object' || value === null)
    return { invalid: `not an object: ${truncate(line)}` };
  const m = value as Record<string, unknown>;
  if (m.action === 'status') {
    if (typeof m.responseFor !== 'string')
      return { invalid: `status without responseFor: ${truncate(line)}` };
    return { action: 'status', responseFor: m.responseFor };
  }
  if (m.action === 'checkpoint') {
    const seq = m.sequenceNumber ?? null;
    const sub = m.subSequenceNumber ?? null;
    if (seq !== null && typeof seq !== 'string')
      return { invalid: `checkpoint sequenceNumber is not a string: ${truncate(line)}` };
    if (sub !== null && typeof sub !== 'number')
      return { invalid: `checkpoint subSequenceNumber is not a number: ${truncate(line)}` };
    return { action: 'checkpoint', sequenceNumber: seq, subSequenceNumber: sub };
  }
  return { invalid: `unexpected message: ${truncate(line)}` };
}

function truncate(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
