/**
 * Loads the golden vectors from `shared/vectors`, which sits beside the repository checkout
 * (`<repo>/../shared/vectors`), both here and in CI.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../../..');
export const VECTORS_DIR = path.resolve(REPO_ROOT, '../shared/vectors');

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- typed JSON fixture loader
export function readVectorJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, name), 'utf8')) as T;
}

export function readVectorBytes(name: string): Buffer {
  return readFileSync(path.join(VECTORS_DIR, name));
}

/** Shape of the single-aggregate vector files (`kpl_generated_*.json`, `java_recordaggregator_*.json`). */
export interface AggregateVector {
  name: string;
  data_b64: string;
  length: number;
  aggregated: boolean;
  kinesis_record_envelope?: { partitionKey: string; sequenceNumber: string };
  decoded: {
    raw_utf8?: string;
    md5_ok?: boolean;
    partition_key_table?: string[];
    explicit_hash_key_table?: string[];
    user_records?: {
      sub_sequence_number: number;
      partition_key_index: number;
      explicit_hash_key_index?: number | null;
      partition_key: string;
      explicit_hash_key?: string | null;
      data_b64: string;
    }[];
  };
  /** The Java vector lists its 100 records as a pattern instead. */
  user_records_summary?: {
    count: number;
    partition_key: string;
    explicit_hash_key: string;
    data_even_index: string;
    data_odd_index: string;
  };
}

/** The user records a vector expects, in order: [partitionKey, explicitHashKey, data]. */
export function expectedUserRecords(
  v: AggregateVector,
): { partitionKey: string; explicitHashKey: string | undefined; data: Buffer }[] {
  const summary = v.user_records_summary;
  if (summary !== undefined) {
    return Array.from({ length: summary.count }, (_, i) => ({
      partitionKey: summary.partition_key,
      explicitHashKey: summary.explicit_hash_key,
      data: Buffer.from(i % 2 === 0 ? summary.data_even_index : summary.data_odd_index),
    }));
  }
  return (v.decoded.user_records ?? []).map((r) => ({
    partitionKey: r.partition_key,
    explicitHashKey: r.explicit_hash_key ?? undefined,
    data: Buffer.from(r.data_b64, 'base64'),
  }));
}

export interface DerivedVectors {
  cases: {
    name: string;
    user_records: { partition_key: string; explicit_hash_key: string | null; data_b64: string }[];
    expected_data_b64: string;
    expected_length: number;
    expected_md5_hex: string;
  }[];
}

export const AGGREGATE_VECTOR_FILES = [
  'kpl_generated_rec_with_ehks',
  'kpl_generated_rec_no_ehks',
  'kpl_generated_ka_rec',
  'kpl_generated_ka_non_agg_rec',
  'java_recordaggregator_100_abc',
] as const;
