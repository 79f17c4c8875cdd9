/**
 * Malformed events: each gives a ValidationError naming the field and the record index, and
 * fails the whole invocation before the user's function runs (even for the valid records before
 * the bad one), since a record without a usable sequence number cannot be reported as a batch item.
 */
import fc from 'fast-check';
import type { KinesisStreamRecord } from 'aws-lambda';
import {
  kinesisBatchHandler,
  kinesisHandler,
  parseKinesisStreamEvent,
} from '@kinesis-kit/consumer/lambda';
import { ValidationError, isKinesisKitError } from '@kinesis-kit/common';

import { fakeContext, sequenceNumber, shardName, toEventRecord } from './lambdaEvents';

const good = (n: number): KinesisStreamRecord =>
  toEventRecord({
    shardId: shardName(0),
    sequenceNumber: sequenceNumber(0, n),
    partitionKey: `pk-${n}`,
    data: Buffer.from(`record ${n}`),
  });

type Mutation = (r: Record<string, unknown> & { kinesis: Record<string, unknown> }) => unknown;

/** An event whose second record (index 1) is `good(2)` changed by `mutate`. */
function eventWithBadSecond(mutate: Mutation): unknown {
  const bad = structuredClone(good(2)) as unknown as Parameters<Mutation>[0];
  const changed = mutate(bad);
  return { Records: [good(1), changed === undefined ? bad : changed, good(3)] };
}

const drop =
  (key: string): Mutation =>
  (r) => {
    Reflect.deleteProperty(r.kinesis, key);
  };
