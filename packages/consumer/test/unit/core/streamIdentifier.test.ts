import fc from 'fast-check';
import { isStreamIdentifier, leaseKeyFor, parseLeaseKey } from '../../../src/core/leaseKeys.js';
import {
  creationEpochSecondsOf,
  formatStreamArn,
  formatStreamIdentifier,
  parseStreamArn,
  parseStreamIdentifier,
  streamIdentifierFromArn,
} from '../../../src/core/streamIdentifier.js';

describe('stream identifiers (Java StreamIdentifier.serialize)', () => {
  it('formats account:stream:epoch and parses it back', () => {
    const id = formatStreamIdentifier({
      accountId: '123456789012',
      streamName: 'orders',
      creationEpochSeconds: 1_600_000_000,
    });

    expect(id).toBe('123456789012:orders:1600000000');
    expect(parseStreamIdentifier(id)).toEqual({
      accountId: '123456789012',
      streamName: 'orders',
      creationEpochSeconds: 1_600_000_000,
    });
  });

  it.each([
    ['123456789012:orders', 'two parts'],
    ['123456789012:orders:0', 'epoch 0 (Java requires > 0)'],
    ['12345678901a:orders:1600000000', 'non-digit account'],
    ['123456789012:orders:16000x', 'non-digit epoch'],
    ['123456789012::1600000000', 'empty stream name'],
    ['123456789012:a:b:1600000000', 'a colon in the name'],
    ['shardId-000000000001', 'a bare shard id'],
  ])('rejects %s (%s)', (value) => {
    expect(parseStreamIdentifier(value)).toBeUndefined();
    expect(isStreamIdentifier(value)).toBe(false);
  });

  it.each([
    [{ accountId: 'abc', streamName: 's', creationEpochSeconds: 1 }],
    [{ accountId: '1', streamName: 'a:b', creationEpochSeconds: 1 }],
    [{ accountId: '1', streamName: 's', creationEpochSeconds: 0 }],
    [{ accountId: '1', streamName: 's', creationEpochSeconds: 1.5 }],
  ])('refuses to format %o', (parts) => {
    expect(() => formatStreamIdentifier(parts)).toThrow(RangeError);
  });

  it('round-trips every valid identifier through a lease key (split on ":" with limit 4)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{12}$/),
        fc.stringMatching(/^[a-zA-Z0-9_.-]{1,128}$/),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        (accountId, streamName, creationEpochSeconds, n) => {
          const stream = formatStreamIdentifier({ accountId, streamName, creationEpochSeconds });
          const shardId = `shardId-${String(n).padStart(12, '0')}`;
          const key = leaseKeyFor(shardId, stream);

          expect(key).toBe(`${accountId}:${streamName}:${creationEpochSeconds}:${shardId}`);
          expect(parseLeaseKey(key)).toEqual({ streamIdentifier: stream, shardId });
        },
      ),
    );
  });

  it('keeps single-stream lease keys the bare shard id', () => {
    expect(leaseKeyFor('shardId-000000000007')).toBe('shardId-000000000007');
    expect(parseLeaseKey('shardId-000000000007')).toEqual({ shardId: 'shardId-000000000007' });
  });
});

describe('stream ARNs', () => {
  it.each([
    [
      'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
      { partition: 'aws', region: 'us-east-1', accountId: '123456789012', streamName: 'orders' },
    ],
    [
      'arn:aws-cn:kinesis:cn-north-1:000000000000:stream/a.b_c-d',
      {
        partition: 'aws-cn',
        region: 'cn-north-1',
        accountId: '000000000000',
        streamName: 'a.b_c-d',
      },
    ],
    [
      'arn:aws-us-gov:kinesis:us-gov-west-1:111122223333:stream/x',
      {
        partition: 'aws-us-gov',
        region: 'us-gov-west-1',
        accountId: '111122223333',
        streamName: 'x',
      },
    ],
  ])('parses %s and formats it back', (arn, parts) => {
    expect(parseStreamArn(arn)).toEqual(parts);
    expect(formatStreamArn(parts)).toBe(arn);
  });

  it.each([
    'arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1600000000',
    'arn:aws:sqs:us-east-1:123456789012:orders',
    'arn:aws:kinesis:us-east-1:acct:stream/orders',
    'orders',
  ])('rejects %s', (arn) => {
    expect(parseStreamArn(arn)).toBeUndefined();
  });

  it('derives the identifier from an ARN and a creation time (whole seconds)', () => {
    const created = new Date('2020-09-13T12:26:40.999Z');

    const id = streamIdentifierFromArn(
      'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
      creationEpochSecondsOf(created),
    );

    expect(id).toBe('123456789012:orders:1600000000');
    expect(() => streamIdentifierFromArn('orders', 1)).toThrow(RangeError);
  });
});
