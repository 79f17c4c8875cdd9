import { createHash } from 'node:crypto';

import fc from 'fast-check';

import {
  AGGREGATION_MAGIC,
  MAX_HASH_KEY,
  RecordAggregator,
  deaggregate,
  deaggregateAll,
  evenHashKeyRanges,
  isAggregated,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';
import type { KinesisRecordInput } from '@kinesis-kit/common';

import { recordsArb } from './arbitraries';

// Property runs take well under a second alone, but several seconds on a loaded 2-core CI box.
jest.setTimeout(60_000);

const SEQ = '49590338271490256608559692538361571095921575989136588898';
const ARRIVAL = new Date('2024-01-02T03:04:05.678Z');

/** XORs one byte in place. */
function flip(bytes: Uint8Array, index: number, mask: number): void {
  bytes[index] = bytes[index]! ^ mask;
}

/** magic + body + MD5(body), or a wrong trailer when asked. */
function envelope(body: number[] | Uint8Array, badMd5 = false): Buffer {
  const bodyBuf = Buffer.from(body);
  const digest = createHash('md5').update(bodyBuf).digest();
  if (badMd5) flip(digest, 0, 0xff);
  return Buffer.concat([AGGREGATION_MAGIC, bodyBuf, digest]);
}

/** A length-delimited protobuf field: tag, 1-byte length, payload. */
function ld(tag: number, payload: number[] | string): number[] {
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
  return [tag, bytes.length, ...bytes];
}

function kinesisRecord(
  data: Uint8Array,
  extra: Partial<KinesisRecordInput> = {},
): KinesisRecordInput {
  return { data, partitionKey: 'outer', sequenceNumber: SEQ, ...extra };
}

function aggregate(
  records: { partitionKey: string; data: string; explicitHashKey?: string }[],
): Uint8Array {
  const agg = new RecordAggregator();
  for (const r of records) agg.add(r);
  return agg.toKinesisRecord().data;
}

const TWO = aggregate([
  { partitionKey: 'p1', data: 'one' },
  { partitionKey: 'p2', data: 'two', explicitHashKey: '42' },
]);

describe('deaggregate', () => {
  it('splits an aggregate, numbering sub-records from 0 and copying the envelope fields', () => {
    const records = deaggregate(kinesisRecord(TWO, { approximateArrivalTimestamp: ARRIVAL }));
    expect(records.map((r) => ({ ...r, data: Buffer.from(r.data).toString() }))).toEqual([
      {
        data: 'one',
        partitionKey: 'p1',
        sequenceNumber: SEQ,
        subSequenceNumber: 0,
        aggregated: true,
        approximateArrivalTimestamp: ARRIVAL,
      },
      {
        data: 'two',
        partitionKey: 'p2',
        explicitHashKey: '42',
        sequenceNumber: SEQ,
        subSequenceNumber: 1,
        aggregated: true,
        approximateArrivalTimestamp: ARRIVAL,
      },
    ]);
  });

  it('passes a plain record through as one record, keeping its fields', () => {
    const data = Buffer.from('plain');
    const input = kinesisRecord(data, {
      explicitHashKey: '5',
      approximateArrivalTimestamp: ARRIVAL,
    });
    const [only, ...rest] = deaggregate(input);
    expect(rest).toEqual([]);
    expect(only).toEqual({ ...input, subSequenceNumber: 0, aggregated: false });
    expect(only!.data).toBe(data);
  });

  it('returns zero-copy views of the input, of the input type', () => {
    // Prepare: a plain Uint8Array at a non-zero offset inside a larger ArrayBuffer.
    const backing = new Uint8Array(TWO.length + 10);
    backing.set(TWO, 7);
    const view = backing.subarray(7, 7 + TWO.length);
    // Act
    const records = deaggregate(kinesisRecord(view));
    // Assess
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(Buffer.isBuffer(r.data)).toBe(false);
      expect(r.data.buffer).toBe(backing.buffer);
    }
    backing[7 + TWO.length - 16 - 1] = 0x21; // last byte of "two" lives in the caller's memory
    expect(Buffer.from(records[1]!.data).toString()).toBe('tw!');
  });

  describe('like the KCL, passes the original record through unchanged when', () => {
    const corruptBody = Buffer.from(TWO);
    flip(corruptBody, 10, 0x01);
    const corruptTrailer = Buffer.from(TWO);
    flip(corruptTrailer, corruptTrailer.length - 1, 0x01);

    it.each<[string, Uint8Array]>([
      ['it is shorter than magic + 17 bytes', envelope([]).subarray(0, 20)],
      ['it has only the magic and a digest', envelope([])],
      [
        'it lacks the magic',
        Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc3]), TWO.subarray(4)]),
      ],
      ['a body byte is corrupted (MD5 mismatch)', corruptBody],
      ['the MD5 trailer is corrupted', corruptTrailer],
      [
        'the MD5 is wrong for an otherwise valid body',
        envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x00, 0x1a, 0x00])], true),
      ],
      ['a varint is truncated', envelope([0x0a])],
      ['a length runs past the end', envelope([0x0a, 0x05, 0x61])],
      ['a varint is longer than 10 bytes', envelope([0x08, ...Array<number>(10).fill(0xff), 0x01])],
      [
        'a record lacks the required partition_key_index',
        envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x1a, 0x00])]),
      ],
      ['a record lacks the required data', envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x00])])],
      [
        'a partition key index is past the table',
        envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x01, 0x1a, 0x00])]),
      ],
      [
        'an explicit hash key index is past the table',
        envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x00, 0x10, 0x00, 0x1a, 0x00])]),
      ],
      ['a field number is 0', envelope([0x02, 0x00])],
      ['a wire type is invalid', envelope([0x0e, 0x00])],
      ['a group is not closed', envelope([0x33, 0x08, 0x01])],
      ['a group is closed by another field number', envelope([0x33, 0x3c])],
      [
        'a tag lacks its required key',
        envelope([
          ...ld(0x0a, 'k'),
          ...ld(0x1a, [0x08, 0x00, 0x1a, 0x00, ...ld(0x22, ld(0x12, 'v'))]),
        ]),
      ],
      [
        'a record is cut inside a field',
        envelope([...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x00, 0x1a, 0x05, 0x61])]),
      ],
    ])('%s', (_, data) => {
      const input = kinesisRecord(data, { approximateArrivalTimestamp: ARRIVAL });
      const records = deaggregate(input);
      expect(records).toEqual([{ ...input, subSequenceNumber: 0, aggregated: false }]);
      expect(records[0]!.data).toBe(data);
    });
  });

  describe('accepts what a proto2 parser accepts', () => {
    const record = ld(0x1a, [0x08, 0x00, ...ld(0x1a, 'd')]);
    it.each<[string, number[]]>([
      ['tables after the records', [...record, ...ld(0x0a, 'k')]],
      [
        'unknown varint, fixed32 and fixed64 fields',
        [
          0x20,
          0x96,
          0x01,
          0x2d,
          1,
          2,
          3,
          4,
          0x31,
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          8,
          ...ld(0x0a, 'k'),
          ...record,
        ],
      ],
      [
        'an unknown group with a nested group',
        [0x33, 0x08, 0x01, 0x43, 0x44, 0x34, ...ld(0x0a, 'k'), ...record],
      ],
      [
        'a known field number with another wire type (skipped as unknown)',
        [0x08, 0x01, ...ld(0x0a, 'k'), ...record],
      ],
      [
        'a tag with key and value, and an unknown field in the record',
        [
          ...ld(0x0a, 'k'),
          ...ld(0x1a, [
            0x08,
            0x00,
            0x28,
            0x01,
            ...ld(0x22, [...ld(0x0a, 'key'), ...ld(0x12, 'v')]),
            ...ld(0x1a, 'd'),
          ]),
        ],
      ],
      [
        'an index as a non-minimal 5-byte varint',
        [...ld(0x0a, 'k'), ...ld(0x1a, [0x08, 0x80, 0x80, 0x80, 0x80, 0x00, ...ld(0x1a, 'd')])],
      ],
      [
        'the data before the index, and an unknown field after the data',
        [...ld(0x0a, 'k'), ...ld(0x1a, [...ld(0x1a, 'd'), 0x08, 0x00, 0x28, 0x01])],
      ],
      [
        'a repeated scalar (the last value wins)',
        [
          ...ld(0x0a, 'x'),
          ...ld(0x0a, 'k'),
          ...ld(0x1a, [0x08, 0x00, 0x08, 0x01, ...ld(0x1a, 'd')]),
        ],
      ],
    ])('%s', (_, body) => {
      const records = deaggregate(kinesisRecord(envelope(body)));
      expect(
        records.map((r) => [r.partitionKey, Buffer.from(r.data).toString(), r.aggregated]),
      ).toEqual([['k', 'd', true]]);
    });

    it('returns no records for a valid aggregate holding none', () => {
      expect(deaggregate(kinesisRecord(envelope(ld(0x0a, 'k'))))).toEqual([]);
    });
  });

  it('round-trips an aggregate whose key indexes need two-byte varints', () => {
    // Prepare: 300 distinct partition and explicit hash keys, so indexes reach 299.
    const agg = new RecordAggregator({ maxBytes: 1 << 20 });
    const inputs = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `key-${i}`,
      data: `data-${i}`,
      explicitHashKey: String(1000 + i),
    }));
    for (const r of inputs) expect(agg.add(r)).toBe(true);
    // Act
    const records = deaggregate(kinesisRecord(agg.toKinesisRecord().data));
    // Assess
    expect(
      records.map((r) => [r.partitionKey, r.explicitHashKey, Buffer.from(r.data).toString()]),
    ).toEqual(inputs.map((r) => [r.partitionKey, r.explicitHashKey, r.data]));
  });

  describe('decodes partition key tables of every shape as UTF-8', () => {
    /** A length-delimited field with a varint length (keys may exceed 127 bytes). */
    function entry(tag: number, bytes: number[]): number[] {
      const len =
        bytes.length < 0x80 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7];
      return [tag, ...len, ...bytes];
    }
    function recordFor(index: number): number[] {
      return ld(0x1a, [0x08, index, ...ld(0x1a, 'd')]);
    }
    const utf8 = (text: string): number[] => [...Buffer.from(text, 'utf8')];
    it.each<[string, number[][], boolean]>([
      ['ASCII, back to back', [utf8('alpha'), utf8('beta'), utf8('g')], false],
      ['multi-byte UTF-8 among ASCII', [utf8('key-1'), utf8('clé-日本-🔑'), utf8('key-3')], false],
      [
        'a stray continuation byte (U+FFFD)',
        [utf8('key-1'), [0x6b, 0x80, 0x6b], utf8('key-3')],
        false,
      ],
      ['a literal U+FFFD', [utf8('key-1'), utf8('\ufffd'), utf8('key-3')], false],
      ['a 200-byte key (2-byte length)', [utf8('a'), utf8('x'.repeat(200)), utf8('b')], false],
      ['entries spread among the records', [utf8('alpha'), utf8('beta'), utf8('gamma')], true],
    ])('%s', (_, keys, interleaved) => {
      // Prepare: one record per key, pointing at it.
      const body = interleaved
        ? keys.flatMap((k, i) => [...entry(0x0a, k), ...recordFor(i)])
        : [...keys.flatMap((k) => entry(0x0a, k)), ...keys.flatMap((_k, i) => recordFor(i))];
      // Act
      const records = deaggregate(kinesisRecord(envelope(body)));
      // Assess: Node's own UTF-8 decoder of each key's bytes is the oracle.
      expect(records.map((r) => r.partitionKey)).toEqual(
        keys.map((k) => Buffer.from(k).toString('utf8')),
      );
    });
  });

  describe('with a hash range, like the KCL', () => {
    const ehkAggregate = aggregate([
      { partitionKey: 'a', data: '1', explicitHashKey: '10' },
      { partitionKey: 'b', data: '2', explicitHashKey: '20' },
      { partitionKey: 'c', data: '3', explicitHashKey: '30' },
    ]);

    it.each<[bigint, bigint, number]>([
      [10n, 30n, 3],
      [0n, MAX_HASH_KEY, 3],
      [11n, 30n, 0],
      [10n, 29n, 0],
      [15n, 25n, 0],
      [31n, 40n, 0],
    ])(
      'keeps the aggregate for range %p..%p only when every record is inside (%p records)',
      (start, end, n) => {
        expect(
          deaggregate(kinesisRecord(ehkAggregate), { hashRange: { start, end } }),
        ).toHaveLength(n);
      },
    );

    it('uses the MD5 of the partition key when a record has no explicit hash key', () => {
      // Prepare: 'abcd' is on shard 3 of 4 and 'a' on shard 0 (hash_key_vectors.json).
      const ranges = evenHashKeyRanges(4);
      const data = aggregate([
        { partitionKey: 'abcd', data: 'x' },
        { partitionKey: 'abcd', data: 'y' },
      ]);
      const mixed = aggregate([
        { partitionKey: 'abcd', data: 'x' },
        { partitionKey: 'a', data: 'y' },
      ]);
      // Act / Assess
      expect(partitionKeyToHashKey('abcd') >= ranges[3]!.start).toBe(true);
      expect(deaggregate(kinesisRecord(data), { hashRange: ranges[3]! })).toHaveLength(2);
      expect(deaggregate(kinesisRecord(data), { hashRange: ranges[0]! })).toHaveLength(0);
      expect(deaggregate(kinesisRecord(mixed), { hashRange: ranges[3]! })).toHaveLength(0);
    });

    it('treats both ends of the range as inclusive for MD5 keys, and a full range as no filter', () => {
      // Prepare: two records under keys whose MD5s bound the range exactly.
      const [low, high] = [partitionKeyToHashKey('k1'), partitionKeyToHashKey('k2')].sort((x, y) =>
        x < y ? -1 : 1,
      ) as [bigint, bigint];
      const data = aggregate([
        { partitionKey: 'k1', data: 'x' },
        { partitionKey: 'k2', data: 'y' },
      ]);
      const count = (start: bigint, end: bigint): number =>
        deaggregate(kinesisRecord(data), { hashRange: { start, end } }).length;
      // Act / Assess
      expect(count(low, high)).toBe(2);
      expect(count(low + 1n, high)).toBe(0);
      expect(count(low, high - 1n)).toBe(0);
      expect(count(-5n, MAX_HASH_KEY + 5n)).toBe(2);
      expect(count(0n, MAX_HASH_KEY - 1n)).toBe(high === MAX_HASH_KEY ? 0 : 2);
      expect(count(high, low)).toBe(0);
      expect(count(MAX_HASH_KEY + 1n, MAX_HASH_KEY + 2n)).toBe(0);
    });

    it('never filters a non-aggregated record', () => {
      const records = deaggregate(kinesisRecord(Buffer.from('raw')), {
        hashRange: { start: 0n, end: 0n },
      });
      expect(records).toHaveLength(1);
    });

    it('drops an aggregate whose explicit hash key does not parse, but delivers it without a range', () => {
      const data = envelope([
        ...ld(0x0a, 'k'),
        ...ld(0x12, 'xyz'),
        ...ld(0x1a, [0x08, 0x00, 0x10, 0x00, ...ld(0x1a, 'd')]),
      ]);
      expect(
        deaggregate(kinesisRecord(data), { hashRange: { start: 0n, end: MAX_HASH_KEY } }),
      ).toEqual([]);
      expect(deaggregate(kinesisRecord(data)).map((r) => r.explicitHashKey)).toEqual(['xyz']);
    });
  });

  it('deaggregateAll concatenates in order', () => {
    const all = deaggregateAll([
      kinesisRecord(TWO, { sequenceNumber: '1' }),
      kinesisRecord(Buffer.from('raw'), { sequenceNumber: '2' }),
    ]);
    expect(all.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated])).toEqual([
      ['1', 0, true],
      ['1', 1, true],
      ['2', 0, false],
    ]);
  });

  it('never throws on arbitrary bytes behind a valid MD5', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (body) => {
        const data = envelope(body);
        const records = deaggregate(kinesisRecord(data));
        const raw = records.length === 1 && !records[0]!.aggregated;
        expect(raw ? records[0]!.data : data).toBe(data);
        expect(records.every((r, i) => raw || (r.aggregated && r.subSequenceNumber === i))).toBe(
          true,
        );
      }),
    );
  });

  it('never throws on a corrupted real aggregate (one flipped byte, MD5 recomputed)', () => {
    fc.assert(
      fc.property(
        recordsArb(2, 10),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (records, at, mask) => {
          const agg = new RecordAggregator({ maxBytes: 1024 * 1024 });
          for (const r of records) agg.add(r);
          const body = Buffer.from(agg.toKinesisRecord().data.subarray(4, -16));
          flip(body, at % body.length, mask);
          expect(() => deaggregate(kinesisRecord(envelope(body)))).not.toThrow();
        },
      ),
    );
  });
});

describe('isAggregated', () => {
  it.each<[string, Uint8Array, boolean]>([
    ['an aggregate', TWO, true],
    ['the magic with exactly 16 bytes after it', envelope([]), false],
    ['the magic with 17 bytes after it (MD5 not checked)', envelope([0x00], true), true],
    ['plain data', Buffer.from('hello world, this is plain data'), false],
    ['empty data', new Uint8Array(0), false],
  ])('%s → %p', (_, data, expected) => {
    expect(isAggregated(data)).toBe(expected);
  });
});
