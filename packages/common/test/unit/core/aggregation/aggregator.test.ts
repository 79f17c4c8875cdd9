import fc from 'fast-check';

import {
  ConfigurationError,
  MAX_HASH_KEY,
  RecordAggregator,
  ValidationError,
  deaggregate,
  partitionKeyHashWords,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';
import type { AggregatorRecordInput } from '@kinesis-kit/common';

import { decodeAggregatedRecord } from '../../../../src/core/aggregation/decoder.js';
import { recordArb, recordsArb } from './arbitraries';
import type { TestRecord } from './arbitraries';

// Property runs take well under a second alone, but several seconds on a loaded 2-core CI box.
jest.setTimeout(60_000);

const SEQ = '1';

/** The low word of the key's MD5, as the producer hands it to addValidated. */
function md5LowWord(key: string): number {
  const words = new Uint32Array(4);
  partitionKeyHashWords(key, words);
  return words[3]!;
}

function rec(
  partitionKey: string,
  size: number,
  explicitHashKey?: string | bigint,
): AggregatorRecordInput {
  return { partitionKey, data: Buffer.alloc(size, 7), explicitHashKey };
}

/** Decoded user records in a comparable form. */
function decode(
  data: Uint8Array,
): { partitionKey: string; explicitHashKey?: string; data: Buffer }[] {
  return deaggregate({ data, partitionKey: 'a', sequenceNumber: SEQ }).map((r) => ({
    partitionKey: r.partitionKey,
    ...(r.explicitHashKey !== undefined && { explicitHashKey: r.explicitHashKey }),
    data: Buffer.from(r.data),
  }));
}

function expected(
  records: TestRecord[],
): { partitionKey: string; explicitHashKey?: string; data: Buffer }[] {
  return records.map((r) => ({
    partitionKey: r.partitionKey,
    ...(r.explicitHashKey !== undefined && {
      explicitHashKey: BigInt(r.explicitHashKey).toString(),
    }),
    data: r.data,
  }));
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('RecordAggregator', () => {
  it('starts empty and refuses to build a record from nothing', () => {
    const agg = new RecordAggregator();
    expect(agg.count).toBe(0);
    expect(agg.sizeBytes).toBe(0);
    expect(agg.maxBytes).toBe(51200);
    expect(agg.records).toEqual([]);
    expect(() => agg.toKinesisRecord()).toThrow(ValidationError);
  });

  it('fills up to exactly maxBytes and then returns false, changing nothing', () => {
    // Prepare: two small records, then one sized to land exactly on the limit.
    const agg = new RecordAggregator({ maxBytes: 100 });
    expect(agg.add(rec('k', 10))).toBe(true);
    expect(agg.add(rec('k', 10))).toBe(true);
    const room = 100 - agg.sizeBytes; // bytes left
    // A record costs tag + len + (08 idx 1a len) + data = 6 + data for small sizes.
    const exact = rec('k', room - 6);
    expect(agg.sizeWith(exact)).toBe(100);
    expect(agg.fits(exact)).toBe(true);
    // Act
    expect(agg.add(exact)).toBe(true);
    const before = {
      count: agg.count,
      size: agg.sizeBytes,
      bytes: Buffer.from(agg.toKinesisRecord().data),
    };
    const refused = agg.add(rec('k', 0));
    // Assess
    expect(refused).toBe(false);
    expect(agg.fits(rec('k', 0))).toBe(false);
    expect(agg.sizeBytes).toBe(100);
    expect({
      count: agg.count,
      size: agg.sizeBytes,
      bytes: Buffer.from(agg.toKinesisRecord().data),
    }).toEqual(before);
    expect(agg.toKinesisRecord().data.length).toBe(100);
  });

  it('accepts one record of any size when empty (sent raw), then nothing else', () => {
    const agg = new RecordAggregator({ maxBytes: 64 });
    const big = rec('big', 5000);
    expect(agg.fits(big)).toBe(true);
    expect(agg.sizeWith(big)).toBe(5000);
    expect(agg.add(big)).toBe(true);
    expect(agg.sizeBytes).toBe(5000);
    expect(agg.add(rec('small', 0))).toBe(false);
    expect(agg.toKinesisRecord()).toEqual({
      partitionKey: 'big',
      explicitHashKey: partitionKeyToHashKey('big').toString(),
      data: big.data,
      aggregated: false,
    });
  });

  it('refuses a record that would not fit beside the others even though it fits alone', () => {
    const agg = new RecordAggregator({ maxBytes: 64 });
    expect(agg.add(rec('a', 30))).toBe(true);
    expect(agg.add(rec('b', 30))).toBe(false);
    expect(agg.count).toBe(1);
    expect(agg.sizeBytes).toBe(30);
  });

  it('honours maxCount', () => {
    const agg = new RecordAggregator({ maxCount: 2 });
    expect(agg.add(rec('a', 1))).toBe(true);
    expect(agg.add(rec('a', 1))).toBe(true);
    expect(agg.fits(rec('a', 1))).toBe(false);
    expect(agg.add(rec('a', 1))).toBe(false);
    expect(agg.count).toBe(2);
  });

  it('stores explicit hash keys in canonical decimal and dedups equal values', () => {
    // Prepare
    const agg = new RecordAggregator();
    // Act
    agg.add(rec('a', 1, '007'));
    agg.add(rec('b', 1, 7n));
    agg.add(rec('c', 1, ' 7 '));
    agg.add(rec('d', 1));
    // Assess: one EHK table entry "7"; the record without one has no field 2.
    const decoded = decode(agg.toKinesisRecord().data);
    expect(decoded.map((r) => r.explicitHashKey)).toEqual(['7', '7', '7', undefined]);
    const data = Buffer.from(agg.toKinesisRecord().data);
    expect(data.includes(Buffer.from('\x12\x017'))).toBe(true);
    expect(data.includes(Buffer.from('007'))).toBe(false);
    expect(agg.toKinesisRecord().explicitHashKey).toBe('7');
  });

  it('routes an aggregate by the first record, with outer partition key "a"', () => {
    const agg = new RecordAggregator();
    agg.add(rec('first', 1));
    agg.add(rec('second', 1, MAX_HASH_KEY));
    expect(agg.toKinesisRecord()).toMatchObject({
      partitionKey: 'a',
      explicitHashKey: partitionKeyToHashKey('first').toString(),
      aggregated: true,
    });
  });

  it('encodes string data as UTF-8', () => {
    const agg = new RecordAggregator();
    agg.add({ partitionKey: 'k', data: 'héllo' });
    agg.add({ partitionKey: 'k', data: '' });
    expect(decode(agg.toKinesisRecord().data).map((r) => r.data.toString())).toEqual(['héllo', '']);
  });

  it('lists the added records in order and leaves that list alone on reset', () => {
    // Prepare: the producer passes its own record objects and gets them back.
    const agg = new RecordAggregator<AggregatorRecordInput & { id: number }>();
    agg.add({ partitionKey: 'a', data: 'x', id: 1 });
    agg.add({ partitionKey: 'b', data: 'y', id: 2 });
    const records = agg.records;
    // Act
    agg.reset();
    agg.add({ partitionKey: 'c', data: 'z', id: 3 });
    // Assess
    expect(records.map((r) => r.id)).toEqual([1, 2]);
    expect(agg.records.map((r) => r.id)).toEqual([3]);
    expect(agg.count).toBe(1);
    expect(agg.toKinesisRecord().partitionKey).toBe('c');
  });

  it('starts fresh tables after reset', () => {
    const agg = new RecordAggregator();
    agg.add(rec('a', 1, '5'));
    agg.add(rec('b', 1));
    agg.reset();
    agg.add(rec('b', 1));
    agg.add(rec('c', 1));
    expect(
      decode(agg.toKinesisRecord().data).map((r) => [r.partitionKey, r.explicitHashKey]),
    ).toEqual([
      ['b', undefined],
      ['c', undefined],
    ]);
    expect(agg.sizeBytes).toBe(agg.toKinesisRecord().data.length);
  });

  it('writes each aggregate into the buffer `allocate` gives, byte for byte as by default', () => {
    const sizes: number[] = [];
    const given: Buffer[] = [];
    const pooled = new RecordAggregator({
      allocate: (size) => {
        sizes.push(size);
        // Stale bytes, as a reused block has: every one must be overwritten.
        const out = Buffer.alloc(size, 0xee);
        given.push(out);
        return out;
      },
    });
    const plain = new RecordAggregator();
    for (const agg of [pooled, plain]) {
      agg.add(rec('a', 3, '7'));
      agg.add(rec('b', 5));
      agg.add(rec('a', 2));
    }
    const data = pooled.toKinesisRecord().data;
    expect(data).toBe(given[0]);
    expect(sizes).toEqual([pooled.sizeBytes]);
    expect(Buffer.from(data)).toEqual(Buffer.from(plain.toKinesisRecord().data));
    // A lone record is the caller's bytes, raw: nothing to allocate.
    pooled.reset();
    pooled.add(rec('z', 4));
    pooled.toKinesisRecord();
    expect(sizes).toHaveLength(1);
  });

  it('refuses a buffer from `allocate` that is not of the size asked', () => {
    const agg = new RecordAggregator({ allocate: (size) => Buffer.alloc(size + 1) });
    agg.add(rec('a', 1));
    agg.add(rec('b', 1));
    expect(() => agg.toKinesisRecord()).toThrow(/asked for/);
  });

  describe('bad input', () => {
    it.each<[string, AggregatorRecordInput, string, RegExp]>([
      ['an empty partition key', { partitionKey: '', data: 'x' }, 'partitionKey', /1\.\.256/],
      [
        'a 257-character partition key',
        { partitionKey: 'k'.repeat(257), data: 'x' },
        'partitionKey',
        /1\.\.256/,
      ],
      ['a lone surrogate', { partitionKey: 'a\uD800', data: 'x' }, 'partitionKey', /surrogate/],
      [
        'a missing partition key',
        { data: 'x' } as unknown as AggregatorRecordInput,
        'partitionKey',
        /string/,
      ],
      [
        'a hex explicit hash key',
        { partitionKey: 'k', data: 'x', explicitHashKey: '0xff' },
        'explicitHashKey',
        /decimal/,
      ],
      [
        'a negative explicit hash key',
        { partitionKey: 'k', data: 'x', explicitHashKey: '-1' },
        'explicitHashKey',
        /2\^128-1/,
      ],
      [
        'an explicit hash key of 2^128',
        { partitionKey: 'k', data: 'x', explicitHashKey: (MAX_HASH_KEY + 1n).toString() },
        'explicitHashKey',
        /2\^128-1/,
      ],
      [
        'a bigint explicit hash key of 2^128',
        { partitionKey: 'k', data: 'x', explicitHashKey: MAX_HASH_KEY + 1n },
        'explicitHashKey',
        /2\^128-1/,
      ],
      [
        'numeric data',
        { partitionKey: 'k', data: 5 as unknown as string },
        'data',
        /Uint8Array or a string/,
      ],
      [
        'object data',
        { partitionKey: 'k', data: { a: 1 } as unknown as string },
        'data',
        /Uint8Array or a string/,
      ],
      [
        'missing data',
        { partitionKey: 'k' } as unknown as AggregatorRecordInput,
        'data',
        /undefined/,
      ],
    ])(
      'rejects %s with a ValidationError naming the field, changing nothing',
      (_, bad, field, message) => {
        // Prepare
        const agg = new RecordAggregator();
        agg.add(rec('ok', 3));
        // Act
        const err = catchError(() => agg.add(bad));
        // Assess
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).field).toBe(field);
        expect((err as ValidationError).message).toMatch(message);
        expect(agg.count).toBe(1);
        expect(agg.sizeBytes).toBe(3);
        expect(catchError(() => agg.sizeWith(bad))).toBeInstanceOf(ValidationError);
      },
    );

    it('rejects a record that is not an object', () => {
      const err = catchError(() =>
        new RecordAggregator().add(null as unknown as AggregatorRecordInput),
      );
      expect((err as ValidationError).field).toBe('record');
    });

    it.each([
      [{ maxBytes: 63 }, ['maxBytes']],
      [{ maxBytes: 10 * 1024 * 1024 + 1 }, ['maxBytes']],
      [{ maxBytes: 1000.5 }, ['maxBytes']],
      [{ maxCount: 0 }, ['maxCount']],
      [{ maxBytes: Number.NaN, maxCount: -1 }, ['maxBytes', 'maxCount']],
    ])('rejects options %p with a ConfigurationError listing %p', (options, fields) => {
      const err = catchError(() => new RecordAggregator(options));
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as ConfigurationError).problems.map((p) => p.field)).toEqual(fields);
    });
  });

  describe('properties', () => {
    it('round-trips any records through deaggregate', () => {
      fc.assert(
        fc.property(recordsArb(2, 60), (records) => {
          const agg = new RecordAggregator({ maxBytes: 10 * 1024 * 1024 });
          for (const r of records) expect(agg.add(r)).toBe(true);
          expect(decode(agg.toKinesisRecord().data)).toEqual(expected(records));
        }),
      );
    });

    it('writes the same bytes through addValidated as through add, with reused buffers', () => {
      fc.assert(
        fc.property(recordsArb(1, 60), fc.integer({ min: 64, max: 4000 }), (records, maxBytes) => {
          // Prepare: one aggregator of each kind, reused across aggregates as the producer does.
          const checked = new RecordAggregator({ maxBytes });
          const trusted = new RecordAggregator({ maxBytes });
          const emit = (agg: RecordAggregator): Buffer => {
            const out = Buffer.from(agg.toKinesisRecord().data);
            agg.reset();
            return out;
          };
          const fromAdd: Buffer[] = [];
          const fromValidated: Buffer[] = [];
          // Act: canonical explicit hash keys, as the producer's validation hands them over.
          for (const r of records) {
            const input = {
              partitionKey: r.partitionKey,
              data: r.data,
              explicitHashKey:
                r.explicitHashKey === undefined ? undefined : BigInt(r.explicitHashKey).toString(),
            };
            if (!checked.add(input)) {
              fromAdd.push(emit(checked));
              checked.add(input);
            }
            const keyBytes = Buffer.byteLength(input.partitionKey, 'utf8');
            const keyHash = md5LowWord(input.partitionKey);
            if (!trusted.addValidated(input, input.data, keyBytes, keyHash)) {
              fromValidated.push(emit(trusted));
              trusted.addValidated(input, input.data, keyBytes, keyHash);
            }
          }
          fromAdd.push(emit(checked));
          fromValidated.push(emit(trusted));
          // Assess
          // (add's output is checked against the format by the other properties and the vectors)
          expect(fromValidated).toEqual(fromAdd);
        }),
      );
    });

    it('dedups keys whatever mix of add and addValidated fills an aggregate', () => {
      fc.assert(
        fc.property(
          recordsArb(1, 60),
          fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
          (records, viaValidated) => {
            // Prepare: one aggregator reused across the runs, as the producer reuses it.
            const agg = new RecordAggregator({ maxBytes: 10 * 1024 * 1024 });
            const reference = new RecordAggregator({ maxBytes: 10 * 1024 * 1024 });
            for (let round = 0; round < 2; round++) {
              // Act: each record through either path (the table's hash must still match).
              records.forEach((r, i) => {
                const input = { partitionKey: r.partitionKey, data: r.data };
                if (viaValidated[(i + round) % 60]) {
                  const keyBytes = Buffer.byteLength(r.partitionKey, 'utf8');
                  agg.addValidated(input, r.data, keyBytes, md5LowWord(r.partitionKey));
                } else {
                  agg.add(input);
                }
                reference.add(input);
              });
              // Assess: the same bytes as add alone, and each distinct key stored once.
              const out = Buffer.from(agg.toKinesisRecord().data);
              expect(out).toEqual(Buffer.from(reference.toKinesisRecord().data));
              agg.reset();
              reference.reset();
            }
          },
        ),
      );
    });

    it('finds keys whose hashes collide, over many keys and reused tables', () => {
      // Prepare: 3000 keys, each twice, every key given the same hash (all in one probe chain
      // would be slow; 16 distinct hashes still make long chains and exercise table growth).
      const keys = Array.from({ length: 3000 }, (_, i) => `key-${i}`);
      const agg = new RecordAggregator({ maxBytes: 10 * 1024 * 1024 });
      for (let round = 0; round < 2; round++) {
        const records: TestRecord[] = [];
        // Act
        for (const [i, key] of [...keys, ...keys.slice(0, 1000)].entries()) {
          const data = Buffer.from([i & 0xff, round]);
          agg.addValidated({ partitionKey: key, data }, data, key.length, key.length & 15);
          records.push({ partitionKey: key, data });
        }
        // Assess: every record decodes with its own key, and the table holds each key once.
        const out = Buffer.from(agg.toKinesisRecord().data);
        expect(decode(out)).toEqual(expected(records));
        const parsed = decodeAggregatedRecord(out, 4, out.length - 16);
        expect(parsed?.partitionKeys).toEqual(keys);
        agg.reset();
      }
    });

    it('knows the exact encoded size after every add', () => {
      fc.assert(
        fc.property(recordsArb(1, 40), (records) => {
          const agg = new RecordAggregator({ maxBytes: 10 * 1024 * 1024 });
          for (const r of records) {
            const predicted = agg.sizeWith(r);
            agg.add(r);
            expect(agg.sizeBytes).toBe(predicted);
            expect(agg.toKinesisRecord().data.length).toBe(agg.sizeBytes);
          }
        }),
      );
    });

    it('never lets an aggregate exceed maxBytes, and refuses only records that do not fit', () => {
      fc.assert(
        fc.property(recordsArb(1, 80), fc.integer({ min: 64, max: 4000 }), (records, maxBytes) => {
          // Prepare: the producer's loop, flushing whenever add refuses.
          const agg = new RecordAggregator({ maxBytes });
          const emitted: { aggregated: boolean; data: Uint8Array }[] = [];
          const violations: string[] = [];
          const flush = (): void => {
            const out = agg.toKinesisRecord();
            if (out.aggregated && out.data.length > maxBytes) violations.push('aggregate too big');
            emitted.push(out);
            agg.reset();
          };
          // Act
          for (const r of records) {
            if (!agg.add(r)) {
              if (agg.sizeWith(r) <= maxBytes) violations.push('refused a record that fits');
              flush();
              if (!agg.add(r)) violations.push('an empty aggregator refused a record');
            }
          }
          flush();
          // Assess: no violation, and every record comes back once, in order.
          expect(violations).toEqual([]);
          const back = emitted.flatMap((out) =>
            out.aggregated ? decode(out.data).map((d) => d.data) : [Buffer.from(out.data)],
          );
          expect(back).toEqual(records.map((r) => r.data));
        }),
      );
    });

    it('sends a lone record raw with its own key and hash key', () => {
      fc.assert(
        fc.property(recordArb, (r) => {
          const agg = new RecordAggregator();
          agg.add(r);
          const out = agg.toKinesisRecord();
          expect(out.aggregated).toBe(false);
          expect(out.data).toBe(r.data);
          expect(out.partitionKey).toBe(r.partitionKey);
          expect(out.explicitHashKey).toBe(
            r.explicitHashKey !== undefined
              ? BigInt(r.explicitHashKey).toString()
              : partitionKeyToHashKey(r.partitionKey).toString(),
          );
        }),
      );
    });
  });
});
