/**
 * A MetricsSink that uploads to CloudWatch with PutMetricData, as the KPL does: data points are
 * aggregated into statistic sets per series (with the KPL's shard → stream → global roll-ups)
 * and sent every `uploadIntervalMs` (60 s, the KPL's MetricsUploadDelay), at most 1000 series
 * per request. Upload failures are logged and dropped: metrics never hold up the data path.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClientConfig, MetricDatum as CwDatum } from '@aws-sdk/client-cloudwatch';
import { silentLogger } from '@kinesis-kit/common';
import type { Logger, MetricDatum, MetricsSink } from '@kinesis-kit/common';
import { StatisticsBuffer } from './statistics.js';

/** @public */
export interface CloudWatchMetricsSinkOptions {
  /** @defaultValue 'KinesisProducerLibrary' (the KPL's MetricsNamespace) */
  readonly namespace?: string;
  /** @defaultValue 60000 */
  readonly uploadIntervalMs?: number;
  /** Extra dimensions added to every series (the KPL's additionalMetricsDims). */
  readonly extraDimensions?: Readonly<Record<string, string>>;
  readonly cloudWatchClient?: CloudWatchClient;
  readonly clientConfig?: CloudWatchClientConfig;
  readonly logger?: Logger;
}

/** PutMetricData takes at most 1000 metric data items per request. */
const MAX_PER_REQUEST = 1000;

/**
 * Uploads producer metrics to CloudWatch.
 * @public
 * @example
 * ```ts
 * const metricsSink = new CloudWatchMetricsSink({ clientConfig: { region: 'eu-west-1' } });
 * const producer = new KinesisProducer({ streamName, clientConfig, metricsSink });
 * ```
 */
export class CloudWatchMetricsSink implements MetricsSink {
  private readonly buffer = new StatisticsBuffer();
  private readonly client: CloudWatchClient;
  private readonly owned: boolean;
  private readonly namespace: string;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly logger: Logger;

  constructor(private readonly options: CloudWatchMetricsSinkOptions = {}) {
    if (options.namespace?.startsWith('AWS/')) {
      throw new RangeError('namespace must not start with AWS/');
    }
    this.namespace = options.namespace ?? 'KinesisProducerLibrary';
    this.owned = options.cloudWatchClient === undefined;
    this.client = options.cloudWatchClient ?? new CloudWatchClient(options.clientConfig ?? {});
    this.logger = options.logger ?? silentLogger;
    this.timer = setInterval(() => void this.flush(), options.uploadIntervalMs ?? 60_000);
    this.timer.unref();
  }

  record(datum: MetricDatum): void {
    this.buffer.add(datum);
  }

  /** Uploads what is buffered now. */
  async flush(): Promise<void> {
    const series = this.buffer.drain();
    const timestamp = new Date();
    const extra = Object.entries(this.options.extraDimensions ?? {});
    const data: CwDatum[] = series.map((s) => ({
      MetricName: s.name,
      Unit: s.unit,
      Timestamp: timestamp,
      Dimensions: [...Object.entries(s.dimensions), ...extra].map(([Name, Value]) => ({
        Name,
        Value,
      })),
      StatisticValues: { SampleCount: s.count, Sum: s.sum, Minimum: s.min, Maximum: s.max },
    }));
    for (let i = 0; i < data.length; i += MAX_PER_REQUEST) {
      try {
        await this.client.send(
          new PutMetricDataCommand({
            Namespace: this.namespace,
            MetricData: data.slice(i, i + MAX_PER_REQUEST),
          }),
        );
      } catch (error) {
        this.logger.warn('PutMetricData failed; metrics dropped', { error });
      }
    }
  }

  /** Uploads what is left and stops the timer; destroys the client if we built it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.owned) this.client.destroy();
  }
}
