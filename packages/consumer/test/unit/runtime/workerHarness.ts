/**
 * Drives a ShardWorker against a FakeKinesis, an InMemoryLeaseStore lease and a FakeClock, with a
 * processor that records every call. `drive(until)` moves fake time in small steps, letting every
 * promise settle in between, until the condition holds.
 */
import { ExtendedSequenceNumber, RecordAggregator, TypedEmitter } from '@kinesis-kit/common';
import { FakeClock, MemoryLogger, MemoryMetricsSink } from '@kinesis-kit/common/testing';
import type { ChildShard, LeaseHashKeyRange } from '../../../src/ports.js';
import type {
  ConsumerRecord,
  InitializeInput,
  ProcessRecordsInput,
  ShardEndedInput,
  ShardRecordProcessor,
  ShutdownRequestedInput,
} from '../../../src/processor.js';
import { ShardWorker } from '../../../src/runtime/shardWorker.js';
import type { ShardWorkerParams } from '../../../src/runtime/shardWorker.js';
import type {
  ShardWorkerEvents,
  ShardWorkerOutcome,
} from '../../../src/runtime/shardWorkerEvents.js';
import type { ShardWorkerOptions } from '../../../src/runtime/shardWorkerOptions.js';
import { FakeKinesis } from '../../fakes/fakeKinesis.js';
import { heldLease } from '../../fakes/heldLease.js';
import type { HeldLease } from '../../fakes/heldLease.js';

export const SHARD = 'shardId-000000000000';

/** A processor that records calls; behaviours can be replaced per test. */
export class RecordingProcessor implements ShardRecordProcessor {
  readonly calls: string[] = [];
  /** Records of every processRecords call that returned. */
  readonly delivered: ConsumerRecord[] = [];
  /** Every processRecords input, failed attempts included. */
  readonly inputs: ProcessRecordsInput[] = [];
  initInput: InitializeInput | undefined;
  onProcess: (input: ProcessRecordsInput, call: number) => Promise<void> = (input) =>
    input.checkpointer.checkpoint();
  onShardEnded: (input: ShardEndedInput, call: number) => Promise<void> = (input) =>
    input.checkpointer.checkpoint();
  onShutdownRequested: (input: ShutdownRequestedInput) => Promise<void> = (input) =>
    input.checkpointer.checkpoint();
  private shardEndedCalls = 0;

  initialize(input: InitializeInput): Promise<void> {
    this.calls.push('initialize');
    this.initInput = input;
    return Promise.resolve();
  }
  async processRecords(input: ProcessRecordsInput): Promise<void> {
    this.calls.push('processRecords');
    this.inputs.push(input);
    await this.onProcess(input, this.inputs.length);
    this.delivered.push(...input.records);
  }
  leaseLost(): Promise<void> {
    this.calls.push('leaseLost');
    return Promise.resolve();
  }
  shardEnded(input: ShardEndedInput): Promise<void> {
    this.calls.push('shardEnded');
    return this.onShardEnded(input, ++this.shardEndedCalls);
  }
  shutdownRequested(input: ShutdownRequestedInput): Promise<void> {
    this.calls.push('shutdownRequested');
    return this.onShutdownRequested(input);
  }
}

export interface HarnessOptions {
  readonly checkpoint?: ExtendedSequenceNumber;
  readonly options?: Partial<ShardWorkerOptions>;
  readonly hashKeyRange?: LeaseHashKeyRange;
  readonly params?: Partial<ShardWorkerParams>;
  /** Fills the fake stream before the worker starts; may return the lease checkpoint. */
  readonly setup?: (kinesis: FakeKinesis) => unknown;
  readonly kinesisOptions?: ConstructorParameters<typeof FakeKinesis>[0];
  /** Start the worker at once. @defaultValue true */
  readonly start?: boolean;
}

type EventLog = { [K in keyof ShardWorkerEvents]: ShardWorkerEvents[K][] };

export interface Harness {
  readonly clock: FakeClock;
  readonly kinesis: FakeKinesis;
  readonly held: HeldLease;
  readonly processor: RecordingProcessor;
  readonly worker: ShardWorker;
  readonly events: EventLog;
  readonly metrics: MemoryMetricsSink;
  readonly logger: MemoryLogger;
  readonly shardEnds: (readonly ChildShard[])[];
  outcome: ShardWorkerOutcome | undefined;
  /** Advances fake time until `until()` holds (throws after `maxMs`). */
  drive(until: () => boolean, maxMs?: number, stepMs?: number): Promise<void>;
  /** Sequence numbers (with sub-sequence) of what the processor finished, as `seq/sub`. */
  deliveredKeys(): string[];
}

