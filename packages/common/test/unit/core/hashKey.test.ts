import { createHash } from 'node:crypto';

import fc from 'fast-check';

import {
  MAX_HASH_KEY,
  ShardMap,
  ValidationError,
  evenHashKeyRanges,
  hashKeyToDecimal,
  parseExplicitHashKey,
  partitionKeyToHashKey,
  toDataBytes,
  validatePartitionKey,
} from '@kinesis-kit/common';

import { readVectorJson } from './vectors';

interface HashKeyVectors {
  upstream: {
    partition_key?: string;
    explicit_hash_key?: string;
    md5_hex_upper?: string;
    hash_key_decimal?: string;
  }[];
  derived: {
    partition_key: string;
    md5_hex: string;
    hash_key_decimal: string;
    shard_index_in_even_4_shard_stream: number;
  }[];
  even_4_shard_ranges: [string, string][];
}

const vectors = readVectorJson<HashKeyVectors>('hash_key_vectors.json');

function expectValidationError(fn: () => unknown, field: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const err = caught as ValidationError;
  expect(err.field).toBe(field);
  expect(err.code).toBe('KT_VALIDATION');
  if (pattern) expect(err.message).toMatch(pattern);
}

describe('partitionKeyToHashKey', () => {
  const upstreamMd5 = vectors.upstream.filter((v) => v.md5_hex_upper !== undefined);
  const upstreamDecimal = vectors.upstream.filter(
    (v) => v.partition_key !== undefined && v.hash_key_decimal !== undefined,
  );

  it('has upstream vectors to check', () => {
    expect(upstreamMd5.length + upstreamDecimal.length).toBeGreaterThanOrEqual(2);
  });

  it.each(upstreamMd5)('matches the upstream MD5 for $partition_key', (v) => {
    const key = partitionKeyToHashKey(v.partition_key!);
    expect(key.toString(16).toUpperCase().padStart(32, '0')).toBe(v.md5_hex_upper);
  });

  it.each(upstreamDecimal)('matches the upstream decimal for $partition_key', (v) => {
    expect(partitionKeyToHashKey(v.partition_key!).toString()).toBe(v.hash_key_decimal);
  });

  it.each(vectors.upstream.filter((v) => v.explicit_hash_key !== undefined))(
    'uses the explicit hash key $explicit_hash_key as is',
    (v) => {
      expect(hashKeyToDecimal(parseExplicitHashKey(v.explicit_hash_key!))).toBe(v.hash_key_decimal);
    },
  );

  it.each(vectors.derived)('matches the derived vector for $partition_key', (v) => {
    const key = partitionKeyToHashKey(v.partition_key);
    expect(key.toString(16).padStart(32, '0')).toBe(v.md5_hex);
    expect(hashKeyToDecimal(key)).toBe(v.hash_key_decimal);
  });

  it.each(vectors.derived)(
    'puts $partition_key on the listed shard of an even 4-shard stream',
    (v) => {
      // Prepare
      const ranges = evenHashKeyRanges(4);
      expect(ranges.map((r) => [r.start.toString(), r.end.toString()])).toEqual(
        vectors.even_4_shard_ranges,
      );
      const map = new ShardMap(
        ranges.map((r, i) => ({
          ShardId: `shardId-${i}`,
          HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
        })),
      );
      // Act / Assess
      expect(map.shardForPartitionKey(v.partition_key)?.shardId).toBe(
        `shardId-${v.shard_index_in_even_4_shard_stream}`,
      );
    },
  );

  it('equals MD5 of the UTF-8 bytes read big-endian, for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (key) => {
        const digest = createHash('md5').update(Buffer.from(key, 'utf8')).digest();
        let expected = 0n;
        for (const byte of digest) expected = (expected << 8n) | BigInt(byte);
        expect(partitionKeyToHashKey(key)).toBe(expected);
      }),
    );
  });

  it('rejects a non-string key', () => {
    expectValidationError(() => partitionKeyToHashKey(42 as unknown as string), 'partitionKey');
  });
});

