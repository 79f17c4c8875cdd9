/**
 * Deaggregation with the KCL's semantics (kpl.md §1.7, `AggregatorUtil.deaggregate`): a record
 * is an aggregate only when it starts with the magic, has more than 16 bytes after it, its MD5
 * trailer matches and its body parses; anything else, including a corrupted aggregate, is passed
 * through unchanged as one raw record, so nothing is lost silently.
 */
import { MAX_HASH_KEY, parseExplicitHashKey } from '../hashKey.js';
import type { HashKeyRange } from '../hashRange.js';
import { decodeAggregatedRecord } from './decoder.js';
import type { DecodedAggregate } from './decoder.js';
import {
  AGGREGATION_MAGIC,
  AGGREGATION_OVERHEAD_BYTES,
  DIGEST_BYTES,
  asBuffer,
  md5,
  md5Hex,
} from './format.js';

/** A record as read from a shard (GetRecords, SubscribeToShard, a Lambda event after base64). @public */
export interface KinesisRecordInput {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly explicitHashKey?: string | undefined;
  readonly approximateArrivalTimestamp?: Date | undefined;
}

/** One user record: a sub-record of an aggregate, or a whole non-aggregated record. @public */
export interface UserRecord {
  /** Zero-copy view into the Kinesis record's data. */
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Present when the producer supplied one (canonical decimal as written by the KPL). */
  readonly explicitHashKey?: string;
  /** The Kinesis record's sequence number, shared by every sub-record of an aggregate. */
  readonly sequenceNumber: string;
  /** Position in the aggregate, from 0; 0 for a non-aggregated record. */
  readonly subSequenceNumber: number;
  /** True for a sub-record of an aggregate. */
  readonly aggregated: boolean;
  readonly approximateArrivalTimestamp?: Date;
}

/** @public */
export interface DeaggregateOptions {
  /**
   * The hash-key range of the shard the record was read from. As in the KCL, when any user
   * record of an aggregate hashes outside it, the **whole aggregate is dropped** (it was written
   * to the wrong shard, e.g. across a reshard, and the producer re-sends its records); an
   * explicit hash key that does not parse counts as outside. Non-aggregated records are never
   * filtered.
   */
  readonly hashRange?: HashKeyRange;
}

/**
 * True when `data` has the aggregated-record envelope: the magic and more than 16 bytes after it.
 * The MD5 and the body are checked only by {@link deaggregate}.
 * @public
 */
export function isAggregated(data: Uint8Array): boolean {
  return (
    data.length > AGGREGATION_OVERHEAD_BYTES &&
    data[0] === AGGREGATION_MAGIC[0] &&
    data[1] === AGGREGATION_MAGIC[1] &&
    data[2] === AGGREGATION_MAGIC[2] &&
    data[3] === AGGREGATION_MAGIC[3]
  );
}

/**
 * Splits a Kinesis record into its user records, numbering sub-records from 0. A record that is
 * not a valid aggregate (no magic, too short, bad MD5, broken protobuf, index outside its table)
 * comes back as itself with `aggregated: false` and sub-sequence number 0, as the KCL does.
 * Sub-record data are subarrays of the input (no copy).
 * @public
 * @example
 * ```ts
 * for (const r of deaggregate({ data, partitionKey, sequenceNumber }, { hashRange })) {
 *   handle(r.partitionKey, r.data, r.subSequenceNumber);
 * }
 * ```
 */
