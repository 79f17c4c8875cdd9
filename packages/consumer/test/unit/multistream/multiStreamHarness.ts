/**
 * A multi-stream application in memory: fake streams (FakeKinesis each, with ListShards from its
 * shards and ResourceNotFound once deleted), the in-memory lease store, and a real Scheduler,
 * LeaseCoordinator and MultiStreamSet on the system clock with short intervals.
 */
import { TypedEmitter, noopMetricsSink, silentLogger, systemClock } from '@kinesis-kit/common';
import type { FieldProblem, MetricsSink } from '@kinesis-kit/common';
import { TAKER_DEFAULTS } from '../../../src/core/leasePlanner.js';
import { formatStreamArn, parseStreamIdentifier } from '../../../src/core/streamIdentifier.js';
import type { ResolvedStream } from '../../../src/adapters/streamResolver.js';
import { resolveMultiStreamOptions } from '../../../src/multiStreamOptions.js';
import type {
  FormerStreamsLeasesDeletionStrategy,
  NormalizedStreamSpec,
  StreamTrackerInput,
} from '../../../src/multiStreamOptions.js';
import { processorFromHandler } from '../../../src/processor.js';
import type { ConsumerRecord, HandlerContext, StreamInfo } from '../../../src/processor.js';
import { LeaseCoordinator } from '../../../src/runtime/leaseCoordinator.js';
import { MultiStreamSet } from '../../../src/runtime/multiStreamSet.js';
import { FORWARDED_SCHEDULER_EVENTS, Scheduler } from '../../../src/runtime/scheduler.js';
import type { SchedulerEvents } from '../../../src/runtime/scheduler.js';
import { resolveShardWorkerOptions } from '../../../src/runtime/shardWorkerOptions.js';
import type { StreamBinding } from '../../../src/runtime/streamSet.js';
import type { InMemoryLeaseStore } from '../../../src/testing/inMemoryLeaseStore.js';
import { FakeKinesis } from '../../fakes/fakeKinesis.js';

export const ACCOUNT = '123456789012';
const MAX = 2n ** 128n - 1n;

interface FakeStream {
  readonly name: string;
  readonly identifier: string;
  readonly kinesis: FakeKinesis;
  deleted: boolean;
}

function notFound(what: string): Error {
  const e = new Error(`${what} not found`);
  e.name = 'ResourceNotFoundException';
  return e;
}

/** Fake streams with the resolver and binder a MultiStreamSet needs. */
export class FakeStreams {
  private readonly byName = new Map<string, FakeStream>();
  private epoch = 1_600_000_000;

  /** Creates a stream of `shards` shards splitting the key space evenly; returns its identifier. */
  create(name: string, shards = 1): string {
    const kinesis = new FakeKinesis();
    const width = (MAX + 1n) / BigInt(shards);
    for (let i = 0; i < shards; i++) {
      const start = width * BigInt(i);
      const end = i === shards - 1 ? MAX : start + width - 1n;
      kinesis.createShard(shardIdOf(i), {
        hashKeyRange: { startingHashKey: start.toString(), endingHashKey: end.toString() },
      });
    }
    const identifier = `${ACCOUNT}:${name}:${this.epoch++}`;
    this.byName.set(name, { name, identifier, kinesis, deleted: false });
    return identifier;
  }

  get(name: string): FakeStream {
    const s = this.byName.get(name);
    if (s === undefined) throw new Error(`no stream ${name}`);
    return s;
  }

  /** Deletes the stream: ListShards and every read answer ResourceNotFound. */
  delete(name: string): void {
    const s = this.get(name);
    s.deleted = true;
    for (const shard of s.kinesis.describeShards()) s.kinesis.deleteShard(shard.ShardId);
  }

  readonly resolver = {
    resolve: (spec: NormalizedStreamSpec): Promise<ResolvedStream> => {
      if (spec.streamIdentifier !== undefined) {
        return Promise.resolve(this.resolver.fromIdentifier(spec.streamIdentifier));
      }
      const s = this.byName.get(spec.streamName ?? '');
      if (s === undefined || s.deleted) return Promise.reject(notFound(spec.streamName ?? '?'));
      return Promise.resolve(this.resolver.fromIdentifier(s.identifier));
    },
    fromIdentifier: (id: string): ResolvedStream => {
      const parts = parseStreamIdentifier(id)!;
      return {
        streamIdentifier: id,
        streamName: parts.streamName,
        streamArn: formatStreamArn({ ...parts, partition: 'aws', region: 'us-east-1' }),
      };
    },
    forget: (): void => undefined,
  };

  /** Every bind call: the stream, its position and the spec's consumer ARN. */
  readonly binds: { streamIdentifier: string; position: unknown; consumerArn?: string }[] = [];

