/**
 * A MetricsSink writing CloudWatch Embedded Metric Format: one JSON line per dimension set every
 * `flushIntervalMs`. EMF carries plain values (a number or up to 100 numbers per metric), not
 * statistic sets, so each series becomes one value per flush: the sum for Count and Bytes metrics
 * (so CloudWatch's Sum is exact) and the mean for Milliseconds; the sample count, minimum and
 * maximum travel in the line as `<name>Stats` for readers of the log. Lambda and the CloudWatch
 * agent turn these lines into metrics without any API call from the producer.
 */
import type { MetricDatum, MetricsSink } from '@kinesis-kit/common';
import { StatisticsBuffer } from './statistics.js';
import type { StatisticSeries } from './statistics.js';

/** @public */
export interface EmfMetricsSinkOptions {
  /** @defaultValue 'KinesisProducerLibrary' */
  readonly namespace?: string;
  /** @defaultValue 60000 */
  readonly flushIntervalMs?: number;
  /** Where lines go. @defaultValue process.stdout */
  readonly write?: (line: string) => void;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

/**
 * Writes producer metrics as EMF JSON lines.
 * @public
 * @example
 * ```ts
 * const producer = new KinesisProducer({ streamName, clientConfig, metricsSink: new EmfMetricsSink() });
 * ```
 */
export class EmfMetricsSink implements MetricsSink {
  private readonly buffer = new StatisticsBuffer();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly write: (line: string) => void;

  constructor(private readonly options: EmfMetricsSinkOptions = {}) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 60_000);
    this.timer.unref();
  }

  record(datum: MetricDatum): void {
    this.buffer.add(datum);
  }

  /** Writes one line per dimension set for what is buffered. */
  flush(): Promise<void> {
    const groups = new Map<string, StatisticSeries[]>();
    for (const s of this.buffer.drain()) {
      const key = JSON.stringify(Object.entries(s.dimensions).sort());
      const group = groups.get(key);
      if (group) group.push(s);
      else groups.set(key, [s]);
    }
    const timestamp = (this.options.now ?? Date.now)();
    for (const series of groups.values()) {
      const dimensions = series[0]!.dimensions;
      const line: Record<string, unknown> = {
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: this.options.namespace ?? 'KinesisProducerLibrary',
              Dimensions: [Object.keys(dimensions)],
              Metrics: series.map((s) => ({ Name: s.name, Unit: s.unit })),
            },
          ],
        },
        ...dimensions,
      };
      for (const s of series) {
        line[s.name] = s.unit === 'Milliseconds' ? s.sum / s.count : s.sum;
        line[`${s.name}Stats`] = { SampleCount: s.count, Min: s.min, Max: s.max };
      }
      this.write(JSON.stringify(line));
    }
    return Promise.resolve();
  }

  /** Writes what is left and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
