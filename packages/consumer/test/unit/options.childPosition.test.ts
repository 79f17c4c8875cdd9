/**
 * `childInitialPosition: 'AT_TIMESTAMP'` reads children from a timestamp the lease table does not
 * store: without one configured, every child lease would fail to start, so the options say so.
 */
import { ConfigurationError } from '@kinesis-kit/common';
import { KinesisConsumer } from '@kinesis-kit/consumer';
import type { KinesisConsumerOptions } from '@kinesis-kit/consumer';

const handler = (): void => undefined;
const timestamp = new Date('2026-11-01T00:00:00Z');
const single = { streamName: 's', applicationName: 'my-app', handler } as const;
const multi = { applicationName: 'my-app', handler } as const;

function problemsOf(options: unknown): { field: string; message: string }[] {
  try {
    new KinesisConsumer(options as KinesisConsumerOptions);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("childInitialPosition: 'AT_TIMESTAMP'", () => {
  it('is refused without a timestamp, naming both fields', () => {
    const problems = problemsOf({ ...single, childInitialPosition: 'AT_TIMESTAMP' });
    expect(problems.map((p) => p.field)).toEqual(['childInitialPosition']);
    expect(problems[0]?.message).toContain('initialPosition: { timestamp }');
  });

  it.each([
    ['initialPosition { timestamp }', { ...single, initialPosition: { timestamp } }],
    [
      'initialPositionTimestamp with initialPosition LATEST',
      { ...single, initialPosition: 'LATEST', initialPositionTimestamp: timestamp },
    ],
    [
      'a multi-stream consumer-wide timestamp',
      { ...multi, streams: ['a', 'b'], initialPosition: { timestamp } },
    ],
    [
      'a timestamp on every listed stream and on orphaned streams',
      {
        ...multi,
        streams: [
          { streamName: 'a', initialPosition: { timestamp } },
          { streamName: 'b', initialPosition: { timestamp } },
        ],
        orphanedStreamInitialPosition: { timestamp },
      },
    ],
  ])('is accepted with %s', (_name, options) => {
    expect(problemsOf({ ...options, childInitialPosition: 'AT_TIMESTAMP' })).toEqual([]);
  });

  it.each([
    [
      'one listed stream without a timestamp',
      {
        streams: [{ streamName: 'a', initialPosition: { timestamp } }, 'b'],
        orphanedStreamInitialPosition: { timestamp },
      },
    ],
    [
      'orphaned streams without a timestamp',
      { streams: [{ streamName: 'a', initialPosition: { timestamp } }] },
    ],
    [
      'a streams function (its answers cannot be checked ahead)',
      {
        streams: () => [{ streamName: 'a', initialPosition: { timestamp } }],
        orphanedStreamInitialPosition: { timestamp },
      },
    ],
  ])('is refused in a multi-stream application with %s', (_name, options) => {
    const problems = problemsOf({ ...multi, ...options, childInitialPosition: 'AT_TIMESTAMP' });
    expect(problems.map((p) => p.field)).toEqual(['childInitialPosition']);
    expect(problems[0]?.message).toContain('orphanedStreamInitialPosition');
  });

  it.each(['TRIM_HORIZON', 'LATEST'])('%s children need no timestamp', (position) => {
    expect(problemsOf({ ...single, childInitialPosition: position })).toEqual([]);
  });
});
