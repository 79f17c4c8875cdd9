/**
 * Cross-check against aws-kinesis-agg, in both directions, with random records (multibyte UTF-8
 * keys, empty data, with and without explicit hash keys). Its known differences (kpl.md §7): the
 * outer partition key is the first record's (ours and the KPL's is "a"), the outer EHK is
 * records[0]'s (absent when the first record has none), a lone record is still aggregated, and
 * size accounting undercounts non-ASCII keys. The aggregate *bytes* must agree, since both follow
 * the KPL's rules; the user records must agree after decoding.
 *
 * Two more aws-kinesis-agg bugs found here, each pinned by a test below and kept out of the
 * random comparisons:
 * - it builds its key tables with Object.keys(), which lists integer-like keys ("7", "12345")
 *   first in numeric order, so the tables are reordered while the indexes are not: records get
 *   another record's partition key or explicit hash key;
 * - its key tables are plain objects, so a key named like an Object.prototype member
 *   ("__proto__", "constructor", "toString") is looked up on the prototype and mis-encoded;
 * - its decoder reports explicit_hash_key_index 0 (protobufjs' default) for records without
 *   one, so in a mixed aggregate they come back with the first table entry as their EHK.
 */
import fc from 'fast-check';

import { RecordAggregator, deaggregate, partitionKeyToHashKey } from '@kinesis-kit/common';

import { recordsArb } from './arbitraries';
import type { TestRecord } from './arbitraries';
import { aggDecode, aggEncode } from './awsKinesisAgg';

// Property runs take well under a second alone, but several seconds on a loaded 2-core CI box.
jest.setTimeout(60_000);

/** A canonical array index (0..2^32-2): what Object.keys() lists first, in numeric order. */
function isArrayIndexLike(key: string | undefined): boolean {
  return key !== undefined && /^(0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 4294967295;
}

/** Keys a plain-object table resolves through Object.prototype. */
function isPrototypeName(key: string | undefined): boolean {
  return key !== undefined && (key === '__proto__' || key in Object.prototype);
}

/** Random records without the keys aws-kinesis-agg mis-encodes (integer-like, prototype names). */
const safeRecordsArb = (min: number, max: number): fc.Arbitrary<TestRecord[]> =>
  recordsArb(min, max).map((records) =>
    records.map((r) => ({
      partitionKey:
        isArrayIndexLike(r.partitionKey) || isPrototypeName(r.partitionKey)
          ? `${r.partitionKey}x`
          : r.partitionKey,
      data: r.data,
      ...(r.explicitHashKey !== undefined &&
        !isArrayIndexLike(r.explicitHashKey) && { explicitHashKey: r.explicitHashKey }),
    })),
  );

describe('cross-check with aws-kinesis-agg', () => {
  it('encodes the same aggregate bytes', () => {
    fc.assert(
      fc.property(safeRecordsArb(2, 60), (records) => {
        // Prepare
        const ours = new RecordAggregator({ maxBytes: 1024 * 1024 });
        for (const r of records) ours.add(r);
        // Act
        const theirs = aggEncode(records);
        const mine = ours.toKinesisRecord();
        // Assess
        expect(Buffer.from(mine.data).equals(theirs.data)).toBe(true);
        expect(mine.partitionKey).toBe('a');
        expect(theirs.partitionKey).toBe(records[0]!.partitionKey);
        expect(mine.explicitHashKey).toBe(
          records[0]!.explicitHashKey ?? partitionKeyToHashKey(records[0]!.partitionKey).toString(),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('decodes what aws-kinesis-agg encodes', () => {
    fc.assert(
      fc.property(safeRecordsArb(1, 60), (records) => {
        const { data } = aggEncode(records);
        const decoded = deaggregate({ data, partitionKey: 'a', sequenceNumber: '7' });
        expect(
          decoded.map((r) => ({
            partitionKey: r.partitionKey,
            explicitHashKey: r.explicitHashKey,
            data: Buffer.from(r.data),
            subSequenceNumber: r.subSequenceNumber,
            aggregated: r.aggregated,
          })),
        ).toEqual(
          records.map((r, i) => ({
            partitionKey: r.partitionKey,
            explicitHashKey: r.explicitHashKey,
            data: r.data,
            subSequenceNumber: i,
            aggregated: true,
          })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('is decoded by aws-kinesis-agg with checksums verified', () => {
    fc.assert(
      fc.property(safeRecordsArb(2, 60), (records) => {
        const ours = new RecordAggregator({ maxBytes: 1024 * 1024 });
        for (const r of records) ours.add(r);
        const decoded = aggDecode(Buffer.from(ours.toKinesisRecord().data), '7');
        // Its decoder gives records without an EHK the first table entry (see above).
        const firstEhk = records.find((r) => r.explicitHashKey !== undefined)?.explicitHashKey;
        expect(decoded).toEqual(
          records.map((r, i) => ({
            partitionKey: r.partitionKey,
            explicitPartitionKey: r.explicitHashKey ?? firstEhk,
            sequenceNumber: '7',
            subSequenceNumber: i,
            data: r.data.toString('base64'),
          })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips keys named like Object.prototype members, which aws-kinesis-agg mis-encodes', () => {
    const records = [
      { partitionKey: '__proto__', data: Buffer.from('A') },
      { partitionKey: 'constructor', data: Buffer.from('B') },
      { partitionKey: '__proto__', data: Buffer.from('C') },
    ];
    const ours = new RecordAggregator();
    for (const r of records) ours.add(r);
    const decoded = deaggregate({
      data: ours.toKinesisRecord().data,
      partitionKey: 'a',
      sequenceNumber: '1',
    });
    expect(decoded.map((r) => [r.partitionKey, Buffer.from(r.data).toString()])).toEqual([
      ['__proto__', 'A'],
      ['constructor', 'B'],
      ['__proto__', 'C'],
    ]);
  });

  it('keeps first-appearance table order where aws-kinesis-agg swaps integer-like keys', () => {
    // Prepare
    const records = [
      { partitionKey: 'user-1', data: Buffer.from('A') },
      { partitionKey: '7', data: Buffer.from('B'), explicitHashKey: '99' },
      { partitionKey: 'user-1', data: Buffer.from('C'), explicitHashKey: '5' },
    ];
    const ours = new RecordAggregator();
    for (const r of records) ours.add(r);
    const decodeKeys = (data: Uint8Array): (string | undefined)[][] =>
      deaggregate({ data, partitionKey: 'a', sequenceNumber: '1' }).map((r) => [
        r.partitionKey,
        r.explicitHashKey,
      ]);
    // Act / Assess
    expect(decodeKeys(ours.toKinesisRecord().data)).toEqual([
      ['user-1', undefined],
      ['7', '99'],
      ['user-1', '5'],
    ]);
    expect(decodeKeys(aggEncode(records).data)).toEqual([
      ['7', undefined],
      ['user-1', '5'],
      ['7', '99'],
    ]);
  });

  it('counts non-ASCII key bytes exactly where aws-kinesis-agg undercounts them', () => {
    // Prepare: 100 × "é" is 100 UTF-16 units but 200 UTF-8 bytes (kpl.md §7, bug 1).
    const records = [
      { partitionKey: 'é'.repeat(100), data: Buffer.from('x') },
      { partitionKey: 'ü'.repeat(100), data: Buffer.from('y') },
    ];
    const ours = new RecordAggregator({ maxBytes: 1024 * 1024 });
    // Act
    for (const r of records) ours.add(r);
    // Assess
    expect(ours.sizeBytes).toBe(aggEncode(records).data.length);
    expect(ours.sizeBytes).toBeGreaterThan(400);
  });
});
