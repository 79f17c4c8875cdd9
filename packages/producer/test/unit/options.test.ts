import { ConfigurationError } from '@kinesis-kit/common';
import { PRODUCER_DEFAULTS, resolveProducerOptions } from '../../src/options.js';
import type { KinesisProducerOptions } from '../../src/options.js';

describe('resolveProducerOptions', () => {
  it('fills every default and derives the stream label from an ARN', () => {
    const r = resolveProducerOptions({
      streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
    });
    expect(r.streamLabel).toBe('orders');
    expect(r.recordMaxBufferedTime).toBe(PRODUCER_DEFAULTS.recordMaxBufferedTime);
    expect(r.aggregationMaxSize).toBe(51_200);
    expect(r.collectionMaxCount).toBe(500);
    expect(r.rateLimit).toBe(100);
  });

  it('accepts KPL option names with their meaning', () => {
    const r = resolveProducerOptions({
      streamName: 's',
      aggregationMaxSize: 100_000,
      recordMaxBufferedTime: 250,
      recordTtl: 60_000,
      collectionMaxCount: 100,
      collectionMaxSize: 1_000_000,
      rateLimit: 80,
      failIfThrottled: true,
    });
    expect(r).toMatchObject({
      aggregationMaxSize: 100_000,
      recordMaxBufferedTime: 250,
      recordTtl: 60_000,
      collectionMaxCount: 100,
      collectionMaxSize: 1_000_000,
      rateLimit: 80,
      failIfThrottled: true,
    });
  });

  it('reports every invalid field in one ConfigurationError', () => {
    const bad = {
      collectionMaxCount: 501,
      aggregationMaxSize: 10,
      recordTtl: -1,
      onBufferFull: 'drop',
      preserveOrder: 'yes',
    } as unknown as KinesisProducerOptions;
    let error: unknown;
    try {
      resolveProducerOptions(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const fields = (error as ConfigurationError).problems.map((p) => p.field).sort();
    expect(fields).toEqual(
      [
        'aggregationMaxSize',
        'collectionMaxCount',
        'onBufferFull',
        'preserveOrder',
        'recordTtl',
        'streamName',
      ].sort(),
    );
  });

  it('rejects an aggregate limit the stream could not take', () => {
    expect(() =>
      resolveProducerOptions({
        streamName: 's',
        aggregationMaxSize: 2 * 1024 * 1024,
        maxRecordSizeBytes: 1024 * 1024,
      }),
    ).toThrow(/aggregationMaxSize/);
  });

  it('allows records up to 10 MiB when the stream is configured for it', () => {
    expect(
      resolveProducerOptions({ streamName: 's', maxRecordSizeBytes: 10 * 1024 * 1024 })
        .maxRecordSizeBytes,
    ).toBe(10 * 1024 * 1024);
    expect(() =>
      resolveProducerOptions({ streamName: 's', maxRecordSizeBytes: 10 * 1024 * 1024 + 1 }),
    ).toThrow(/maxRecordSizeBytes/);
  });

  it('refuses a client and a client config together', () => {
    const both = {
      streamName: 's',
      kinesisClient: {},
      clientConfig: {},
    } as unknown as KinesisProducerOptions;
    expect(() => resolveProducerOptions(both)).toThrow(/kinesisClient/);
  });
});
