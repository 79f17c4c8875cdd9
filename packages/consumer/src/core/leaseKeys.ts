/**
 * Lease keys as the Java KCL writes them: the plain shard id for a single-stream application, and
 * `account:stream:creationEpochSeconds:shardId` for a multi-stream one (kcl.md §1.3).
 */
import { parseStreamIdentifier } from './streamIdentifier.js';

/** The lease key of `shardId`, prefixed with the stream identifier in multi-stream mode. @public */
export function leaseKeyFor(shardId: string, streamIdentifier?: string): string {
  return streamIdentifier === undefined ? shardId : `${streamIdentifier}:${shardId}`;
}

/** True for a well-formed multi-stream identifier (`account:stream:epoch`, epoch > 0). @public */
export function isStreamIdentifier(value: string): boolean {
  return parseStreamIdentifier(value) !== undefined;
}

/**
 * Splits a lease key into stream identifier and shard id the way the KCL does (split on `:` with a
 * limit of 4); a key without the multi-stream shape is a plain shard id.
 * @public
 */
export function parseLeaseKey(leaseKey: string): { shardId: string; streamIdentifier?: string } {
  const parts = leaseKey.split(':');
  if (parts.length < 4) return { shardId: leaseKey };
  const streamIdentifier = parts.slice(0, 3).join(':');
  if (!isStreamIdentifier(streamIdentifier)) return { shardId: leaseKey };
  return { streamIdentifier, shardId: parts.slice(3).join(':') };
}
