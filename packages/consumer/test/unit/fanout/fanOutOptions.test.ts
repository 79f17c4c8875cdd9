import { ConfigurationError } from '@kinesis-kit/common';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { KinesisConsumerOptions } from '@kinesis-kit/consumer';

const handler = (): void => undefined;
const base = { streamName: 's', applicationName: 'my-app', handler } as const;
const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/my-app:1700000000';

function problemsOf(options: unknown): { field: string; message: string }[] {
  try {
    new KinesisConsumer(options as KinesisConsumerOptions);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('fan-out options', () => {
  it.each([
    ['polling by default', base],
    ['fanout', { ...base, retrieval: 'fanout' }],
    ['fanout with a consumer name', { ...base, retrieval: 'fanout', consumerName: 'idx.v2' }],
    ['fanout with a consumer ARN', { ...base, retrieval: 'fanout', consumerArn: ARN }],
    [
      'a China-partition ARN',
      { ...base, retrieval: 'fanout', consumerArn: ARN.replace('arn:aws:', 'arn:aws-cn:') },
    ],
  ])('accepts %s', (_, options) => {
    expect(problemsOf(options)).toEqual([]);
  });

  it.each([
    ['an unknown retrieval', { ...base, retrieval: 'push' }, 'retrieval'],
    [
      'a stream ARN as consumerArn',
      {
        ...base,
        retrieval: 'fanout',
        consumerArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
      },
      'consumerArn',
    ],
    [
      'a consumer ARN without its epoch',
      { ...base, retrieval: 'fanout', consumerArn: ARN.replace(/:\d+$/, '') },
      'consumerArn',
    ],
    [
      'a consumer name with a space',
      { ...base, retrieval: 'fanout', consumerName: 'a b' },
      'consumerName',
    ],
    ['consumerArn with polling', { ...base, consumerArn: ARN }, 'consumerArn'],
    [
      'consumerName with polling',
      { ...base, retrieval: 'polling', consumerName: 'x' },
      'consumerName',
    ],
  ])('rejects %s, naming the option', (_, options, field) => {
    expect(problemsOf(options).map((p) => p.field)).toEqual([field]);
  });

  it('says what a consumer ARN looks like', () => {
    const [problem] = problemsOf({ ...base, retrieval: 'fanout', consumerArn: 'nope' });
    expect(problem?.message).toContain('stream/<stream>/consumer/<name>:<epoch>');
  });
});
