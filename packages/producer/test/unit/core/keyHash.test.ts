import fc from 'fast-check';
import { partitionKeyToHashKey } from '@kinesis-kit/common';
import { hashKeyOf, keyHashWords, keyUtf8Bytes } from '../../../src/core/keyHash.js';

const asBigInt = (w: Uint32Array): bigint =>
  (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n) | BigInt(w[3]!);

describe('keyHash', () => {
  it('gives the words and UTF-8 length of each key, in any order of calls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 256 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (keys, picks) => {
          if (keys.length === 0) return;
          for (const p of picks) {
            const key = keys[p % keys.length]!;
            expect(keyUtf8Bytes(key)).toBe(Buffer.byteLength(key, 'utf8'));
            expect(asBigInt(keyHashWords(key))).toBe(partitionKeyToHashKey(key));
          }
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
