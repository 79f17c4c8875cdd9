/**
 * The Java KCL's lease item format (kcl.md §1.2), in one place: attribute names, DynamoDB types,
 * what is written on creation and how an item read from the table becomes a `Lease`. Reading is
 * defensive because the table may have been written by any KCL version: unknown attributes are
 * ignored (and never removed by our targeted updates), `pendingCheckpointState` may be B or N,
 * a missing `ownerSwitchesSinceCheckpoint` or sub-sequence number reads as 0.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { MalformedLeaseError } from '../core/leaseErrors.js';
import { parseLeaseKey } from '../core/leaseKeys.js';
import type { Lease, LeaseHashKeyRange, NewLease } from '../ports.js';

/** A raw DynamoDB item. @internal */
export type LeaseItem = Record<string, AttributeValue>;

/** Attribute names exactly as the Java serializers write them. @internal */
export const ATTR = {
  leaseKey: 'leaseKey',
  leaseCounter: 'leaseCounter',
  leaseOwner: 'leaseOwner',
  ownerSwitchesSinceCheckpoint: 'ownerSwitchesSinceCheckpoint',
  checkpoint: 'checkpoint',
  checkpointSubSequenceNumber: 'checkpointSubSequenceNumber',
  pendingCheckpoint: 'pendingCheckpoint',
  pendingCheckpointSubSequenceNumber: 'pendingCheckpointSubSequenceNumber',
  pendingCheckpointState: 'pendingCheckpointState',
  /** Singular name, string set: parent and adjacent parent. */
  parentShardId: 'parentShardId',
  childShardIds: 'childShardIds',
  startingHashKey: 'startingHashKey',
  endingHashKey: 'endingHashKey',
  throughputKBps: 'throughputKBps',
  checkpointOwner: 'checkpointOwner',
  entityType: 'entityType',
  /** Multi-stream: `account:stream:epoch` (legacy attribute name). */
  streamName: 'streamName',
  /** Multi-stream: the plain shard id. */
  shardId: 'shardId',
} as const;

/** `entityType` of lease items (KCL 3.5); items without one are leases too. @internal */
export const ENTITY_TYPE_LEASE = 'LEASE';

/** What an item of the lease table turned out to be. @internal */
export type DecodedItem =
  | { readonly kind: 'lease'; readonly lease: Lease }
  | { readonly kind: 'other-entity'; readonly entityType: string }
  | { readonly kind: 'malformed'; readonly error: MalformedLeaseError };

/** A problem with one attribute, thrown while decoding and turned into a MalformedLeaseError. */
class AttributeProblem extends Error {
  constructor(
    readonly attribute: string,
    readonly problem: string,
  ) {
    super(`${attribute} ${problem}`);
  }
}

/** Options for writing a new lease item. @internal */
export interface EncodeOptions {
  /**
   * Write `entityType = LEASE` as Java KCL 3.5 does on creation. Java 2.x and 3.0–3.4 readers ignore
   * unknown attributes, so this is safe for every version; it spares a 3.5 reader the guess.
   */
  readonly writeEntityType: boolean;
}

/** The item a conditional PutItem writes for a new lease: no owner, counter 0. @internal */
export function encodeNewLease(lease: NewLease, options: EncodeOptions): LeaseItem {
  const item: LeaseItem = {
    [ATTR.leaseKey]: { S: lease.leaseKey },
    [ATTR.leaseCounter]: { N: '0' },
    [ATTR.ownerSwitchesSinceCheckpoint]: { N: '0' },
    [ATTR.checkpoint]: { S: lease.checkpoint.sequenceNumber },
    [ATTR.checkpointSubSequenceNumber]: { N: String(lease.checkpoint.subSequenceNumber) },
  };
  // DynamoUtils rejects empty sets, so the KCL omits them; so do we.
  if (lease.parentShardIds.length > 0) {
    item[ATTR.parentShardId] = { SS: unique(lease.parentShardIds) };
  }
  if (lease.childShardIds !== undefined && lease.childShardIds.length > 0) {
    item[ATTR.childShardIds] = { SS: unique(lease.childShardIds) };
  }
  if (lease.hashKeyRange !== undefined) {
    item[ATTR.startingHashKey] = { S: lease.hashKeyRange.startingHashKey };
    item[ATTR.endingHashKey] = { S: lease.hashKeyRange.endingHashKey };
  }
  if (lease.streamIdentifier !== undefined) {
    item[ATTR.streamName] = { S: lease.streamIdentifier };
    item[ATTR.shardId] = { S: lease.shardId };
  }
  if (options.writeEntityType) item[ATTR.entityType] = { S: ENTITY_TYPE_LEASE };
  return item;
}

