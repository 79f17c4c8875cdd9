/**
 * The part of `aws-kinesis-agg` (a devDependency, the reference Node aggregator) the benchmarks
 * use. Its index.d.ts imports aws-sdk v2 types, which are not installed, so it is loaded with
 * require and typed here.
 */

export interface AggRecordAggregator {
  checkIfUserRecordFits(record: { partitionKey: string; data: Buffer }): boolean;
  addUserRecord(record: { partitionKey: string; data: Buffer; explicitHashKey?: string }): void;
  build(): { partitionKey: string; data: Buffer; ExplicitHashKey?: string } | undefined;
  clearRecords(): void;
  length(): number;
}

export interface AwsKinesisAgg {
  RecordAggregator: new () => AggRecordAggregator;
  deaggregateSync(
    record: { data: Buffer | string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    done: (
      err: Error | null | undefined,
      records?: { partitionKey: string; data: string; subSequenceNumber?: number }[],
    ) => void,
  ): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const awsKinesisAgg = require('aws-kinesis-agg') as AwsKinesisAgg;
