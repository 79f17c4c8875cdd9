import { ConfigurationError } from '@kinesis-kit/common';
import { resolveConsumerOptions } from '../../../src/options.js';
import type { KinesisConsumerOptions } from '../../../src/options.js';

const base = { applicationName: 'app', handler: (): void => undefined };

function problemsOf(options: unknown): string[] {
  try {
    resolveConsumerOptions(options as KinesisConsumerOptions);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    return e.problems.map((p) => p.field);
  }
}

describe('multi-stream options', () => {
  it('resolves a static list of names, ARNs and identifiers with the KCL defaults', async () => {
    const o = resolveConsumerOptions({
      ...base,
      streams: [
        'orders',
        'arn:aws:kinesis:us-east-1:123456789012:stream/payments',
        '123456789012:refunds:1600000000',
        { streamName: 'audit', initialPosition: 'TRIM_HORIZON' },
      ],
    });

    expect(o.multiStream).toMatchObject({
      streamSyncIntervalMs: 60_000,
      deletion: 'no-deletion',
      orphanedStreamInitialPosition: 'LATEST',
    });
    expect(await o.multiStream!.listStreams(new AbortController().signal)).toEqual([
      { streamName: 'orders' },
      { streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/payments' },
      { streamIdentifier: '123456789012:refunds:1600000000' },
      { streamName: 'audit', initialPosition: 'TRIM_HORIZON' },
    ]);
  });

  it('leaves single-stream applications unchanged', () => {
    expect(resolveConsumerOptions({ ...base, streamName: 'orders' }).multiStream).toBeUndefined();
  });

  it.each([
    [{ streams: ['orders'], streamName: 'orders' }, ['streams']],
    [{ streams: ['bad name!'] }, ['streams[0]']],
    [{ streams: ['arn:aws:sqs:us-east-1:123456789012:q'] }, ['streams[0]']],
    [{ streams: ['123456789012:orders:0'] }, ['streams[0]']],
    [{ streams: [{}] }, ['streams[0]']],
    [
      { streams: [{ streamName: 'a', initialPosition: 'EARLIEST' }] },
      ['streams[0].initialPosition'],
    ],
    [{ streams: 'orders' }, ['streams']],
    [{ streams: [], streamSyncIntervalMs: 5 }, ['streamSyncIntervalMs']],
    [
      {
        streams: [],
        formerStreamsLeasesDeletionStrategy: { kind: 'auto-detect', waitPeriodMs: -1 },
      },
      ['formerStreamsLeasesDeletionStrategy'],
    ],
    [
      { streams: [], formerStreamsLeasesDeletionStrategy: { kind: 'provided', waitPeriodMs: 0 } },
      ['formerStreamsLeasesDeletionStrategy'],
    ],
    [{ streams: [], orphanedStreamInitialPosition: 'NOW' }, ['orphanedStreamInitialPosition']],
  ])('rejects %o', (extra, fields) => {
    expect(problemsOf({ ...base, ...extra })).toEqual(fields);
  });

  it('checks what a tracker function returns each time, and rejects bad entries', async () => {
    let answer: unknown[] = ['orders'];
    const o = resolveConsumerOptions({ ...base, streams: () => answer as string[] });
    const signal = new AbortController().signal;

    const first = await o.multiStream!.listStreams(signal);
    answer = ['orders', 'no:such'];

    expect(first).toEqual([{ streamName: 'orders' }]);
    await expect(o.multiStream!.listStreams(signal)).rejects.toThrow(/stream identifier/);
  });
});
