import { parsePosition } from '../../../src/core/position.js';
import { UsageError } from '../../../src/errors.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parsePosition', () => {
  it.each([
    ['LATEST', { type: 'LATEST' }],
    ['trim_horizon', { type: 'TRIM_HORIZON' }],
    [
      '49650000000000000000000000000000000000000000000000000002',
      {
        type: 'AT_SEQUENCE_NUMBER',
        sequenceNumber: '49650000000000000000000000000000000000000000000000000002',
      },
    ],
    ['2024-04-30T08:00:00Z', { type: 'AT_TIMESTAMP', timestamp: new Date('2024-04-30T08:00:00Z') }],
    ['2024-04-30', { type: 'AT_TIMESTAMP', timestamp: new Date('2024-04-30T00:00:00Z') }],
    ['-5m', { type: 'AT_TIMESTAMP', timestamp: new Date(NOW - 300_000) }],
    ['-2h', { type: 'AT_TIMESTAMP', timestamp: new Date(NOW - 7_200_000) }],
    ['-1d', { type: 'AT_TIMESTAMP', timestamp: new Date(NOW - 86_400_000) }],
  ])('reads %s', (input, expected) => {
    expect(parsePosition(input, '--from', NOW)).toEqual(expected);
  });

  it.each(['yesterday', '1', '12345', '-5y', '2024-13-45T00:00:00Z', ''])(
    'rejects %p with a usage error naming the flag',
    (input) => {
      expect(() => parsePosition(input, '--to', NOW)).toThrow(UsageError);
      expect(() => parsePosition(input, '--to', NOW)).toThrow(/^--to: expected LATEST/);
    },
  );
});
