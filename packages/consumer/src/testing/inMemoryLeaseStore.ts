/**
 * A `LeaseStore` in memory with the DynamoDB store's conditional semantics: it applies the same
 * mutation plans (`adapters/leaseMutations.ts`) to items in the same DynamoDB attribute format
 * (`adapters/leaseSerializer.ts`), so counter and owner conditions, not-exists on create, unknown
 * attributes surviving updates and non-lease items being skipped all behave as on the real table.
 * Values are deep-copied in and out. It counts calls per operation (to compare DynamoDB cost with
 * the KCL's) and can fail the next N calls with a throttling error.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AbortError, silentLogger } from '@kinesis-kit/common';
import type { Logger } from '@kinesis-kit/common';
import { decodeClientVersionItem, decodeWorkerHeartbeat } from '../adapters/kcl3Items.js';
import {
  checkpointMutation,
  childShardIdsMutation,
  hashKeyRangeMutation,
  releaseMutation,
  renewMutation,
  takeMutation,
} from '../adapters/leaseMutations.js';
import type { LeaseCondition, LeaseMutation } from '../adapters/leaseMutations.js';
import { ATTR, decodeLeaseItem, encodeNewLease } from '../adapters/leaseSerializer.js';
import type { LeaseItem } from '../adapters/leaseSerializer.js';
import { LeaseStoreError, MalformedLeaseError } from '../core/leaseErrors.js';
import type {
  CallOptions,
  CheckpointUpdate,
  ClientVersionState,
  Lease,
  LeaseHashKeyRange,
  LeaseStore,
  LeaseWriteResult,
  ListLeasesOptions,
  NewLease,
  WorkerHeartbeat,
} from '../ports.js';

/** Every operation of the port, for call counting and fault injection. @public */
export type LeaseStoreOperation = Exclude<keyof LeaseStore, never>;

/** @public */
export interface InMemoryLeaseStoreOptions {
  /** Start without a table (calls fail like a missing DynamoDB table until `ensureTable`). @defaultValue true */
  readonly tableExists?: boolean;
  /** Items of the KCL 3.0–3.4 `<app>-CoordinatorState` table (key `key`). */
  readonly coordinatorStateItems?: readonly LeaseItem[];
  /** Items of the KCL 3.0–3.4 `<app>-WorkerMetricStats` table (key `wid`). */
  readonly workerMetricsItems?: readonly LeaseItem[];
  /** @defaultValue true */
  readonly writeEntityType?: boolean;
  readonly logger?: Logger;
}

/** Which calls to fail, and how. @public */
export interface FaultOptions {
  /** Only these operations (others pass and do not consume the budget). @defaultValue all */
  readonly operations?: readonly LeaseStoreOperation[];
  /** @defaultValue 'ProvisionedThroughputExceededException' */
  readonly errorName?: string;
}

/**
 * The in-memory lease store, exported for tests of code built on the consumer.
 * @public
 * @example
 * ```ts
 * const store = new InMemoryLeaseStore();
 * await store.createLeaseIfNotExists({ leaseKey: 'shardId-0', shardId: 'shardId-0', checkpoint: ExtendedSequenceNumber.TRIM_HORIZON, parentShardIds: [] });
 * store.failNext(2, { operations: ['renewLease'] });
 * ```
 */
export class InMemoryLeaseStore implements LeaseStore {
  /** Calls per operation, failed ones included. */
  readonly calls: Record<string, number> = {};
  private readonly items = new Map<string, LeaseItem>();
  private readonly coordinatorItems: readonly LeaseItem[];
  private readonly workerMetricsItems: readonly LeaseItem[];
  private readonly writeEntityType: boolean;
  private readonly logger: Logger;
  private tableExists: boolean;
  private faults: { remaining: number; options: FaultOptions } | undefined;

  constructor(options: InMemoryLeaseStoreOptions = {}) {
    this.tableExists = options.tableExists ?? true;
    this.coordinatorItems = clone(options.coordinatorStateItems ?? []);
    this.workerMetricsItems = clone(options.workerMetricsItems ?? []);
    this.writeEntityType = options.writeEntityType ?? true;
    this.logger = options.logger ?? silentLogger;
  }

  /** Sum of all calls. */
  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCalls(): void {
    for (const key of Object.keys(this.calls)) Reflect.deleteProperty(this.calls, key);
  }

