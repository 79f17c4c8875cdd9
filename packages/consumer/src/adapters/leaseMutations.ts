/**
 * What each lease operation writes and under which condition, as data. The DynamoDB store renders
 * a plan into ConditionExpression/UpdateExpression (with `#name` placeholders, which DynamoDB,
 * DynamoDB Local and dynalite all accept); the in-memory store applies the same plan to its items.
 * One plan for both keeps the fake's conditional semantics the real ones.
 *
 * The operations mirror DynamoDBLeaseRefresher (kcl.md §1.5): targeted attribute updates only,
 * never a whole-item put over an existing lease, so attributes other KCL versions add survive.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CheckpointUpdate, Lease, LeaseHashKeyRange } from '../ports.js';
import { ATTR } from './leaseSerializer.js';

/** One condition on an attribute. @internal */
export type LeaseCondition =
  | { readonly attr: string; readonly op: 'eq'; readonly value: AttributeValue }
  | { readonly attr: string; readonly op: 'exists' | 'not-exists' };

/** A conditional, targeted update. @internal */
export interface LeaseMutation {
  readonly conditions: readonly LeaseCondition[];
  readonly set: Readonly<Record<string, AttributeValue>>;
  /** Numeric ADD (creates the attribute at the delta when absent, as DynamoDB does). */
  readonly add: Readonly<Record<string, number>>;
  readonly remove: readonly string[];
}

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function counterIs(lease: Lease): LeaseCondition {
  return { attr: ATTR.leaseCounter, op: 'eq', value: n(lease.leaseCounter) };
}

function ownerIs(owner: string | undefined): LeaseCondition {
  return owner === undefined
    ? { attr: ATTR.leaseOwner, op: 'not-exists' }
    : { attr: ATTR.leaseOwner, op: 'eq', value: s(owner) };
}

/**
 * Take or steal: counter = seen; owner := me; counter := seen + 1; `checkpointOwner` removed (KCL
 * 3.x does, a take is a fresh assignment); owner switches + 1 when someone else held it.
 * @internal
 */
export function takeMutation(lease: Lease, owner: string): LeaseMutation {
  const switched = lease.leaseOwner !== undefined && lease.leaseOwner !== owner;
  return {
    conditions: [counterIs(lease)],
    set: { [ATTR.leaseOwner]: s(owner), [ATTR.leaseCounter]: n(lease.leaseCounter + 1) },
    add: switched ? { [ATTR.ownerSwitchesSinceCheckpoint]: 1 } : {},
    // A `pendingCheckpointState` we did not decode is absent or the N the Java PutItem path writes
    // by mistake, which a Java reader fails on (it calls `.b()`); removing it repairs the item.
    remove:
      lease.pendingCheckpointState === undefined
        ? [ATTR.checkpointOwner, ATTR.pendingCheckpointState]
        : [ATTR.checkpointOwner],
  };
}

/**
 * Renew: counter = seen and owner = seen owner. The owner condition matters against a KCL 3.x
 * leader's handoff, which moves `leaseOwner` without bumping the counter.
 * @internal
 */
export function renewMutation(lease: Lease): LeaseMutation {
  return {
    conditions: [counterIs(lease), ownerIs(lease.leaseOwner)],
    set: { [ATTR.leaseCounter]: n(lease.leaseCounter + 1) },
    add: {},
    remove: [],
  };
}

/**
 * Graceful release (our improvement, shaped like the KCL's `evictLease`): owner = me, any counter;
 * owner removed, counter + 1 so observers see a change and an unowned lease at once.
 * @internal
 */
export function releaseMutation(owner: string): LeaseMutation {
  return {
    conditions: [ownerIs(owner)],
    set: {},
    add: { [ATTR.leaseCounter]: 1 },
    remove: [ATTR.leaseOwner],
  };
}

