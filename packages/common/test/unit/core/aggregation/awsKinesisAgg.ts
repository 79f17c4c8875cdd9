/**
 * A typed handle on `aws-kinesis-agg` (the reference Node implementation, a devDependency) for
 * the cross-check tests and the benchmark. Its own index.d.ts imports aws-sdk v2 types, which
 * are not installed, so we load it with require and describe the parts we use.
 */

export interface AggUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  /** base64 */
  data: string;
}

export interface AggEncodedRecord {
  partitionKey: string;
  data: Buffer;
  ExplicitHashKey?: string;
}

export interface AggRecordAggregator {
  addUserRecord(record: { partitionKey: string; data: Buffer; explicitHashKey?: string }): void;
  build(): AggEncodedRecord | undefined;
  length(): number;
}

export interface AwsKinesisAgg {
  RecordAggregator: new () => AggRecordAggregator;
  deaggregateSync(
    record: { data: Buffer | string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (err: Error | null | undefined, records?: AggUserRecord[]) => void,
  ): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const awsKinesisAgg = require('aws-kinesis-agg') as AwsKinesisAgg;

/** aws-kinesis-agg's encoder over `records` (one aggregate, always aggregated even for one record). */
export function aggEncode(
  records: readonly { partitionKey: string; data: Buffer; explicitHashKey?: string }[],
): AggEncodedRecord {
  const aggregator = new awsKinesisAgg.RecordAggregator();
  // Copies: addUserRecord may replace a string `data` in place.
  for (const r of records) aggregator.addUserRecord({ ...r });
  return aggregator.build()!;
}

/** aws-kinesis-agg's synchronous deaggregation with checksums on; throws its error. */
export function aggDecode(data: Buffer, sequenceNumber = '1'): AggUserRecord[] {
  let result: AggUserRecord[] = [];
  let failure: Error | undefined;
  awsKinesisAgg.deaggregateSync({ data, partitionKey: 'a', sequenceNumber }, true, (err, recs) => {
    if (err) failure = err;
    else result = recs ?? [];
  });
  if (failure) throw failure;
  return result;
}