const set =
  (key: string, value: unknown): Mutation =>
  (r) => {
    r.kinesis[key] = value;
  };

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('malformed events', () => {
  it.each<[string, string, RegExp, Mutation]>([
    ['record is null', 'Records[1]', /not an object/, () => null],
    [
      'no kinesis payload',
      'Records[1].kinesis',
      /missing/,
      (r) => {
        Reflect.deleteProperty(r, 'kinesis');
      },
    ],
    ['no data', 'Records[1].kinesis.data', /missing/, drop('data')],
    ['data not a string', 'Records[1].kinesis.data', /got number/, set('data', 42)],
    ['data with a bad character', 'Records[1].kinesis.data', /base64/, set('data', 'ab$d')],
    ['data with a bad length', 'Records[1].kinesis.data', /base64/, set('data', 'abcde')],
    ['data padded in the middle', 'Records[1].kinesis.data', /base64/, set('data', 'ab==abcd')],
    ['data with a space', 'Records[1].kinesis.data', /base64/, set('data', 'ab c')],
    ['data of padding only', 'Records[1].kinesis.data', /base64/, set('data', '====')],
    ['data with too much padding', 'Records[1].kinesis.data', /base64/, set('data', 'A===')],
    ['no sequence number', 'Records[1].kinesis.sequenceNumber', /missing/, drop('sequenceNumber')],
    [
      'sequence number not decimal',
      'Records[1].kinesis.sequenceNumber',
      /decimal/,
      set('sequenceNumber', '12a'),
    ],
    ['no partition key', 'Records[1].kinesis.partitionKey', /missing/, drop('partitionKey')],
    [
      'empty partition key',
      'Records[1].kinesis.partitionKey',
      /non-empty/,
      set('partitionKey', ''),
    ],
    [
      'no arrival time',
      'Records[1].kinesis.approximateArrivalTimestamp',
      /missing/,
      drop('approximateArrivalTimestamp'),
    ],
    [
      'arrival time NaN',
      'Records[1].kinesis.approximateArrivalTimestamp',
      /epoch seconds/,
      set('approximateArrivalTimestamp', NaN),
    ],
    [
      'no eventSourceARN',
      'Records[1].eventSourceARN',
      /missing/,
      (r) => {
        delete r.eventSourceARN;
      },
    ],
    [
      'no eventID',
      'Records[1].eventID',
      /missing/,
      (r) => {
        delete r.eventID;
      },
    ],
    [
      'eventID without a sequence number',
      'Records[1].eventID',
      /shardId/,
      (r) => {
        r.eventID = 'shardId-000000000000';
      },
    ],
    [
      'eventID without a shard',
      'Records[1].eventID',
      /shardId/,
      (r) => {
        r.eventID = ':123';
      },
    ],
  ])('%s → ValidationError on %s', async (_, field, message, mutate) => {
    // Prepare
    const fn = jest.fn();
    const batchFn = jest.fn();
    const event = eventWithBadSecond(mutate);
    // Act
    const perRecord = kinesisHandler(fn)(event as never, fakeContext());
    const batch = kinesisBatchHandler(batchFn)(event as never, fakeContext());
    // Assess
    for (const outcome of [perRecord, batch]) {
      await expect(outcome).rejects.toThrow(ValidationError);
      await expect(outcome).rejects.toMatchObject({
        code: 'KT_VALIDATION',
        field,
        context: expect.objectContaining({ recordIndex: 1 }) as unknown,
      });
      await expect(outcome).rejects.toThrow(message);
    }
    expect(fn).not.toHaveBeenCalled();
    expect(batchFn).not.toHaveBeenCalled();
  });

  it.each<[string, string, unknown]>([
    ['undefined', 'event', undefined],
    ['a string', 'event', 'hello'],
    ['without Records (not a Kinesis event)', 'Records', { detail: {} }],
    ['Records not an array', 'Records', { Records: {} }],
  ])('an event that is %s → ValidationError on %s', (_, field, event) => {
    // Act
    const error = thrownBy(() => parseKinesisStreamEvent(event));
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(isKinesisKitError(error)).toBe(true);
    expect(error).toMatchObject({ field });
  });

  it('names the eventID of the bad record when there is one', () => {
    // Act
    const error = thrownBy(() => parseKinesisStreamEvent(eventWithBadSecond(set('data', '@@@@'))));
    // Assess
    expect(error).toMatchObject({
      message: 'Records[1].kinesis.data: is not valid base64',
      context: {
        recordIndex: 1,
        eventID: `${shardName(0)}:${sequenceNumber(0, 2)}`,
        field: 'Records[1].kinesis.data',
      },
    });
  });

  it('rejects base64 with any one character replaced by one outside the alphabet', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.constantFrom(' ', '\n', '$', '.', '*', '!', 'é', '\u0000'),
        (bytes, at, bad) => {
          // Prepare
          const text = Buffer.from(bytes).toString('base64');
          const i = at % text.length;
          const record = good(1);
          record.kinesis.data = text.slice(0, i) + bad + text.slice(i + 1);
          // Act
          const error = thrownBy(() => parseKinesisStreamEvent({ Records: [record] }));
          // Assess
          expect(error).toMatchObject({ field: 'Records[0].kinesis.data' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes standard base64 exactly, and the URL-safe alphabet to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        // Prepare
        const standard = good(1);
        standard.kinesis.data = Buffer.from(bytes).toString('base64');
        const urlSafe = good(1);
        urlSafe.kinesis.data = standard.kinesis.data.replaceAll('+', '-').replaceAll('/', '_');
        // Act
        const [a] = parseKinesisStreamEvent({ Records: [standard] });
        const [b] = parseKinesisStreamEvent({ Records: [urlSafe] });
        // Assess
        expect(a!.data).toEqual(Buffer.from(bytes));
        expect(b!.data).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('decodes a valid record: data, shard and fractional arrival seconds', () => {
    // Prepare
    const record = good(5);
    record.kinesis.approximateArrivalTimestamp = 1_428_537_600.789;
    // Act
    const [parsed] = parseKinesisStreamEvent({ Records: [record] });
    // Assess
    expect(parsed).toEqual({
      index: 0,
      eventID: record.eventID,
      eventSourceARN: record.eventSourceARN,
      shardId: shardName(0),
      sequenceNumber: sequenceNumber(0, 5),
      partitionKey: 'pk-5',
      data: Buffer.from('record 5'),
      approximateArrivalTimestamp: new Date(1_428_537_600_789),
    });
  });
});
