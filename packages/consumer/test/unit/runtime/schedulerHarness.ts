/**
 * Single-stream workers in memory on one FakeClock: a FakeKinesis stream, the in-memory lease
 * store, and per worker a real LeaseCoordinator and Scheduler with RecordingProcessors. Each
 * worker reads the table through its own counting view, so tests can say who read what.
 * `drive(until)` moves fake time in steps, letting promises settle in between.
 */
import { TypedEmitter } from '@kinesis-kit/common';
import { FakeClock, MemoryLogger, MemoryMetricsSink } from '@kinesis-kit/common/testing';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import type { ChildInitialPosition } from '../../../src/core/shardGraph.js';
import type { LeaseStore, ShardDescription } from '../../../src/ports.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { FORWARDED_SCHEDULER_EVENTS, Scheduler } from '../../../src/runtime/scheduler.js';
import type { SchedulerEvents } from '../../../src/runtime/scheduler.js';
import type { ShardWorkerEvents } from '../../../src/runtime/shardWorkerEvents.js';
import { resolveShardWorkerOptions } from '../../../src/runtime/shardWorkerOptions.js';
import type { ShardWorkerOptions } from '../../../src/runtime/shardWorkerOptions.js';
import { singleStreamSet } from '../../../src/runtime/streamSet.js';
import type { StreamSet } from '../../../src/runtime/streamSet.js';
import type { InitialPosition } from '../../../src/core/shardSync.js';
import { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { FakeKinesis } from '../../fakes/fakeKinesis.js';
import { RecordingProcessor, settle } from './workerHarness.js';

export const FAILOVER_MS = 3_000;
export const TAKER_MS = 500;

type EventLog = { [K in keyof SchedulerEvents]: SchedulerEvents[K][] };

export interface TestWorker {
  readonly id: string;
  readonly scheduler: Scheduler;
  readonly coordinator: LeaseCoordinator;
  readonly events: EventLog;
  readonly workerEvents: { [K in keyof ShardWorkerEvents]?: ShardWorkerEvents[K][] };
  readonly logger: MemoryLogger;
  readonly metrics: MemoryMetricsSink;
  /** Processors made by this worker, by shard id (the latest one per shard). */
  readonly processors: Map<string, RecordingProcessor>;
  /** Every processor made, in order, as `shardId`. */
  readonly made: string[];
  /** GetItem calls this worker made, by lease key. */
  readonly reads: Map<string, number>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  readonly id: string;
  readonly initialPosition?: InitialPosition;
  readonly childInitialPosition?: ChildInitialPosition;
  readonly worker?: Partial<ShardWorkerOptions>;
  readonly random?: () => number;
  /** Replaces the processor factory (to make it throw, say). */
  readonly createProcessor?: (shardId: string) => RecordingProcessor;
  /** Replaces ListShards (`() => []` keeps shard sync from creating leases). */
  readonly listShards?: () => ShardDescription[];
  /** Wraps the single-stream set (to make binding fail, say). */
  readonly streams?: (single: StreamSet) => StreamSet;
  /** Configures every processor this worker makes. */
  readonly setup?: (processor: RecordingProcessor, shardId: string) => void;
}

/** A store view that counts this worker's GetItem calls. */
function countingView(store: LeaseStore, reads: Map<string, number>): LeaseStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'getLease') {
        return (leaseKey: string, ...rest: unknown[]) => {
          reads.set(leaseKey, (reads.get(leaseKey) ?? 0) + 1);
          return target.getLease(leaseKey, ...(rest as []));
        };
      }
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

export class Fleet {
  readonly clock = new FakeClock();
  readonly kinesis = new FakeKinesis({ clock: this.clock });
  readonly store = new InMemoryLeaseStore();
  readonly workers: TestWorker[] = [];

  async start(o: WorkerOptions): Promise<TestWorker> {
    const { clock } = this;
    const logger = new MemoryLogger();
    const metrics = new MemoryMetricsSink();
    const reads = new Map<string, number>();
    const store = countingView(this.store, reads);
    const random = o.random ?? (() => 0.5);
    const coordinator = new LeaseCoordinator({
      store,
      workerId: o.id,
      taker: { ...TAKER_DEFAULTS, failoverTimeMs: FAILOVER_MS },
      renewIntervalMs: FAILOVER_MS / 3 - 25,
      takerIntervalMs: TAKER_MS,
      clock,
      random,
      logger,
      metrics,
    });
    const processors = new Map<string, RecordingProcessor>();
    const made: string[] = [];
    const workerEmitter = new TypedEmitter<ShardWorkerEvents>();
    const workerEvents: TestWorker['workerEvents'] = {};
    for (const name of ['processorError', 'shardEnded', 'stateChange'] as const) {
      const list: unknown[] = [];
      (workerEvents as Record<string, unknown[]>)[name] = list;
      workerEmitter.on(name, (e) => list.push(e));
    }
    const single = singleStreamSet({
      streamIdentifier: undefined,
      streamName: 'stream',
      lister: {
        listShards: () => Promise.resolve(o.listShards?.() ?? this.kinesis.describeShards()),
      },
      reader: this.kinesis,
      initialPosition: o.initialPosition ?? 'TRIM_HORIZON',
    });
    const scheduler = new Scheduler({
      store,
      coordinator,
      streams: o.streams?.(single) ?? single,
      createProcessor: (shardId) => {
        const p = o.createProcessor?.(shardId) ?? new RecordingProcessor();
        o.setup?.(p, shardId);
        processors.set(shardId, p);
        made.push(shardId);
        return p;
      },
      worker: resolveShardWorkerOptions({
        idleTimeBetweenReadsMs: 100,
        minTimeBetweenReadsMs: 0,
        processorRetryBackoff: { baseMs: 100, capMs: 1_000 },
        ...(typeof o.initialPosition === 'object' && {
          initialPositionTimestamp: o.initialPosition.timestamp,
        }),
        ...o.worker,
      }),
      workerEvents: workerEmitter,
      childInitialPosition: o.childInitialPosition ?? 'TRIM_HORIZON',
      shardSyncIntervalMs: 600_000,
      failoverTimeMs: FAILOVER_MS,
      shutdownGraceMs: 5_000,
      clock,
      random,
      logger,
      metrics,
      metricDimensions: {},
    });
    const events = {} as EventLog;
    for (const name of [...FORWARDED_SCHEDULER_EVENTS, 'error'] as const) {
      const list: unknown[] = [];
      (events as Record<string, unknown[]>)[name] = list;
      scheduler.events.on(name, (e) => list.push(e));
    }
    await scheduler.start();
    const worker: TestWorker = {
      id: o.id,
      scheduler,
      coordinator,
      events,
      workerEvents,
      logger,
      metrics,
      processors,
      made,
      reads,
      stop: () => scheduler.abort(),
    };
    this.workers.push(worker);
    return worker;
  }

  /** Advances fake time in `stepMs` steps until `until()` holds; throws after `maxMs`. */
  async drive(until: () => boolean, maxMs = 60_000, stepMs = 10): Promise<void> {
    for (let elapsed = 0; ; elapsed += stepMs) {
      await settle();
      if (until()) return;
      if (elapsed >= maxMs) throw new Error(`not reached within ${maxMs} ms of fake time`);
      await this.clock.advance(stepMs);
    }
  }

  /** Advances fake time by `ms` in steps. */
  async run(ms: number, stepMs = 10): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      await settle();
      await this.clock.advance(stepMs);
    }
    await settle();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  async owner(leaseKey: string): Promise<string | undefined> {
    return (await this.store.getLease(leaseKey))?.leaseOwner;
  }
}
