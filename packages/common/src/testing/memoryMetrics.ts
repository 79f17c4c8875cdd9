/** A metrics sink that keeps every data point, for assertions in tests and benchmarks. */
import type { MetricDatum, MetricsSink } from '../metrics.js';

/** @public */
export class MemoryMetricsSink implements MetricsSink {
  readonly data: MetricDatum[] = [];
  record(datum: MetricDatum): void {
    this.data.push(datum);
  }
  /** Sum of the values recorded under `name` (optionally only where every given dimension matches). */
  sum(name: string, dimensions: Readonly<Record<string, string>> = {}): number {
    return this.matching(name, dimensions).reduce((acc, d) => acc + d.value, 0);
  }
  count(name: string, dimensions: Readonly<Record<string, string>> = {}): number {
    return this.matching(name, dimensions).length;
  }
  private matching(name: string, dimensions: Readonly<Record<string, string>>): MetricDatum[] {
    return this.data.filter(
      (d) =>
        d.name === name && Object.entries(dimensions).every(([k, v]) => d.dimensions?.[k] === v),
    );
  }
}
