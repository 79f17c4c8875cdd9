/**
 * Aggregates data points into CloudWatch statistic sets (count, sum, min, max) per metric name,
 * unit and dimension set, with the KPL's roll-ups: a point with ShardId is also counted at the
 * stream level (without ShardId) and at the global level (no dimensions), so 'shard' granularity
 * yields the same three levels of series as the KPL. ErrorCode stays on every level.
 */
import type { MetricDatum, MetricDimensions, MetricUnit } from '@kinesis-kit/common';

/** One aggregated series. @internal */
export interface StatisticSeries {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly dimensions: MetricDimensions;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** @internal */
export class StatisticsBuffer {
  private series = new Map<string, StatisticSeries>();

  get size(): number {
    return this.series.size;
  }

  add(datum: MetricDatum): void {
    const dims = datum.dimensions ?? {};
    this.addAt(datum, dims);
    if ('ShardId' in dims) {
      const { ShardId: _shard, ...stream } = dims;
      this.addAt(datum, stream);
    }
    if ('StreamName' in dims) {
      const { ShardId: _shard, StreamName: _stream, ...global } = dims;
      this.addAt(datum, global);
    }
  }

  /** Takes every series and starts over. */
  drain(): StatisticSeries[] {
    const out = [...this.series.values()];
    this.series = new Map();
    return out;
  }

  private addAt(datum: MetricDatum, dimensions: MetricDimensions): void {
    const keys = Object.keys(dimensions).sort();
    const key = `${datum.name}|${datum.unit}|${keys.map((k) => `${k}=${dimensions[k]}`).join(',')}`;
    const s = this.series.get(key);
    if (s) {
      s.count += 1;
      s.sum += datum.value;
      if (datum.value < s.min) s.min = datum.value;
      if (datum.value > s.max) s.max = datum.value;
      return;
    }
    this.series.set(key, {
      name: datum.name,
      unit: datum.unit,
      dimensions,
      count: 1,
      sum: datum.value,
      min: datum.value,
      max: datum.value,
    });
  }
}
