/**
 * The lease table on DynamoDB, in exactly the Java KCL's format (kcl.md §1), so a Java KCL 2.x/3.x
 * application's table is taken over from its checkpoints and a Java 2.x worker can take ours.
 * This adapter only translates: what each operation writes is `leaseMutations.ts`, the item format
 * is `leaseSerializer.ts`, and a failed condition becomes `{ ok: false, reason: 'conflict' }`.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { silentLogger, systemClock } from '@kinesis-kit/common';
import type { Clock, Logger } from '@kinesis-kit/common';
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
import {
  checkpointMutation,
  childShardIdsMutation,
  hashKeyRangeMutation,
  releaseMutation,
  renderMutation,
  renewMutation,
  takeMutation,
} from './leaseMutations.js';
import type { LeaseMutation } from './leaseMutations.js';
import { ATTR, decodeLeaseItem, encodeNewLease } from './leaseSerializer.js';
import type { LeaseItem } from './leaseSerializer.js';
import { decodeClientVersionItem, decodeWorkerHeartbeat } from './kcl3Items.js';

/** @public */
export interface DynamoLeaseStoreOptions {
  /** The client; we never destroy it. */
  readonly client: DynamoDBClient;
  /** The lease table; the KCL's default is the application name. */
  readonly tableName: string;
  /**
   * The KCL 3.0–3.4 coordinator state table (`<applicationName>-CoordinatorState`), read for the
   * `Migration3.0` item when the lease table has none; `null` skips it.
   * @defaultValue `${tableName}-CoordinatorState` (right when tableName is the application name)
   */
  readonly coordinatorStateTableName?: string | null;
  /**
   * The KCL 3.0–3.4 worker metrics table (`<applicationName>-WorkerMetricStats`, key `wid`);
   * `null` skips it.
   * @defaultValue `${tableName}-WorkerMetricStats`
   */
  readonly workerMetricsTableName?: string | null;
  /** Write `entityType = LEASE` on creation, as Java KCL 3.5 does. @defaultValue true */
  readonly writeEntityType?: boolean;
  /** Strongly consistent scans (twice the read cost; the KCL scans eventually consistent). @defaultValue false */
  readonly consistentScans?: boolean;
  /** Poll interval while waiting for the table to become ACTIVE. @defaultValue 1000 */
  readonly tableActivePollMs?: number;
  /** Give up waiting for ACTIVE after this long (the KCL waits 600 s). @defaultValue 600000 */
  readonly tableActiveTimeoutMs?: number;
  /** Scan page size (the KCL scans without a limit). @defaultValue undefined (1 MB pages) */
  readonly scanPageSize?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailedException';
const NOT_FOUND = 'ResourceNotFoundException';
const IN_USE = 'ResourceInUseException';
const CONFLICT: LeaseWriteResult = { ok: false, reason: 'conflict' };
const CLIENT_VERSION_KEY = 'Migration3.0';

/** A conditional write that lost. */
const LOST = Symbol('conditional-check-failed');

/**
 * A `LeaseStore` over `@aws-sdk/client-dynamodb`.
 * @public
 * @example
 * ```ts
 * const store = new DynamoLeaseStore({ client: new DynamoDBClient({}), tableName: 'my-app' });
 * await store.ensureTable();
 * const leases = await store.listLeases();
 * ```
 */
export class DynamoLeaseStore implements LeaseStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly coordinatorTable: string | null;
  private readonly workerMetricsTable: string | null;
  private readonly writeEntityType: boolean;
  private readonly consistentScans: boolean;
  private readonly pollMs: number;
  private readonly activeTimeoutMs: number;
  private readonly scanPageSize: number | undefined;
  private readonly logger: Logger;
  private readonly clock: Clock;

