/**
 * The two KCL 3.x non-lease items we read (never write): the `Migration3.0` client-version item and
 * `WorkerMetricStats` heartbeats (kcl.md §1.6, §2.1, §2.4). Only what fleet detection needs.
 */
import type { ClientVersionState, WorkerHeartbeat } from '../ports.js';
import type { LeaseItem } from './leaseSerializer.js';

const CLIENT_VERSION_ENTITY = 'CLIENT_VERSION_MIGRATION';
const WORKER_METRICS_ENTITY = 'WORKER_METRIC_STATS';

/** Reads a `Migration3.0` item (`cv`, `mb`, `mts`); undefined when it is not one. @internal */
export function decodeClientVersionItem(
  item: LeaseItem,
  source: ClientVersionState['source'],
): ClientVersionState | undefined {
  const entityType = item.entityType?.S;
  // 3.0–3.4 coordinator-state items may lack entityType (the KCL infers it from the key).
  if (entityType !== undefined && entityType !== CLIENT_VERSION_ENTITY) return undefined;
  const clientVersion = item.cv?.S;
  if (clientVersion === undefined || clientVersion === '') return undefined;
  const modifiedAt = item.mts?.N === undefined ? undefined : Number(item.mts.N);
  return {
    clientVersion,
    source,
    ...(item.mb?.S !== undefined && { modifiedBy: item.mb.S }),
    ...(modifiedAt !== undefined && Number.isFinite(modifiedAt) && { modifiedAtMs: modifiedAt }),
  };
}

/** Reads a `WorkerMetricStats` item keyed by `keyAttr` (`leaseKey` or legacy `wid`). @internal */
export function decodeWorkerHeartbeat(
  item: LeaseItem,
  keyAttr: string,
): WorkerHeartbeat | undefined {
  const entityType = item.entityType?.S;
  if (entityType !== undefined && entityType !== WORKER_METRICS_ENTITY) return undefined;
  const workerId = item[keyAttr]?.S;
  const lut = item.lut?.N === undefined ? NaN : Number(item.lut.N);
  if (workerId === undefined || !Number.isFinite(lut)) return undefined;
  return { workerId, lastUpdateEpochSeconds: lut };
}
