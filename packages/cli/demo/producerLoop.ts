/**
 * The demo's producer: a KinesisProducer fed at a steady rate, round-robin over a fixed set of
 * partition keys, each record's data being `<key>:<n>` so the verification can tell every record
 * apart and check each key's order. It keeps what the verification and the view need: the put
 * order, which puts were acknowledged, per-shard acknowledgements and throttled entries.
 */
import { KinesisProducer } from '@kinesis-kit/producer';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { ProducedRecord } from './verify.js';

/** Options of {@link ProducerLoop}. */
export interface ProducerLoopOptions {
  readonly streamName: string;
  readonly clientConfig: KinesisClientConfig;
  readonly recordsPerSecond: number;
  readonly keys: number;
}

/** Runs the producer at a steady rate until {@link ProducerLoop.stop}. */
export class ProducerLoop {
  readonly producer: KinesisProducer;
  /** Every put, in call order. */
  private readonly puts: ProducedRecord[] = [];
  private readonly ackedIds = new Set<string>();
  readonly ackedByShard = new Map<string, number>();
  /** Ack times (ms), for the rate; trimmed to the last few seconds. */
  private readonly ackTimes: number[] = [];
  acked = 0;
  failed = 0;
  lastError: string | undefined;
  throttledEntries = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly counters: number[];

  constructor(private readonly options: ProducerLoopOptions) {
    this.counters = new Array<number>(options.keys).fill(0);
    this.producer = new KinesisProducer({
      streamName: options.streamName,
      clientConfig: options.clientConfig,
      // Per-key order survives retries only with this (one request in flight per shard).
      preserveOrder: true,
      recordMaxBufferedTime: 100,
      // On a loaded 2-core machine the emulator can stall for seconds; the KPL's 30 s TTL would
      // then reject records that are merely late, and the demo is about losing none.
      recordTtl: 120_000,
    });
    this.producer.on('throttled', ({ entries }) => {
      this.throttledEntries += entries;
    });
  }

  start(): void {
    const tickMs = 50;
    const started = Date.now();
    let sent = 0;
    this.timer = setInterval(() => {
      // Catch up on the schedule, so a slow tick does not lower the rate.
      const due = Math.floor(((Date.now() - started) / 1000) * this.options.recordsPerSecond);
      for (; sent < due; sent++) this.putOne(sent);
    }, tickMs);
  }

  /** Stops putting, then waits until every put has settled. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.producer.flush();
    await this.producer.close();
  }

  get buffered(): number {
    return this.producer.outstandingRecords;
  }

  get putCount(): number {
    return this.puts.length;
  }

  /** Acknowledgements per second over the last `windowMs`. */
  rate(now: number, windowMs = 3000): number {
    while (this.ackTimes.length > 0 && this.ackTimes[0]! < now - windowMs) this.ackTimes.shift();
    return (this.ackTimes.length * 1000) / windowMs;
  }

  /** The acknowledged records in put order: the verification's input. */
  acknowledged(): ProducedRecord[] {
    return this.puts.filter((p) => this.ackedIds.has(p.id));
  }

  private putOne(i: number): void {
    const k = i % this.options.keys;
    const partitionKey = `key-${String(k).padStart(2, '0')}`;
    const id = `${partitionKey}:${this.counters[k]!++}`;
    this.puts.push({ partitionKey, id });
    this.producer.put({ partitionKey, data: id }).then(
      (result) => {
        this.acked++;
        this.ackedIds.add(id);
        this.ackTimes.push(Date.now());
        this.ackedByShard.set(result.shardId, (this.ackedByShard.get(result.shardId) ?? 0) + 1);
      },
      (error: unknown) => {
        this.failed++;
        this.lastError = error instanceof Error ? error.message : String(error);
      },
    );
  }
}
