import {
  RecordAggregator,
  deaggregate,
  hashKeyToDecimal,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';

import {
  AGGREGATE_VECTOR_FILES,
  expectedUserRecords,
  readVectorBytes,
  readVectorJson,
} from '../vectors';
import type { AggregateVector, DerivedVectors } from '../vectors';

const SEQ = '49590338271490256608559692538361571095921575989136588898';

const loaded = AGGREGATE_VECTOR_FILES.map((name) => ({
  name,
  vector: readVectorJson<AggregateVector>(`${name}.json`),
  bytes: readVectorBytes(`${name}.bin`),
}));

describe.each(loaded)('golden vector $name', ({ vector, bytes }) => {
  it('has the .bin bytes the .json describes', () => {
    expect(bytes.toString('base64')).toBe(vector.data_b64);
    expect(bytes.length).toBe(vector.length);
  });
});

describe.each(loaded.filter((l) => l.vector.aggregated))(
  'aggregated vector $name',
  ({ vector, bytes }) => {
    const expected = expectedUserRecords(vector);

    it('decodes to the listed user records', () => {
      // Act
      const records = deaggregate({ data: bytes, partitionKey: 'outer', sequenceNumber: SEQ });
      // Assess
      expect(records).toHaveLength(expected.length);
      expect(records.length).toBeGreaterThan(1);
      records.forEach((r, i) => {
        const e = expected[i]!;
        expect(r.subSequenceNumber).toBe(i);
        expect(r.aggregated).toBe(true);
        expect(r.sequenceNumber).toBe(SEQ);
        expect(r.partitionKey).toBe(e.partitionKey);
        expect(r.explicitHashKey).toBe(e.explicitHashKey);
        expect(Buffer.from(r.data)).toEqual(e.data);
      });
    });

    it('re-encodes byte for byte, with the exact size known after every add', () => {
      // Prepare
      const agg = new RecordAggregator({ maxBytes: 1024 * 1024 });
      // Act
      for (const r of expected) {
        expect(agg.add(r)).toBe(true);
        expect(agg.sizeBytes).toBe(agg.toKinesisRecord().data.length);
      }
      const out = agg.toKinesisRecord();
      // Assess
      expect(Buffer.from(out.data).equals(bytes)).toBe(true);
      expect(agg.sizeBytes).toBe(bytes.length);
      const first = expected[0]!;
      expect(out.explicitHashKey).toBe(
        first.explicitHashKey ?? hashKeyToDecimal(partitionKeyToHashKey(first.partitionKey)),
      );
      expect(out.partitionKey).toBe('a');
      expect(out.aggregated).toBe(true);
    });
  },
);

it.each(loaded.filter((l) => l.vector.aggregated && l.name.startsWith('kpl_')))(
  'real KPL vector $name was sent with the outer partition key "a", as we send aggregates',
  ({ vector }) => {
    expect(vector.kinesis_record_envelope!.partitionKey).toBe('a');
  },
);

describe.each(loaded.filter((l) => !l.vector.aggregated))(
  'non-aggregated vector $name',
  ({ vector, bytes }) => {
    const userPk = vector.kinesis_record_envelope!.partitionKey;

    it('decodes to itself as one raw record', () => {
      const records = deaggregate({ data: bytes, partitionKey: userPk, sequenceNumber: SEQ });
      expect(records).toEqual([
        {
          data: bytes,
          partitionKey: userPk,
          sequenceNumber: SEQ,
          subSequenceNumber: 0,
          aggregated: false,
        },
      ]);
      expect(Buffer.from(records[0]!.data).toString('utf8')).toBe(vector.decoded.raw_utf8);
    });

    it('is what the aggregator emits for a lone record: raw data, the user key, its hash key', () => {
      const agg = new RecordAggregator();
      expect(agg.add({ partitionKey: userPk, data: bytes })).toBe(true);
      expect(agg.sizeBytes).toBe(bytes.length);
      expect(agg.toKinesisRecord()).toEqual({
        partitionKey: userPk,
        explicitHashKey: partitionKeyToHashKey(userPk).toString(),
        data: bytes,
        aggregated: false,
      });
    });
  },
);

describe('SampleLambdaEvent.json', () => {
  it('deaggregates the Lambda event record into the 100 Java-aggregated user records', () => {
    const event = readVectorJson<{
      Records: { kinesis: { data: string; partitionKey: string; sequenceNumber: string } }[];
    }>('SampleLambdaEvent.json');
    const java = readVectorJson<AggregateVector>('java_recordaggregator_100_abc.json');
    const kinesis = event.Records[0]!.kinesis;
    const records = deaggregate({
      data: Buffer.from(kinesis.data, 'base64'),
      partitionKey: kinesis.partitionKey,
      sequenceNumber: kinesis.sequenceNumber,
    });
    expect(
      records.map((r) => [r.partitionKey, r.explicitHashKey, Buffer.from(r.data).toString()]),
    ).toEqual(
      expectedUserRecords(java).map((e) => [e.partitionKey, e.explicitHashKey, e.data.toString()]),
    );
  });
});

describe.each(readVectorJson<DerivedVectors>('derived_vectors.json').cases)(
  'derived vector $name',
  (c) => {
    const expectedBytes = Buffer.from(c.expected_data_b64, 'base64');
    const input = c.user_records.map((r) => ({
      partitionKey: r.partition_key,
      explicitHashKey: r.explicit_hash_key ?? undefined,
      data: Buffer.from(r.data_b64, 'base64'),
    }));

    it('encodes byte for byte with the listed MD5 trailer', () => {
      const agg = new RecordAggregator({ maxBytes: 1024 * 1024 });
      for (const r of input) {
        expect(agg.add(r)).toBe(true);
        expect(agg.sizeBytes).toBe(agg.toKinesisRecord().data.length);
      }
      const data = Buffer.from(agg.toKinesisRecord().data);
      expect(data.length).toBe(c.expected_length);
      expect(data.equals(expectedBytes)).toBe(true);
      expect(data.subarray(-16).toString('hex')).toBe(c.expected_md5_hex);
    });

    it('decodes to its user records', () => {
      const records = deaggregate({ data: expectedBytes, partitionKey: 'a', sequenceNumber: SEQ });
      expect(
        records.map((r) => ({
          partitionKey: r.partitionKey,
          explicitHashKey: r.explicitHashKey,
          data: Buffer.from(r.data),
          subSequenceNumber: r.subSequenceNumber,
        })),
      ).toEqual(input.map((r, i) => ({ ...r, subSequenceNumber: i })));
    });
  },
);
