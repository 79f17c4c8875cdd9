/**
 * The consumer's typed events: its own lifecycle plus what the lease coordinator, the scheduler
 * and the shard workers report, forwarded through one emitter. Listening costs nothing when
 * nobody listens; a listener that throws cannot break the consumer.
 */
import type { Lease } from './ports.js';
import type { LeaseLossReason } from './runtime/leaseCoordinator.js';
import type { SchedulerEvents } from './runtime/scheduler.js';
import type { ShardWorkerEvents } from './runtime/shardWorkerEvents.js';

/** @public */
export interface KinesisConsumerEvents
  extends Omit<ShardWorkerEvents, 'leaseLost'>, Omit<SchedulerEvents, 'error'> {
  started: { readonly workerId: string };
  stopped: { readonly workerId: string };
  leaseTaken: { readonly lease: Lease; readonly stolen: boolean };
  leaseLost: { readonly leaseKey: string; readonly reason: LeaseLossReason };
  /** A background operation failed (it is retried); `operation` names it. */
  error: { readonly operation: string; readonly error: unknown };
}