  /** The next `count` matching calls throw a retriable `LeaseStoreError` (throttling by default). */
  failNext(count: number, options: FaultOptions = {}): void {
    this.faults = count > 0 ? { remaining: count, options } : undefined;
  }

  /** Writes a raw item as a Java worker (or a test) would with PutItem: no conditions. */
  putRawItem(item: LeaseItem): void {
    const key = item[ATTR.leaseKey]?.S;
    if (key === undefined) throw new Error('raw item needs a leaseKey string attribute');
    this.items.set(key, clone(item));
  }

  /** The raw item, deep-copied. */
  getRawItem(leaseKey: string): LeaseItem | undefined {
    const item = this.items.get(leaseKey);
    return item && clone(item);
  }

  async ensureTable(options?: CallOptions): Promise<void> {
    await this.enter('ensureTable', options, false);
    this.tableExists = true;
  }

  async listLeases(options?: ListLeasesOptions): Promise<Lease[]> {
    await this.enter('listLeases', options);
    const leases: Lease[] = [];
    for (const item of this.items.values()) {
      const decoded = decodeLeaseItem(clone(item));
      if (decoded.kind === 'lease') leases.push(decoded.lease);
      else if (decoded.kind !== 'malformed') continue;
      else if (options?.onMalformed !== undefined) options.onMalformed(decoded.error);
      else this.logger.warn('skipping malformed lease item', { error: decoded.error });
    }
    return leases;
  }

  async getLease(leaseKey: string, options?: CallOptions): Promise<Lease | undefined> {
    await this.enter('getLease', options);
    const item = this.items.get(leaseKey);
    if (item === undefined) return undefined;
    const decoded = decodeLeaseItem(clone(item));
    if (decoded.kind === 'malformed') throw decoded.error;
    return decoded.kind === 'lease' ? decoded.lease : undefined;
  }

  async isEmpty(options?: CallOptions): Promise<boolean> {
    await this.enter('isEmpty', options);
    for (const item of this.items.values()) {
      const type = item[ATTR.entityType]?.S;
      if (type === undefined || type === 'LEASE') return false;
    }
    return true;
  }

  async createLeaseIfNotExists(lease: NewLease, options?: CallOptions): Promise<boolean> {
    await this.enter('createLeaseIfNotExists', options);
    if (this.items.has(lease.leaseKey)) return false;
    this.items.set(
      lease.leaseKey,
      encodeNewLease(lease, { writeEntityType: this.writeEntityType }),
    );
    return true;
  }

  async takeLease(lease: Lease, owner: string, options?: CallOptions): Promise<LeaseWriteResult> {
    await this.enter('takeLease', options);
    return this.write(lease.leaseKey, takeMutation(lease, owner));
  }

  async renewLease(lease: Lease, options?: CallOptions): Promise<LeaseWriteResult> {
    await this.enter('renewLease', options);
    return this.write(lease.leaseKey, renewMutation(lease));
  }

  async releaseLease(
    lease: Lease,
    owner: string,
    options?: CallOptions,
  ): Promise<LeaseWriteResult> {
    await this.enter('releaseLease', options);
    return this.write(lease.leaseKey, releaseMutation(owner));
  }

  async updateCheckpoint(
    lease: Lease,
    update: CheckpointUpdate,
    options?: CallOptions,
  ): Promise<LeaseWriteResult> {
    await this.enter('updateCheckpoint', options);
    return this.write(lease.leaseKey, checkpointMutation(lease, update));
  }

  async updateChildShardIds(
    leaseKey: string,
    childShardIds: readonly string[],
    options?: CallOptions,
  ): Promise<boolean> {
    await this.enter('updateChildShardIds', options);
    if (childShardIds.length === 0) return this.items.has(leaseKey);
    return this.apply(leaseKey, childShardIdsMutation(childShardIds)) !== undefined;
  }

  async updateHashKeyRange(
    leaseKey: string,
    range: LeaseHashKeyRange,
    options?: CallOptions,
  ): Promise<boolean> {
    await this.enter('updateHashKeyRange', options);
    return this.apply(leaseKey, hashKeyRangeMutation(range)) !== undefined;
  }