/** Reads one item of the lease table. Never throws. @internal */
export function decodeLeaseItem(item: LeaseItem): DecodedItem {
  const entityType = item[ATTR.entityType]?.S;
  if (entityType !== undefined && entityType !== ENTITY_TYPE_LEASE) {
    return { kind: 'other-entity', entityType };
  }
  const leaseKey = item[ATTR.leaseKey]?.S;
  if (leaseKey === undefined || leaseKey === '') {
    const error = new MalformedLeaseError(undefined, ATTR.leaseKey, 'is missing or not a string');
    return { kind: 'malformed', error };
  }
  try {
    return { kind: 'lease', lease: decodeLease(leaseKey, item) };
  } catch (e) {
    const error =
      e instanceof AttributeProblem
        ? new MalformedLeaseError(leaseKey, e.attribute, e.problem)
        : new MalformedLeaseError(leaseKey, '(item)', e instanceof Error ? e.message : String(e));
    return { kind: 'malformed', error };
  }
}

function decodeLease(leaseKey: string, item: LeaseItem): Lease {
  const leaseCounter = readInteger(item, ATTR.leaseCounter);
  if (leaseCounter === undefined) throw new AttributeProblem(ATTR.leaseCounter, 'is missing');
  const checkpointValue = item[ATTR.checkpoint]?.S;
  if (checkpointValue === undefined) {
    throw new AttributeProblem(ATTR.checkpoint, 'is missing or not a string');
  }
  const checkpoint = readSequence(
    ATTR.checkpoint,
    checkpointValue,
    readInteger(item, ATTR.checkpointSubSequenceNumber) ?? 0,
  );
  const pendingValue = item[ATTR.pendingCheckpoint]?.S;
  const pendingCheckpoint =
    pendingValue === undefined || pendingValue === ''
      ? undefined
      : readSequence(
          ATTR.pendingCheckpoint,
          pendingValue,
          readInteger(item, ATTR.pendingCheckpointSubSequenceNumber) ?? 0,
        );
  // The Java PutItem path writes this as N (a serializer bug, kcl.md §1.2); only B carries state.
  const stateAttr = item[ATTR.pendingCheckpointState];
  const pendingCheckpointState =
    stateAttr?.B !== undefined ? Uint8Array.from(stateAttr.B) : undefined;
  const multiStreamName = item[ATTR.streamName]?.S;
  const fromKey = parseLeaseKey(leaseKey);
  const streamIdentifier = multiStreamName ?? fromKey.streamIdentifier;
  const shardId = item[ATTR.shardId]?.S ?? fromKey.shardId;
  const throughput = item[ATTR.throughputKBps]?.N;
  const throughputKBps = throughput === undefined ? undefined : Number(throughput);
  return {
    leaseKey,
    shardId,
    ...(streamIdentifier !== undefined && { streamIdentifier }),
    ...optional('leaseOwner', item[ATTR.leaseOwner]?.S),
    leaseCounter,
    checkpoint,
    ...optional('pendingCheckpoint', pendingCheckpoint),
    ...optional('pendingCheckpointState', pendingCheckpointState),
    ownerSwitchesSinceCheckpoint: readInteger(item, ATTR.ownerSwitchesSinceCheckpoint) ?? 0,
    parentShardIds: item[ATTR.parentShardId]?.SS ?? [],
    // Some pre-release 2.x builds wrote `childShardId`; read it as a fallback, never write it.
    childShardIds: item[ATTR.childShardIds]?.SS ?? item.childShardId?.SS ?? [],
    ...optional('hashKeyRange', readHashKeyRange(item)),
    ...optional('checkpointOwner', item[ATTR.checkpointOwner]?.S),
    ...optional(
      'throughputKBps',
      throughputKBps !== undefined && Number.isFinite(throughputKBps) ? throughputKBps : undefined,
    ),
  };
}

function readHashKeyRange(item: LeaseItem): LeaseHashKeyRange | undefined {
  const startingHashKey = item[ATTR.startingHashKey]?.S;
  const endingHashKey = item[ATTR.endingHashKey]?.S;
  // The KCL only trusts a range when both ends are present and non-empty.
  if (!startingHashKey || !endingHashKey) return undefined;
  for (const [name, value] of [
    [ATTR.startingHashKey, startingHashKey],
    [ATTR.endingHashKey, endingHashKey],
  ] as const) {
    if (!/^[0-9]+$/.test(value)) {
      throw new AttributeProblem(name, `is not a decimal integer: ${value.slice(0, 40)}`);
    }
  }
  return { startingHashKey, endingHashKey };
}

/** Reads an N attribute as a safe integer; throws on garbage, undefined when absent. */
function readInteger(item: LeaseItem, name: string): number | undefined {
  const attr = item[name];
  if (attr === undefined) return undefined;
  const raw = attr.N;
  if (raw === undefined) throw new AttributeProblem(name, 'is not a number (N) attribute');
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AttributeProblem(name, `is not a non-negative integer: ${raw.slice(0, 40)}`);
  }
  return value;
}

/** A checkpoint value: digits or a sentinel; anything else names the attribute. */
function readSequence(
  name: string,
  value: string,
  subSequenceNumber: number,
): ExtendedSequenceNumber {
  try {
    return ExtendedSequenceNumber.of(value, subSequenceNumber);
  } catch {
    throw new AttributeProblem(
      name,
      `is neither a sequence number nor a sentinel: ${value.slice(0, 40)}`,
    );
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
