import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { hashWordsToBigInt, partitionKeyHashWords } from '@kinesis-kit/common';

/** The reference: node:crypto's MD5 of Buffer.from(key) (what the service and the KPL hash). */
function referenceHex(key: string): string {
  return createHash('md5').update(Buffer.from(key, 'utf8')).digest('hex');
}

function wordsHex(key: string): string {
  const words = new Uint32Array(4);
  const utf8Bytes = partitionKeyHashWords(key, words);
  // Every comparison with the reference also checks the byte count it returns.
  expect(utf8Bytes).toBe(Buffer.byteLength(key, 'utf8'));
  return [...words].map((w) => w.toString(16).padStart(8, '0')).join('');
}

/** Strings of UTF-16 code units that may include lone surrogates. */
const anyCodeUnits = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength })
    .map((units) => String.fromCharCode(...units));

describe('partitionKeyHashWords', () => {
  it('matches the KPL vector for "abcd"', () => {
    const words = new Uint32Array(4);
    partitionKeyHashWords('abcd', words);
    expect([...words]).toEqual([0xe2fc714c, 0x4727ee93, 0x95f324cd, 0x2e7f331f]);
  });

  // Every length around the block boundaries: one block holds at most 55 message bytes.
  it.each([0, 1, 3, 4, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 255, 256])(
    'matches node:crypto for ASCII and multibyte keys of %i characters',
    (length) => {
      for (const unit of ['k', 'é', '€', '😀']) {
        const key = unit.repeat(length);
        expect(wordsHex(key)).toBe(referenceHex(key));
      }
    },
  );

  // The one-block path pads in place by words: a multibyte char or a lone surrogate (3 bytes of
  // U+FFFD) ending exactly at, or straddling, a word or block boundary in UTF-8 bytes.
  it.each([53, 54, 55, 56, 57, 58, 63, 64, 65, 119, 120, 121])(
    'matches node:crypto for keys of %i UTF-8 bytes ending in a multibyte char',
    (bytes) => {
      for (const tail of ['é', '€', '😀', '\ud800', '\udfff']) {
        const key = 'a'.repeat(bytes - Buffer.byteLength(tail, 'utf8')) + tail;
        expect(Buffer.byteLength(key, 'utf8')).toBe(bytes);
        expect(wordsHex(key)).toBe(referenceHex(key));
        expect(wordsHex(tail + key.slice(tail.length))).toBe(
          referenceHex(tail + key.slice(tail.length)),
        );
      }
    },
  );

  it('matches node:crypto for random ASCII keys', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (key) => {
        expect(wordsHex(key)).toBe(referenceHex(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches node:crypto for random Unicode keys (1-4 byte UTF-8 sequences)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 260 }), (key) => {
        expect(wordsHex(key)).toBe(referenceHex(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes lone surrogates as U+FFFD, like Buffer.from', () => {
    expect(wordsHex('a\ud800')).toBe(referenceHex('a\ufffd'));
    expect(wordsHex('\udc00b')).toBe(referenceHex('\ufffdb'));
    fc.assert(
      fc.property(anyCodeUnits(300), (key) => {
        expect(wordsHex(key)).toBe(referenceHex(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves no state behind between keys of different lengths', () => {
    const long = 'x'.repeat(200);
    const short = 'ab';
    const expected = referenceHex(short);
    wordsHex(long);
    expect(wordsHex(short)).toBe(expected);
    wordsHex('é'.repeat(250));
    expect(wordsHex(short)).toBe(expected);
  });
});

describe('hashWordsToBigInt', () => {
  it('reads the words most significant first', () => {
    expect(hashWordsToBigInt(Uint32Array.of(0, 0, 1, 2))).toBe(4294967298n);
    expect(hashWordsToBigInt(Uint32Array.of(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff))).toBe(
      (1n << 128n) - 1n,
    );
  });

  it('equals the MD5 read as a big-endian integer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (key) => {
        const words = new Uint32Array(4);
        partitionKeyHashWords(key, words);
        expect(hashWordsToBigInt(words)).toBe(BigInt(`0x${referenceHex(key)}`));
      }),
      { numRuns: 500 },
    );
  });
});
