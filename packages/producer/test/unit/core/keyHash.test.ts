import fc from 'fast-check';
import { partitionKeyToHashKey } from '@kinesis-kit/common';
import {
  claimKeyHashWords,
  hashKeyOf,
  hashKeyWords,
  keyHashWordsOf,
} from '../../../src/core/keyHash.js';

const asBigInt = (w: Uint32Array): bigint =>
  (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n) | BigInt(w[3]!);

describe('keyHash', () => {
  it('gives each record the words of its own key, whatever was hashed in between', () => {
    const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 256 });
    fc.assert(
      fc.property(
        fc.array(key, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat()),
        (keys, picks) => {
          const records = keys.map((partitionKey) => ({ partitionKey }));
          const lengths: [number, number][] = [];
          for (const p of picks) {
            const record = records[p % records.length]!;
            // Validation: hash, then claim for the record it built; another key may come between.
            if (p % 3 === 0) {
              const key = record.partitionKey;
              lengths.push([hashKeyWords(key), Buffer.byteLength(key)]);
              claimKeyHashWords(record);
            } else if (p % 3 === 1) {
              hashKeyWords(keys[(p + 1) % keys.length]!);
            }
            expect(asBigInt(keyHashWordsOf(record))).toBe(
              partitionKeyToHashKey(record.partitionKey),
            );
          }
          expect(lengths.map(([got]) => got)).toEqual(lengths.map(([, want]) => want));
        },
      ),
    );
  });

  it('computes a missing bigint hash key once and keeps an explicit one', () => {
    const record = { partitionKey: 'abcd', hashKey: undefined as bigint | undefined };
    expect(hashKeyOf(record)).toBe(0xe2fc714c4727ee9395f324cd2e7f331fn);
    expect(record.hashKey).toBe(0xe2fc714c4727ee9395f324cd2e7f331fn);
    expect(hashKeyOf({ partitionKey: 'abcd', hashKey: 7n })).toBe(7n);
  });
});