export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function createHarness(h: HarnessOptions = {}): Promise<Harness> {
  const clock = new FakeClock();
  const kinesis = new FakeKinesis({ clock, ...h.kinesisOptions });
  kinesis.createShard(SHARD, h.hashKeyRange ? { hashKeyRange: h.hashKeyRange } : {});
  const fromSetup = h.setup?.(kinesis);
  const checkpoint =
    h.checkpoint ??
    (fromSetup instanceof ExtendedSequenceNumber ? fromSetup : ExtendedSequenceNumber.TRIM_HORIZON);
  const held = await heldLease(
    SHARD,
    checkpoint,
    h.hashKeyRange ? { hashKeyRange: h.hashKeyRange } : {},
  );
  const processor = new RecordingProcessor();
  const metrics = new MemoryMetricsSink();
  const logger = new MemoryLogger();
  const emitter = new TypedEmitter<ShardWorkerEvents>();
  const events = {} as EventLog;
  const names: (keyof ShardWorkerEvents)[] = [
    'stateChange',
    'processorError',
    'batchSkipped',
    'batchDeadLettered',
    'shardEnded',
    'leaseLost',
    'checkpointed',
    'readThrottled',
    'iteratorExpired',
    'retrievalError',
  ];
  for (const name of names) {
    const list: unknown[] = [];
    (events as Record<string, unknown[]>)[name] = list;
    emitter.on(name, (payload) => list.push(payload));
  }
  const shardEnds: (readonly ChildShard[])[] = [];
  const worker = new ShardWorker({
    shardId: SHARD,
    checkpoint,
    ...(h.hashKeyRange && { hashKeyRange: h.hashKeyRange }),
    reader: kinesis,
    processor,
    checkpointTarget: held.target,
    onShardEnd: (children) => {
      shardEnds.push(children);
      return Promise.resolve();
    },
    options: h.options,
    events: emitter,
    logger,
    metrics,
    clock,
    random: () => 0.5,
    ...h.params,
  });
  const harness: Harness = {
    clock,
    kinesis,
    held,
    processor,
    worker,
    events,
    metrics,
    logger,
    shardEnds,
    outcome: undefined,
    async drive(until, maxMs = 120_000, stepMs = 10) {
      for (let elapsed = 0; ; elapsed += stepMs) {
        await settle();
        if (until()) return;
        if (elapsed >= maxMs) throw new Error(`not reached within ${maxMs} ms of fake time`);
        await clock.advance(stepMs);
      }
    },
    deliveredKeys: () =>
      processor.delivered.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`),
  };
  void worker.done.then((outcome) => (harness.outcome = outcome));
  if (h.start ?? true) worker.start();
  return harness;
}

/** Puts `count` plain records `r0…` and returns their sequence numbers. */
export function putPlain(
  kinesis: FakeKinesis,
  count: number,
  prefix = 'r',
  shardId = SHARD,
): string[] {
  return Array.from({ length: count }, (_, i) => kinesis.put(shardId, `${prefix}${i}`, `pk-${i}`));
}

/** Puts one KPL aggregate of `count` user records; returns its sequence number. */
export function putAggregate(
  kinesis: FakeKinesis,
  count: number,
  options: {
    prefix?: string;
    partitionKey?: (i: number) => string;
    explicitHashKey?: (i: number) => string;
  } = {},
): string {
  const agg = new RecordAggregator();
  for (let i = 0; i < count; i++) {
    agg.add({
      partitionKey: options.partitionKey?.(i) ?? `agg-pk-${i}`,
      data: `${options.prefix ?? 'u'}${i}`,
      ...(options.explicitHashKey && { explicitHashKey: options.explicitHashKey(i) }),
    });
  }
  const record = agg.toKinesisRecord();
  return kinesis.put(SHARD, record.data, record.partitionKey);
}

export function text(records: readonly ConsumerRecord[]): string[] {
  return records.map((r) => new TextDecoder().decode(r.data));
}
