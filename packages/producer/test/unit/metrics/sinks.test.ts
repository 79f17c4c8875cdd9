import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricsSink } from '../../../src/metrics/cloudWatchSink.js';
import { EmfMetricsSink } from '../../../src/metrics/emfSink.js';

const cw = mockClient(CloudWatchClient);
beforeEach(() => cw.reset());

const shardDims = { StreamName: 's', ShardId: 'shardId-000000000001' };

describe('CloudWatchMetricsSink', () => {
  it('uploads statistic sets with the KPL roll-ups (shard, stream, global)', async () => {
    cw.on(PutMetricDataCommand).resolves({});
    const sink = new CloudWatchMetricsSink({
      cloudWatchClient: new CloudWatchClient({ region: 'us-east-1' }),
      uploadIntervalMs: 3_600_000,
    });
    sink.record({ name: 'UserRecordsPut', value: 1, unit: 'Count', dimensions: shardDims });
    sink.record({ name: 'UserRecordsPut', value: 0, unit: 'Count', dimensions: shardDims });
    sink.record({
      name: 'RequestTime',
      value: 30,
      unit: 'Milliseconds',
      dimensions: { StreamName: 's' },
    });
    await sink.close();

    const input = cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input;
    expect(input.Namespace).toBe('KinesisProducerLibrary');
    const byDims = (name: string) =>
      input
        .MetricData!.filter((d) => d.MetricName === name)
        .map((d) => [d.Dimensions!.map((x) => x.Name).join(','), d.StatisticValues]);
    expect(byDims('UserRecordsPut')).toEqual(
      expect.arrayContaining([
        ['StreamName,ShardId', { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 }],
        ['StreamName', { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 }],
        ['', { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 }],
      ]),
    );
    expect(byDims('RequestTime')).toHaveLength(2);
  });

  it('splits uploads at 1000 series and survives a failed upload', async () => {
    cw.on(PutMetricDataCommand).rejectsOnce(new Error('throttled')).resolves({});
    const sink = new CloudWatchMetricsSink({
      cloudWatchClient: new CloudWatchClient({ region: 'us-east-1' }),
      uploadIntervalMs: 3_600_000,
    });
    for (let i = 0; i < 1500; i++) {
      sink.record({
        name: 'ErrorsByCode',
        value: 1,
        unit: 'Count',
        dimensions: { ErrorCode: `E${i}` },
      });
    }
    await sink.close();
    expect(
      cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData!.length),
    ).toEqual([1000, 500]);
  });
});

describe('EmfMetricsSink', () => {
  it('writes one EMF line per dimension set', async () => {
    const lines: string[] = [];
    const sink = new EmfMetricsSink({
      write: (l) => lines.push(l),
      now: () => 1234,
      flushIntervalMs: 3_600_000,
    });
    sink.record({ name: 'UserRecordsPut', value: 1, unit: 'Count', dimensions: shardDims });
    sink.record({ name: 'UserRecordsPut', value: 1, unit: 'Count', dimensions: shardDims });
    sink.record({ name: 'BufferingTime', value: 10, unit: 'Milliseconds', dimensions: shardDims });
    sink.record({ name: 'BufferingTime', value: 30, unit: 'Milliseconds', dimensions: shardDims });
    await sink.close();
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const shardLine = parsed.find((p) => p.ShardId === 'shardId-000000000001')!;
    expect(shardLine).toMatchObject({
      _aws: {
        Timestamp: 1234,
        CloudWatchMetrics: [
          {
            Namespace: 'KinesisProducerLibrary',
            Dimensions: [['StreamName', 'ShardId']],
            Metrics: [
              { Name: 'UserRecordsPut', Unit: 'Count' },
              { Name: 'BufferingTime', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      StreamName: 's',
      UserRecordsPut: 2,
      BufferingTime: 20,
      BufferingTimeStats: { SampleCount: 2, Min: 10, Max: 30 },
    });
    // Roll-ups: stream and global lines too.
    expect(parsed).toHaveLength(3);
  });
});