/** Checkpoint or prepared checkpoint (the KCL's `updateLease`); see `CheckpointUpdate`. @internal */
export function checkpointMutation(lease: Lease, update: CheckpointUpdate): LeaseMutation {
  const set: Record<string, AttributeValue> = {
    [ATTR.leaseCounter]: n(lease.leaseCounter + 1),
    [ATTR.checkpoint]: s(update.checkpoint.sequenceNumber),
    [ATTR.checkpointSubSequenceNumber]: n(update.checkpoint.subSequenceNumber),
  };
  // The Java multi-stream serializer PUTs both on every updateLease (kcl.md §1.2).
  if (lease.streamIdentifier !== undefined) {
    set[ATTR.streamName] = s(lease.streamIdentifier);
    set[ATTR.shardId] = s(lease.shardId);
  }
  const remove: string[] = [];
  const pending = update.pendingCheckpoint;
  if (pending === undefined || pending === null) {
    set[ATTR.ownerSwitchesSinceCheckpoint] = n(0);
    remove.push(
      ATTR.pendingCheckpoint,
      ATTR.pendingCheckpointSubSequenceNumber,
      ATTR.pendingCheckpointState,
    );
  } else {
    set[ATTR.pendingCheckpoint] = s(pending.sequenceNumber);
    set[ATTR.pendingCheckpointSubSequenceNumber] = n(pending.subSequenceNumber);
    const state = update.pendingCheckpointState;
    if (state !== undefined && state !== null && state.length > 0) {
      set[ATTR.pendingCheckpointState] = { B: state };
    } else {
      remove.push(ATTR.pendingCheckpointState);
    }
  }
  return { conditions: [counterIs(lease), ownerIs(lease.leaseOwner)], set, add: {}, remove };
}

/** `childShardIds` metadata: lease exists; no counter bump (`updateLeaseWithMetaInfo`). @internal */
export function childShardIdsMutation(childShardIds: readonly string[]): LeaseMutation {
  return {
    conditions: [{ attr: ATTR.leaseKey, op: 'exists' }],
    set: { [ATTR.childShardIds]: { SS: [...new Set(childShardIds)] } },
    add: {},
    remove: [],
  };
}

/** Hash-key range metadata: lease exists; no counter bump. @internal */
export function hashKeyRangeMutation(range: LeaseHashKeyRange): LeaseMutation {
  return {
    conditions: [{ attr: ATTR.leaseKey, op: 'exists' }],
    set: {
      [ATTR.startingHashKey]: s(range.startingHashKey),
      [ATTR.endingHashKey]: s(range.endingHashKey),
    },
    add: {},
    remove: [],
  };
}

/** The DynamoDB request fragments of a plan. @internal */
export interface RenderedMutation {
  readonly ConditionExpression: string;
  readonly UpdateExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** Renders a plan with `#aN` name and `:vN` value placeholders. @internal */
export function renderMutation(m: LeaseMutation): RenderedMutation {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const nameOf = new Map<string, string>();
  const name = (attr: string): string => {
    let placeholder = nameOf.get(attr);
    if (placeholder === undefined) {
      placeholder = `#a${nameOf.size}`;
      nameOf.set(attr, placeholder);
      names[placeholder] = attr;
    }
    return placeholder;
  };
  let valueCount = 0;
  const value = (v: AttributeValue): string => {
    const placeholder = `:v${valueCount++}`;
    values[placeholder] = v;
    return placeholder;
  };
  const conditions = m.conditions.map((c) => {
    if (c.op === 'eq') return `${name(c.attr)} = ${value(c.value)}`;
    return c.op === 'exists'
      ? `attribute_exists(${name(c.attr)})`
      : `attribute_not_exists(${name(c.attr)})`;
  });
  const clauses: string[] = [];
  const sets = Object.entries(m.set).map(([attr, v]) => `${name(attr)} = ${value(v)}`);
  if (sets.length > 0) clauses.push(`SET ${sets.join(', ')}`);
  const adds = Object.entries(m.add).map(([attr, d]) => `${name(attr)} ${value(n(d))}`);
  if (adds.length > 0) clauses.push(`ADD ${adds.join(', ')}`);
  if (m.remove.length > 0) clauses.push(`REMOVE ${m.remove.map(name).join(', ')}`);
  return {
    ConditionExpression: conditions.join(' AND '),
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(valueCount > 0 && { ExpressionAttributeValues: values }),
  };
}