describe('parseExplicitHashKey', () => {
  it.each([
    ['0', 0n],
    ['123456789', 123456789n],
    ['007', 7n],
    [' 42\t\n', 42n],
    ['\u0001 9 \u0000', 9n],
    ['+5', 5n],
    ['-0', 0n],
    [MAX_HASH_KEY.toString(), MAX_HASH_KEY],
    [`000${MAX_HASH_KEY.toString()}`, MAX_HASH_KEY],
  ])('accepts %j like the Java KPL (BigInteger of the trimmed text)', (text, expected) => {
    expect(parseExplicitHashKey(text)).toBe(expected);
  });

  it.each([0n, 1n, MAX_HASH_KEY])('accepts the bigint %p', (value) => {
    expect(parseExplicitHashKey(value)).toBe(value);
  });

  it.each([
    ['', /decimal/],
    ['   ', /decimal/],
    ['abc', /decimal/],
    ['0x10', /decimal/],
    ['1e3', /decimal/],
    ['1.0', /decimal/],
    ['1 2', /decimal/],
    ['\u00a012', /decimal/], // NBSP is not trimmed by Java's String.trim()
    ['１２', /decimal/], // full-width digits
    ['-1', /0\.\.2\^128-1/],
    [(MAX_HASH_KEY + 1n).toString(), /0\.\.2\^128-1/],
    ['9'.repeat(40), /0\.\.2\^128-1/],
    ['1'.repeat(100000), /0\.\.2\^128-1/],
  ])('rejects %j with a ValidationError naming the field', (text, message) => {
    expectValidationError(() => parseExplicitHashKey(text), 'explicitHashKey', message);
  });

  it.each([-1n, MAX_HASH_KEY + 1n])('rejects the out-of-range bigint %p', (value) => {
    expectValidationError(() => parseExplicitHashKey(value), 'explicitHashKey', /2\^128-1/);
  });

  it.each([undefined, null, 12, {}])('rejects the non-string %p', (value) => {
    expectValidationError(
      () => parseExplicitHashKey(value as string),
      'explicitHashKey',
      /decimal string or a bigint/,
    );
  });

  it('names the field it was given', () => {
    expectValidationError(
      () => parseExplicitHashKey('x', 'records[3].explicitHashKey'),
      'records[3].explicitHashKey',
    );
  });

  it('round-trips every key in range through its canonical decimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_HASH_KEY }), fc.nat(5), (key, zeros) => {
        const canonical = hashKeyToDecimal(key);
        expect(canonical).toMatch(/^(0|[1-9][0-9]*)$/);
        expect(parseExplicitHashKey('0'.repeat(zeros) + canonical)).toBe(key);
      }),
    );
  });
});

describe('hashKeyToDecimal', () => {
  it.each([-1n, MAX_HASH_KEY + 1n])('rejects %p', (value) => {
    expectValidationError(() => hashKeyToDecimal(value), 'hashKey');
  });
});

describe('validatePartitionKey', () => {
  it.each([
    ['a'],
    ['x'.repeat(256)],
    ['🔑'.repeat(128)], // 256 UTF-16 code units, 512 UTF-8 bytes: Java counts code units
    ['ключ'],
  ])('accepts %j', (key) => {
    expect(() => validatePartitionKey(key)).not.toThrow();
  });

  it.each([
    ['', /1\.\.256/],
    ['x'.repeat(257), /1\.\.256/],
    ['🔑'.repeat(128) + 'x', /1\.\.256/],
    ['a\uD800b', /surrogate/],
    ['a\uDC00', /surrogate/],
    ['\uDBFF', /surrogate/],
  ])('rejects %j with a ValidationError naming the field', (key, message) => {
    expectValidationError(() => validatePartitionKey(key), 'partitionKey', message);
  });

  it.each([undefined, null, 7, Buffer.from('a')])('rejects the non-string %p', (key) => {
    expectValidationError(() => validatePartitionKey(key), 'partitionKey', /string/);
  });
});

describe('toDataBytes', () => {
  it('returns a Uint8Array as is, without copying', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(toDataBytes(bytes)).toBe(bytes);
    const buf = Buffer.from('xy');
    expect(toDataBytes(buf)).toBe(buf);
  });

  it('encodes a string as UTF-8', () => {
    expect(Buffer.from(toDataBytes('héllo 🔑'))).toEqual(Buffer.from('héllo 🔑', 'utf8'));
    expect(toDataBytes('').length).toBe(0);
  });

  it.each([
    [undefined, /undefined/],
    [null, /null/],
    [42, /number/],
    [new ArrayBuffer(4), /ArrayBuffer/],
    [[1, 2], /Array/],
    [{ data: 1 }, /Object/],
  ])('rejects %p with a ValidationError naming the field', (value, message) => {
    expectValidationError(() => toDataBytes(value as unknown as string), 'data', message);
  });
});
