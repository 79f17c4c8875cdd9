/** fast-check generators for user records: multibyte keys, shared keys (dedup), empty data, EHKs. */
import fc from 'fast-check';

import { MAX_HASH_KEY } from '@kinesis-kit/common';

export interface TestRecord {
  partitionKey: string;
  data: Buffer;
  explicitHashKey?: string;
}

export const partitionKeyArb: fc.Arbitrary<string> = fc.oneof(
  // A small pool so that keys repeat and the tables dedup.
  fc.constantFrom('a', 'abc', 'ключ', '🔑', 'ü'.repeat(130), 'x'.repeat(256)),
  fc.uuid(),
  // Any well-formed Unicode (code points, so no lone surrogates), 1..100 UTF-16 units.
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 50 })
    .filter((s) => s.length >= 1 && s.length <= 256),
);

/** Canonical decimal explicit hash keys (what aws-kinesis-agg would store verbatim too). */
export const explicitHashKeyArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '1', MAX_HASH_KEY.toString()),
  fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map((k) => k.toString()),
);

export const dataArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ minLength: 120, maxLength: 400 }).map((a) => Buffer.from(a)),
);

export const recordArb: fc.Arbitrary<TestRecord> = fc.record(
  {
    partitionKey: partitionKeyArb,
    data: dataArb,
    explicitHashKey: fc.oneof(explicitHashKeyArb, fc.constantFrom('0', '12345')),
  },
  { requiredKeys: ['partitionKey', 'data'] },
);

export const recordsArb = (minLength = 1, maxLength = 60): fc.Arbitrary<TestRecord[]> =>
  fc.array(recordArb, { minLength, maxLength });
