/**
 * Emits the producer's metrics through the MetricsSink with the KPL's names, levels and
 * dimensions: `StreamName`, plus `ShardId` for shard-level metrics at 'shard' granularity, plus
 * `ErrorCode` for ErrorsByCode. One data point per event, at the most detailed dimensions the
 * granularity allows; the CloudWatch sink rolls them up to the coarser levels as the KPL does.
 * Costs one branch per call when metrics are off.
 */
import type { MetricDimensions, MetricUnit, MetricsSink } from '@kinesis-kit/common';
import { SUMMARY_METRICS } from './names.js';
import type { MetricsGranularity, MetricsLevel, ProducerMetricName } from './names.js';

/** @internal */
export class MetricsRecorder {
  /** False when nothing would be recorded (level 'none' or the no-op sink): callers may skip work. */
  readonly enabled: boolean;
  private readonly streamDims: MetricDimensions;
  private readonly shardDims = new Map<string, MetricDimensions>();

  constructor(
    private readonly sink: MetricsSink,
    private readonly level: MetricsLevel,
    private readonly granularity: MetricsGranularity,
    private readonly streamName: string,
    sinkIsNoop: boolean,
  ) {
    this.enabled = level !== 'none' && !sinkIsNoop;
    this.streamDims = granularity === 'global' ? {} : { StreamName: streamName };
  }

  /** A stream-level metric. */
  stream(name: ProducerMetricName, value: number, unit: MetricUnit): void {
    if (!this.wants(name)) return;
    this.emit(name, value, unit, this.streamDims);
  }

  /** A shard-level metric. */
  shard(name: ProducerMetricName, shardId: string, value: number, unit: MetricUnit): void {
    if (!this.wants(name)) return;
    this.emit(name, value, unit, this.dimsOf(shardId));
  }

  /** ErrorsByCode with its extra ErrorCode dimension (per shard when known). */
  error(code: string, shardId: string | undefined): void {
    if (!this.wants('ErrorsByCode')) return;
    const base = shardId === undefined ? this.streamDims : this.dimsOf(shardId);
    this.emit('ErrorsByCode', 1, 'Count', { ...base, ErrorCode: code });
  }

  private wants(name: ProducerMetricName): boolean {
    if (!this.enabled) return false;
    return this.level === 'detailed' || SUMMARY_METRICS.has(name);
  }

  private dimsOf(shardId: string): MetricDimensions {
    if (this.granularity !== 'shard') return this.streamDims;
    let dims = this.shardDims.get(shardId);
    if (!dims) {
      dims = { StreamName: this.streamName, ShardId: shardId };
      this.shardDims.set(shardId, dims);
    }
    return dims;
  }

  private emit(name: string, value: number, unit: MetricUnit, dimensions: MetricDimensions): void {
    try {
      this.sink.record({ name, value, unit, dimensions });
    } catch {
      // A faulty sink must never break the data path.
    }
  }
}