  readonly bind = (
    stream: ResolvedStream,
    initialPosition: StreamBinding['initialPosition'],
    options: { readonly consumerArn?: string } = {},
  ): Promise<StreamBinding> => {
    this.binds.push({
      streamIdentifier: stream.streamIdentifier,
      position: initialPosition,
      ...(options.consumerArn !== undefined && { consumerArn: options.consumerArn }),
    });
    const s = this.byName.get(stream.streamName);
    if (s === undefined || s.deleted) return Promise.reject(notFound(stream.streamName));
    return Promise.resolve({
      streamIdentifier: stream.streamIdentifier,
      streamName: stream.streamName,
      streamArn: stream.streamArn,
      initialPosition,
      reader: s.kinesis,
      lister: {
        listShards: (filter) => {
          if (s.deleted) return Promise.reject(notFound(s.name));
          const all = s.kinesis.describeShards();
          // AT_LATEST lists the open shards only; the other filters start at the trim horizon.
          return Promise.resolve(
            filter?.Type === 'AT_LATEST'
              ? all.filter((d) => d.SequenceNumberRange.EndingSequenceNumber === undefined)
              : all,
          );
        },
      },
    });
  };
}

export function shardIdOf(i: number): string {
  return `shardId-${String(i).padStart(12, '0')}`;
}

/** What the application saw. */
export interface Seen {
  readonly worker: string;
  readonly streamName: string | undefined;
  readonly streamIdentifier: string | undefined;
  readonly shardId: string;
  readonly data: string;
}

export interface AppOptions {
  readonly workerId?: string;
  readonly store: InMemoryLeaseStore;
  readonly streams: FakeStreams;
  readonly tracker: StreamTrackerInput;
  readonly strategy?: FormerStreamsLeasesDeletionStrategy;
  readonly seen: Seen[];
  readonly lostLeases?: string[];
  readonly metrics?: MetricsSink;
}

export interface App {
  readonly scheduler: Scheduler;
  readonly set: MultiStreamSet;
  readonly events: { [K in keyof SchedulerEvents]: SchedulerEvents[K][] };
  /** What the processor factory was called with. */
  readonly factoryCalls: { shardId: string; stream: StreamInfo | undefined }[];
  stop(): Promise<void>;
}

/** Starts one worker of a multi-stream application. */
export async function startApp(o: AppOptions): Promise<App> {
  const workerId = o.workerId ?? 'worker-a';
  const problems: FieldProblem[] = [];
  const options = resolveMultiStreamOptions(
    {
      streams: o.tracker,
      streamSyncIntervalMs: 100,
      ...(o.strategy !== undefined && { formerStreamsLeasesDeletionStrategy: o.strategy }),
    },
    problems,
    () => true,
  );
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  const coordinator = new LeaseCoordinator({
    store: o.store,
    workerId,
    taker: { ...TAKER_DEFAULTS, failoverTimeMs: 3000 },
    renewIntervalMs: 500,
    takerIntervalMs: 100,
    clock: systemClock,
    logger: silentLogger,
    metrics: noopMetricsSink,
  });
  const events = {} as App['events'];
  const factoryCalls: App['factoryCalls'] = [];
  const errors: SchedulerEvents['error'][] = [];
  const set = new MultiStreamSet({
    options,
    initialPosition: 'TRIM_HORIZON',
    resolver: o.streams.resolver,
    bind: o.streams.bind,
    clock: systemClock,
    logger: silentLogger,
    onError: (operation, error) => errors.push({ operation, error }),
  });
  const handler = (records: readonly ConsumerRecord[], ctx: HandlerContext): void => {
    for (const r of records) {
      o.seen.push({
        worker: workerId,
        streamName: ctx.streamName,
        streamIdentifier: ctx.streamIdentifier,
        shardId: ctx.shardId,
        data: Buffer.from(r.data).toString(),
      });
    }
  };
  const scheduler = new Scheduler({
    store: o.store,
    coordinator,
    streams: set,
    createProcessor: (shardId, stream) => {
      factoryCalls.push({ shardId, stream });
      const p = processorFromHandler(handler);
      return {
        ...p,
        leaseLost: () => {
          o.lostLeases?.push(workerId);
          return p.leaseLost();
        },
      };
    },
    worker: resolveShardWorkerOptions({ idleTimeBetweenReadsMs: 20, minTimeBetweenReadsMs: 5 }),
    workerEvents: new TypedEmitter(),
    childInitialPosition: 'TRIM_HORIZON',
    shardSyncIntervalMs: 200,
    failoverTimeMs: 3000,
    shutdownGraceMs: 2000,
    clock: systemClock,
    random: Math.random,
    logger: silentLogger,
    metrics: o.metrics ?? noopMetricsSink,
    metricDimensions: {},
  });
  for (const name of [...FORWARDED_SCHEDULER_EVENTS, 'error'] as const) {
    const list: unknown[] = name === 'error' ? errors : [];
    (events as Record<string, unknown[]>)[name] = list;
    scheduler.events.on(name, (e) => list.push(e));
  }
  await scheduler.start();
  return { scheduler, set, events, factoryCalls, stop: () => scheduler.stop() };
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