export function deaggregate(
  record: KinesisRecordInput,
  options: DeaggregateOptions = {},
): UserRecord[] {
  const data = record.data;
  if (!isAggregated(data)) return [passThrough(record)];
  const buf = asBuffer(data);
  const bodyEnd = buf.length - DIGEST_BYTES;
  if (md5(buf.subarray(4, bodyEnd)).compare(buf, bodyEnd) !== 0) return [passThrough(record)];
  const decoded = decodeAggregatedRecord(buf, 4, bodyEnd);
  if (decoded === undefined) return [passThrough(record)];

  const { partitionKeys, explicitHashKeys, pkIndexes, ehkIndexes, dataStarts, dataEnds } = decoded;
  const n = pkIndexes.length;
  if (options.hashRange !== undefined && !allInRange(decoded, options.hashRange)) return [];

  const { sequenceNumber, approximateArrivalTimestamp: arrival } = record;
  // A plain Uint8Array (what the AWS SDK returns) gets its views from the constructor, measured
  // about twice as fast as subarray(); any subclass (Buffer) keeps subarray() and its own type.
  const plain = data.constructor === Uint8Array;
  const backing = data.buffer;
  const base = data.byteOffset;
  const out = new Array<UserRecord>(n);
  // One object literal per shape (rather than adding the optional fields afterwards), so that
  // every sub-record of a kind has the same hidden class from the start.
  for (let i = 0; i < n; i++) {
    const start = dataStarts[i]!;
    const end = dataEnds[i]!;
    const sub = plain
      ? new Uint8Array(backing, base + start, end - start)
      : data.subarray(start, end);
    const partitionKey = partitionKeys[pkIndexes[i]!]!;
    const ehkIdx = ehkIndexes[i]!;
    if (ehkIdx < 0) {
      out[i] =
        arrival === undefined
          ? { data: sub, partitionKey, sequenceNumber, subSequenceNumber: i, aggregated: true }
          : {
              data: sub,
              partitionKey,
              sequenceNumber,
              subSequenceNumber: i,
              aggregated: true,
              approximateArrivalTimestamp: arrival,
            };
    } else {
      const explicitHashKey = explicitHashKeys[ehkIdx]!;
      out[i] =
        arrival === undefined
          ? {
              data: sub,
              partitionKey,
              sequenceNumber,
              subSequenceNumber: i,
              aggregated: true,
              explicitHashKey,
            }
          : {
              data: sub,
              partitionKey,
              sequenceNumber,
              subSequenceNumber: i,
              aggregated: true,
              explicitHashKey,
              approximateArrivalTimestamp: arrival,
            };
    }
  }
  return out;
}

/** {@link deaggregate} over a batch, in order. @public */
export function deaggregateAll(
  records: readonly KinesisRecordInput[],
  options: DeaggregateOptions = {},
): UserRecord[] {
  const out: UserRecord[] = [];
  for (const record of records) {
    for (const user of deaggregate(record, options)) out.push(user);
  }
  return out;
}

/**
 * KCL: effective key = explicit hash key if present, else MD5 of the partition key; all must fit.
 * MD5 keys are compared as 32-digit lowercase hex strings, whose order is the numeric order:
 * measured faster than building a bigint per key. A range covering every MD5 key (a single-shard
 * stream) skips the hashing; explicit hash keys are still parsed, since one that does not parse
 * counts as outside.
 */
function allInRange(decoded: DecodedAggregate, range: HashKeyRange): boolean {
  const { partitionKeys, explicitHashKeys, pkIndexes, ehkIndexes } = decoded;
  const low = range.start <= 0n ? '' : range.start > MAX_HASH_KEY ? 'g' : toHex(range.start);
  const high = range.end >= MAX_HASH_KEY ? 'g' : range.end < 0n ? '' : toHex(range.end);
  const everyMd5Inside = low === '' && high === 'g';
  // Table entries are shared by many records: check each one at most once.
  const pkChecked = new Uint8Array(partitionKeys.length);
  const ehkChecked = new Uint8Array(explicitHashKeys.length);
  for (let i = 0; i < pkIndexes.length; i++) {
    const ehkIdx = ehkIndexes[i]!;
    if (ehkIdx >= 0) {
      if (ehkChecked[ehkIdx] === 0) {
        const key = parseOrNull(explicitHashKeys[ehkIdx]!);
        if (key === null || key < range.start || key > range.end) return false;
        ehkChecked[ehkIdx] = 1;
      }
    } else if (!everyMd5Inside) {
      const pkIdx = pkIndexes[i]!;
      if (pkChecked[pkIdx] === 0) {
        const hex = md5Hex(partitionKeys[pkIdx]!);
        if (hex < low || hex > high) return false;
        pkChecked[pkIdx] = 1;
      }
    }
  }
  return true;
}

function toHex(key: bigint): string {
  return key.toString(16).padStart(32, '0');
}

function parseOrNull(ehk: string): bigint | null {
  try {
    return parseExplicitHashKey(ehk);
  } catch {
    return null;
  }
}

function passThrough(record: KinesisRecordInput): UserRecord {
  const user: { -readonly [K in keyof UserRecord]: UserRecord[K] } = {
    data: record.data,
    partitionKey: record.partitionKey,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: 0,
    aggregated: false,
  };
  if (record.explicitHashKey !== undefined) user.explicitHashKey = record.explicitHashKey;
  if (record.approximateArrivalTimestamp !== undefined) {
    user.approximateArrivalTimestamp = record.approximateArrivalTimestamp;
  }
  return user;
}