  constructor(options: DynamoLeaseStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.coordinatorTable =
      options.coordinatorStateTableName === undefined
        ? `${options.tableName}-CoordinatorState`
        : options.coordinatorStateTableName;
    this.workerMetricsTable =
      options.workerMetricsTableName === undefined
        ? `${options.tableName}-WorkerMetricStats`
        : options.workerMetricsTableName;
    this.writeEntityType = options.writeEntityType ?? true;
    this.consistentScans = options.consistentScans ?? false;
    this.pollMs = options.tableActivePollMs ?? 1000;
    this.activeTimeoutMs = options.tableActiveTimeoutMs ?? 600_000;
    this.scanPageSize = options.scanPageSize;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  async ensureTable(options?: CallOptions): Promise<void> {
    let status = await this.tableStatus(options);
    if (status === undefined) {
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: this.tableName,
            KeySchema: [{ AttributeName: ATTR.leaseKey, KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: ATTR.leaseKey, AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
          { abortSignal: options?.signal },
        );
        this.logger.info('created lease table', { tableName: this.tableName });
      } catch (e) {
        // Another worker created it between our DescribeTable and CreateTable: that is fine.
        if (errorName(e) !== IN_USE) throw this.wrap('ensureTable', e);
      }
      status = await this.tableStatus(options);
    }
    const deadline = this.clock.monotonic() + this.activeTimeoutMs;
    while (status !== 'ACTIVE' && status !== 'UPDATING') {
      if (this.clock.monotonic() > deadline) {
        throw new LeaseStoreError('ensureTable', 'TableNotActive', {
          retriable: true,
          context: { tableName: this.tableName, status },
        });
      }
      await this.clock.sleep(this.pollMs, options?.signal);
      status = await this.tableStatus(options);
    }
  }

  async listLeases(options?: ListLeasesOptions): Promise<Lease[]> {
    const leases: Lease[] = [];
    for await (const item of this.scan(this.tableName, 'listLeases', {}, options)) {
      const decoded = decodeLeaseItem(item);
      if (decoded.kind === 'lease') leases.push(decoded.lease);
      // One bad item must not stop every worker from seeing the others (KCL 2.x would fail the scan).
      else if (decoded.kind === 'malformed') this.skipped(decoded.error, options);
    }
    return leases;
  }

  async getLease(leaseKey: string, options?: CallOptions): Promise<Lease | undefined> {
    const item = await this.getItem(this.tableName, { [ATTR.leaseKey]: { S: leaseKey } }, options);
    if (item === undefined) return undefined;
    const decoded = decodeLeaseItem(item);
    if (decoded.kind === 'malformed') throw decoded.error;
    return decoded.kind === 'lease' ? decoded.lease : undefined;
  }

  async isEmpty(options?: CallOptions): Promise<boolean> {
    // Filtered so that KCL 3.5 non-lease items (Migration3.0, worker metrics) do not count.
    const filter: Partial<ScanCommandInput> = {
      FilterExpression: 'attribute_not_exists(#t) OR #t = :lease',
      ExpressionAttributeNames: { '#t': ATTR.entityType },
      ExpressionAttributeValues: { ':lease': { S: 'LEASE' } },
    };
    for await (const _item of this.scan(this.tableName, 'isEmpty', filter, options)) {
      return false;
    }
    return true;
  }

  async createLeaseIfNotExists(lease: NewLease, options?: CallOptions): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: encodeNewLease(lease, { writeEntityType: this.writeEntityType }),
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': ATTR.leaseKey },
        }),
        { abortSignal: options?.signal },
      );
      return true;
    } catch (e) {
      if (errorName(e) === CONDITIONAL_CHECK_FAILED) return false;
      throw this.wrap('createLeaseIfNotExists', e, { leaseKey: lease.leaseKey });
    }
  }

  takeLease(lease: Lease, owner: string, options?: CallOptions): Promise<LeaseWriteResult> {
    return this.write('takeLease', lease.leaseKey, takeMutation(lease, owner), options);
  }

  renewLease(lease: Lease, options?: CallOptions): Promise<LeaseWriteResult> {
    return this.write('renewLease', lease.leaseKey, renewMutation(lease), options);
  }

  releaseLease(lease: Lease, owner: string, options?: CallOptions): Promise<LeaseWriteResult> {
    return this.write('releaseLease', lease.leaseKey, releaseMutation(owner), options);
  }

  updateCheckpoint(
    lease: Lease,
    update: CheckpointUpdate,
    options?: CallOptions,
  ): Promise<LeaseWriteResult> {
    return this.write(
      'updateCheckpoint',
      lease.leaseKey,
      checkpointMutation(lease, update),
      options,
    );
  }

  async updateChildShardIds(
    leaseKey: string,
    childShardIds: readonly string[],
    options?: CallOptions,
  ): Promise<boolean> {
    // DynamoDB rejects empty sets and the KCL skips the write; nothing to record.
    if (childShardIds.length === 0) return (await this.getLease(leaseKey, options)) !== undefined;
    const result = await this.update(
      'updateChildShardIds',
      leaseKey,
      childShardIdsMutation(childShardIds),
      'NONE',
      options,
    );
    return result !== LOST;
  }

  async updateHashKeyRange(
    leaseKey: string,
    range: LeaseHashKeyRange,
    options?: CallOptions,
  ): Promise<boolean> {
    const mutation = hashKeyRangeMutation(range);
    const result = await this.update('updateHashKeyRange', leaseKey, mutation, 'NONE', options);
    return result !== LOST;
  }

  async deleteLease(leaseKey: string, options?: CallOptions): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [ATTR.leaseKey]: { S: leaseKey } },
        }),
        { abortSignal: options?.signal },
      );
    } catch (e) {
      throw this.wrap('deleteLease', e, { leaseKey });
    }
  }

  async getClientVersionState(options?: CallOptions): Promise<ClientVersionState | undefined> {
    // KCL 3.5 single-table format first, then the 3.0–3.4 coordinator state table.
    const inLeaseTable = await this.getItem(
      this.tableName,
      { [ATTR.leaseKey]: { S: CLIENT_VERSION_KEY } },
      options,
    );
    const fromLeaseTable = inLeaseTable && decodeClientVersionItem(inLeaseTable, 'lease-table');
    if (fromLeaseTable) return fromLeaseTable;
    if (this.coordinatorTable === null) return undefined;
    const legacy = await this.getItem(
      this.coordinatorTable,
      { key: { S: CLIENT_VERSION_KEY } },
      options,
      true,
    );
    return legacy && decodeClientVersionItem(legacy, 'coordinator-state-table');
  }

  async listWorkerHeartbeats(options?: CallOptions): Promise<WorkerHeartbeat[]> {
    const beats: WorkerHeartbeat[] = [];
    const filter: Partial<ScanCommandInput> = {
      FilterExpression: '#t = :w',
      ExpressionAttributeNames: { '#t': ATTR.entityType },
      ExpressionAttributeValues: { ':w': { S: 'WORKER_METRIC_STATS' } },
    };
    for await (const item of this.scan(this.tableName, 'listWorkerHeartbeats', filter, options)) {
      const beat = decodeWorkerHeartbeat(item, ATTR.leaseKey);
      if (beat) beats.push(beat);
    }
    if (this.workerMetricsTable !== null) {
      const legacy = this.scan(this.workerMetricsTable, 'listWorkerHeartbeats', {}, options, true);
      for await (const item of legacy) {
        const beat = decodeWorkerHeartbeat(item, 'wid');
        if (beat) beats.push(beat);
      }
    }
    return beats;
  }

  private async write(
    operation: string,
    leaseKey: string,
    mutation: LeaseMutation,
    options?: CallOptions,
  ): Promise<LeaseWriteResult> {
    const result = await this.update(operation, leaseKey, mutation, 'ALL_NEW', options);
    if (result === LOST) return CONFLICT;
    const decoded = decodeLeaseItem(result ?? {});
    if (decoded.kind === 'malformed') throw decoded.error;
    if (decoded.kind !== 'lease') {
      throw new MalformedLeaseError(leaseKey, ATTR.entityType, 'names a non-lease item', {
        operation,
      });
    }
    return { ok: true, lease: decoded.lease };
  }

  /** A malformed item skipped by a scan: to the caller's listener, else to the log. */
  private skipped(error: MalformedLeaseError, options?: ListLeasesOptions): void {
    if (options?.onMalformed !== undefined) options.onMalformed(error);
    else this.logger.warn('skipping malformed lease item', { tableName: this.tableName, error });
  }

  private async update(
    operation: string,
    leaseKey: string,
    mutation: LeaseMutation,
    returnValues: 'ALL_NEW' | 'NONE',
    options?: CallOptions,
  ): Promise<LeaseItem | undefined | typeof LOST> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ATTR.leaseKey]: { S: leaseKey } },
          ...renderMutation(mutation),
          ReturnValues: returnValues,
        }),
        { abortSignal: options?.signal },
      );
      return out.Attributes;
    } catch (e) {
      if (errorName(e) === CONDITIONAL_CHECK_FAILED) return LOST;
      throw this.wrap(operation, e, { leaseKey });
    }
  }

  private async getItem(
    tableName: string,
    key: Record<string, AttributeValue>,
    options?: CallOptions,
    tableMayBeMissing = false,
  ): Promise<LeaseItem | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
        { abortSignal: options?.signal },
      );
      return out.Item;
    } catch (e) {
      if (tableMayBeMissing && errorName(e) === NOT_FOUND) return undefined;
      throw this.wrap('getItem', e, { tableName });
    }
  }

  /** Pages through a Scan; a missing optional table yields nothing. */
  private async *scan(
    tableName: string,
    operation: string,
    extra: Partial<ScanCommandInput>,
    options?: CallOptions,
    tableMayBeMissing = false,
  ): AsyncGenerator<LeaseItem> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: this.consistentScans,
            ...(this.scanPageSize !== undefined && { Limit: this.scanPageSize }),
            ...extra,
            ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
          }),
          { abortSignal: options?.signal },
        );
      } catch (e) {
        if (tableMayBeMissing && errorName(e) === NOT_FOUND) return;
        throw this.wrap(operation, e, { tableName });
      }
      for (const item of out.Items ?? []) yield item;
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  private async tableStatus(options?: CallOptions): Promise<string | undefined> {
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }), {
        abortSignal: options?.signal,
      });
      return out.Table?.TableStatus ?? 'ACTIVE';
    } catch (e) {
      if (errorName(e) === NOT_FOUND) return undefined;
      throw this.wrap('ensureTable', e);
    }
  }

  /** Abort errors pass through untouched; everything else becomes a LeaseStoreError with the SDK error as cause. */
  private wrap(operation: string, e: unknown, context: Record<string, unknown> = {}): Error {
    const name = errorName(e);
    if (name === 'AbortError') return e as Error;
    const retryable = (e as { $retryable?: unknown } | null)?.$retryable !== undefined;
    return new LeaseStoreError(operation, name, {
      cause: e,
      ...(retryable && { retriable: true }),
      context: { tableName: this.tableName, ...context },
    });
  }
}

function errorName(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string'
    ? (e as { name: string }).name
    : 'UnknownError';
}
