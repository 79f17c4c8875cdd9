import { ConfigurationError } from '@kinesis-kit/common';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { KinesisConsumerOptions } from '@kinesis-kit/consumer';

const handler = (): void => undefined;
const base = { streamName: 's', applicationName: 'my-app', handler } as const;

function problemsOf(options: unknown): string[] {
  try {
    new KinesisConsumer(options as KinesisConsumerOptions);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.map((p) => p.field);
    throw error;
  }
  return [];
}

describe('KinesisConsumer options', () => {
  it('accepts the minimal options and derives the lease table name from the application', () => {
    const consumer = new KinesisConsumer(base);
    expect(consumer.tableName).toBe('my-app');
    expect(consumer.workerId).toMatch(/.+:\d+:[0-9a-f-]{36}$/);
  });

  it.each([
    ['no stream', { applicationName: 'my-app', handler }, ['streamName']],
    ['empty application name', { ...base, applicationName: '' }, ['applicationName']],
    ['a table name DynamoDB refuses', { ...base, tableName: 'a b' }, ['tableName']],
    ['a bad initial position', { ...base, initialPosition: 'OLDEST' }, ['initialPosition']],
    [
      'an invalid timestamp',
      { ...base, initialPosition: { timestamp: new Date('x') } },
      ['initialPosition'],
    ],
    ['a tiny failover time', { ...base, failoverTimeMs: 5 }, ['failoverTimeMs']],
    [
      'renewing slower than failover',
      { ...base, failoverTimeMs: 1000, leaseRenewIntervalMs: 1000 },
      ['leaseRenewIntervalMs'],
    ],
    [
      'both a handler and a factory',
      { ...base, processorFactory: () => ({}) },
      ['processorFactory'],
    ],
    [
      'neither handler nor factory',
      { streamName: 's', applicationName: 'my-app' },
      ['processorFactory'],
    ],
    ['maxRecords above the service limit', { ...base, maxRecords: 10_001 }, ['maxRecords']],
    [
      'an unknown error policy',
      { ...base, processorErrorPolicy: 'ignore' },
      ['processorErrorPolicy'],
    ],
    [
      'a bad child position',
      { ...base, childInitialPosition: 'EARLIEST' },
      ['childInitialPosition'],
    ],
  ])('rejects %s, naming the field', (_name, options, fields) => {
    expect(problemsOf(options)).toEqual(fields);
  });

  it('lists every invalid field in one error', () => {
    expect(problemsOf({ applicationName: '', failoverTimeMs: -1, maxRecords: 0 })).toEqual(
      expect.arrayContaining([
        'streamName',
        'applicationName',
        'failoverTimeMs',
        'maxRecords',
        'processorFactory',
      ]),
    );
  });
});
