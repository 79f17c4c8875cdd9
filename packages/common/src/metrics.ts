/**
 * Metrics leave kinesis-kit through a `MetricsSink`. The default does nothing, so a caller who does
 * not ask for metrics pays nothing; the producer and consumer ship CloudWatch and EMF sinks.
 */

/** CloudWatch-compatible units. @public */
export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds' | 'Percent' | 'None';

/** Dimensions of one data point, e.g. `{ StreamName, ShardId }`. @public */
export type MetricDimensions = Readonly<Record<string, string>>;

/** @public */
export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly dimensions?: MetricDimensions;
}

/**
 * Receives data points. `record` must not throw and should be cheap (aggregate, send later).
 * @public
 */
export interface MetricsSink {
  record(datum: MetricDatum): void;
  /** Sends what is buffered. Called by `close()`/`stop()` of the producer and consumer. */
  flush?(): Promise<void>;
}

/** @public */
export const noopMetricsSink: MetricsSink = { record: () => undefined };