  async deleteLease(leaseKey: string, options?: CallOptions): Promise<void> {
    await this.enter('deleteLease', options);
    this.items.delete(leaseKey);
  }

  async getClientVersionState(options?: CallOptions): Promise<ClientVersionState | undefined> {
    await this.enter('getClientVersionState', options);
    const item = this.items.get('Migration3.0');
    const inTable = item && decodeClientVersionItem(item, 'lease-table');
    if (inTable) return inTable;
    const legacy = this.coordinatorItems.find((i) => i.key?.S === 'Migration3.0');
    return legacy && decodeClientVersionItem(legacy, 'coordinator-state-table');
  }

  async listWorkerHeartbeats(options?: CallOptions): Promise<WorkerHeartbeat[]> {
    await this.enter('listWorkerHeartbeats', options);
    const beats: WorkerHeartbeat[] = [];
    for (const item of this.items.values()) {
      if (item[ATTR.entityType]?.S !== 'WORKER_METRIC_STATS') continue;
      const beat = decodeWorkerHeartbeat(item, ATTR.leaseKey);
      if (beat) beats.push(beat);
    }
    for (const item of this.workerMetricsItems) {
      const beat = decodeWorkerHeartbeat(item, 'wid');
      if (beat) beats.push(beat);
    }
    return beats;
  }

  private write(leaseKey: string, mutation: LeaseMutation): LeaseWriteResult {
    const updated = this.apply(leaseKey, mutation);
    if (updated === undefined) return { ok: false, reason: 'conflict' };
    const decoded = decodeLeaseItem(clone(updated));
    if (decoded.kind === 'malformed') throw decoded.error;
    if (decoded.kind !== 'lease') {
      throw new MalformedLeaseError(leaseKey, ATTR.entityType, 'names a non-lease item');
    }
    return { ok: true, lease: decoded.lease };
  }

  /** Applies a plan atomically; undefined when a condition fails (a missing item fails them all). */
  private apply(leaseKey: string, m: LeaseMutation): LeaseItem | undefined {
    const current = this.items.get(leaseKey);
    if (current === undefined) return undefined;
    if (!m.conditions.every((c) => holds(current, c))) return undefined;
    const next = clone(current);
    for (const [attr, value] of Object.entries(m.set)) next[attr] = clone(value);
    for (const [attr, delta] of Object.entries(m.add)) {
      const before = next[attr]?.N;
      next[attr] = { N: String((before === undefined ? 0 : Number(before)) + delta) };
    }
    for (const attr of m.remove) Reflect.deleteProperty(next, attr);
    this.items.set(leaseKey, next);
    return next;
  }

  /** Counts the call, honours abort and injected faults, and yields like real I/O would. */
  private async enter(
    operation: LeaseStoreOperation,
    options: CallOptions | undefined,
    needsTable = true,
  ): Promise<void> {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    await Promise.resolve();
    if (options?.signal?.aborted) throw new AbortError();
    const faults = this.faults;
    if (
      faults !== undefined &&
      (faults.options.operations === undefined || faults.options.operations.includes(operation))
    ) {
      faults.remaining -= 1;
      if (faults.remaining <= 0) this.faults = undefined;
      const name = faults.options.errorName ?? 'ProvisionedThroughputExceededException';
      const cause = Object.assign(new Error(`injected ${name}`), {
        name,
        $metadata: { httpStatusCode: 400 },
        $retryable: { throttling: true },
      });
      throw new LeaseStoreError(operation, name, { cause, retriable: true });
    }
    if (needsTable && !this.tableExists) {
      throw new LeaseStoreError(operation, 'ResourceNotFoundException', { retriable: false });
    }
  }
}

function holds(item: LeaseItem, c: LeaseCondition): boolean {
  const actual = item[c.attr];
  if (c.op === 'eq') return actual !== undefined && sameValue(actual, c.value);
  return c.op === 'exists' ? actual !== undefined : actual === undefined;
}

/** DynamoDB equality: numbers compare numerically, strings and bytes exactly. */
function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a.N !== undefined && b.N !== undefined) return Number(a.N) === Number(b.N);
  if (a.S !== undefined && b.S !== undefined) return a.S === b.S;
  if (a.B !== undefined && b.B !== undefined) {
    return a.B.length === b.B.length && a.B.every((x, i) => x === b.B?.[i]);
  }
  return false;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
