/**
 * The incremental KPL aggregator. It keeps the exact encoded size after every add (kpl.md §1.5),
 * so an aggregate never exceeds its byte limit and never holds a record that would push it over;
 * the KPL instead estimates, overshoots and trims at flush. Output is byte-for-byte what the KPL
 * writes (kpl.md §1.3, §1.4). The protobuf is written by hand into one buffer of the exact size:
 * the benchmark (bench/aggregation.ts) shows this is several times faster than protobufjs.
 */
import { ConfigurationError, ValidationError } from '../../errors.js';
import {
  hashKeyToDecimal,
  parseExplicitHashKey,
  partitionKeyToHashKey,
  toDataBytes,
  validatePartitionKey,
} from '../hashKey.js';
import { DEFAULT_AGGREGATION_MAX_BYTES, MAX_CONFIGURABLE_RECORD_BYTES } from '../limits.js';
import { AGGREGATE_PARTITION_KEY, AGGREGATION_MAGIC, md5 } from './format.js';

// Protobuf tags (field number << 3 | wire type), kpl.md §1.2. Module-local, as are the varint
// helpers below: the hot loops then make no cross-module binding lookups (measured: transpilers
// turn those into getter calls, about a tenth of the encode time).
const TAG_PARTITION_KEY_TABLE = 0x0a;
const TAG_EXPLICIT_HASH_KEY_TABLE = 0x12;
const TAG_RECORDS = 0x1a;
const TAG_PARTITION_KEY_INDEX = 0x08;
const TAG_EXPLICIT_HASH_KEY_INDEX = 0x10;
const TAG_DATA = 0x1a;
const FIXED_OVERHEAD = 20;

/** A user record as the aggregator takes it. @public */
export interface AggregatorRecordInput {
  readonly partitionKey: string;
  /** Bytes, or a string sent as UTF-8. */
  readonly data: Uint8Array | string;
  /** Decimal string or bigint in 0..2^128-1; stored in canonical decimal form. */
  readonly explicitHashKey?: string | bigint | undefined;
}

/** @public */
export interface RecordAggregatorOptions {
  /**
   * Largest encoded aggregate (magic + protobuf + MD5; the outer partition key is not counted,
   * as in the KPL). Range 64..10485760.
   * @defaultValue 51200 (the KPL's AggregationMaxSize)
   */
  readonly maxBytes?: number;
  /**
   * Most user records per aggregate (the KPL's AggregationMaxCount).
   * @defaultValue 4294967295
   */
  readonly maxCount?: number;
}

/** What to send to PutRecords for an aggregator's content. @public */
export interface AggregatedKinesisRecord {
  /** The user's key for a lone record, `"a"` for an aggregate (as the KPL does). */
  readonly partitionKey: string;
  /** Canonical decimal hash key of the (first) user record: routes the record to its shard. */
  readonly explicitHashKey: string;
  /** Raw user bytes for a lone record (not copied); magic + protobuf + MD5 otherwise. */
  readonly data: Uint8Array;
  /** True when `data` is an aggregate (two or more user records). */
  readonly aggregated: boolean;
}

const MIN_MAX_BYTES = 64;
const DEFAULT_MAX_COUNT = 4294967295;

/**
 * Packs user records into one Kinesis record in the KPL aggregation format.
 *
 * - `add` returns false and changes nothing when the record would push the aggregate over
 *   `maxBytes` or `maxCount`. An empty aggregator accepts any one record whatever its size,
 *   because a lone record is emitted raw (not aggregated), exactly like the KPL sends an
 *   oversize record alone: check the record against the stream's record limit before adding it.
 * - `sizeBytes` is exact after every add: the length of `toKinesisRecord().data`.
 * - `records` lists the added inputs in aggregate order; a record's index there is the
 *   sub-sequence number consumers will see. The type parameter lets a producer add its own
 *   record objects and get them back to settle their results.
 * @public
 * @example
 * ```ts
 * const agg = new RecordAggregator({ maxBytes: 51200 });
 * agg.add({ partitionKey: 'user-1', data: 'hello' });
 * agg.add({ partitionKey: 'user-2', data: new Uint8Array([1, 2, 3]) });
 * const { partitionKey, explicitHashKey, data } = agg.toKinesisRecord(); // 'a', '…', magic+protobuf+md5
 * agg.reset();
 * ```
 */
export class RecordAggregator<T extends AggregatorRecordInput = AggregatorRecordInput> {
  readonly maxBytes: number;
  readonly maxCount: number;

  private items: T[] = [];
  private datas: Uint8Array[] = [];
  private pkIndexes: number[] = [];
  /** -1 for a record without an explicit hash key. */
  private ehkIndexes: number[] = [];
  private pkIndex = new Map<string, number>();
  private ehkIndex = new Map<string, number>();
  /**
   * The encoded key tables (tag, length, UTF-8 bytes per entry), kept as strings with one char
   * per byte and grown on each new key. encode() then writes each table with one native latin1
   * write: measured several times faster than writing key by key.
   */
  private pkSection = '';
  private ehkSection = '';
  /** The first record's canonical explicit hash key, if it had one (routes the aggregate). */
  private firstEhk: string | undefined;
  /** Length of the protobuf AggregatedRecord for the current items. */
  private bodyBytes = 0;
  private encoded: AggregatedKinesisRecord | undefined;

  // Scratch output of prepare(), read by add() and sizeWith(); avoids allocating per record.
  private pData: Uint8Array = AGGREGATION_MAGIC;
  private pPkIdx = 0;
  private pPkNew = false;
  private pPkBytes = 0;
  private pEhk: string | undefined;
  private pEhkIdx = -1;
  private pEhkNew = false;

  constructor(options: RecordAggregatorOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_AGGREGATION_MAX_BYTES;
    const maxCount = options.maxCount ?? DEFAULT_MAX_COUNT;
    const problems = [];
    if (
      !Number.isSafeInteger(maxBytes) ||
      maxBytes < MIN_MAX_BYTES ||
      maxBytes > MAX_CONFIGURABLE_RECORD_BYTES
    ) {
      problems.push({
        field: 'maxBytes',
        message: `must be an integer in ${MIN_MAX_BYTES}..${MAX_CONFIGURABLE_RECORD_BYTES}, got ${String(maxBytes)}`,
      });
    }
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
      problems.push({
        field: 'maxCount',
        message: `must be a positive integer, got ${String(maxCount)}`,
      });
    }
    if (problems.length > 0) throw new ConfigurationError('RecordAggregator', problems);
    this.maxBytes = maxBytes;
    this.maxCount = maxCount;
  }

  /** Number of user records held. */
  get count(): number {
    return this.items.length;
  }

  /** Exact length of `toKinesisRecord().data`: 0 when empty, the raw data length for one record. */
  get sizeBytes(): number {
    const n = this.items.length;
    if (n === 0) return 0;
    if (n === 1) return this.datas[0]!.length;
    return FIXED_OVERHEAD + this.bodyBytes;
  }

  /** The added records in aggregate order (index = sub-sequence number). Not mutated by later calls. */
  get records(): readonly T[] {
    return this.items;
  }

  /**
   * The `sizeBytes` the aggregator would have with `record` added, without adding it.
   * Validates the record like `add` does.
   */
  sizeWith(record: AggregatorRecordInput): number {
    const delta = this.prepare(record);
    return this.items.length === 0 ? this.pData.length : FIXED_OVERHEAD + this.bodyBytes + delta;
  }

  /** Whether `add(record)` would accept the record. */
  fits(record: AggregatorRecordInput): boolean {
    if (this.items.length === 0) {
      this.prepare(record);
      return true;
    }
    return this.items.length < this.maxCount && this.sizeWith(record) <= this.maxBytes;
  }

  /**
   * Adds a user record. Returns false, changing nothing, when it would exceed `maxBytes` or
   * `maxCount`. Throws a ValidationError (naming the field) for a bad partition key, explicit
   * hash key or data, whether or not the record fits.
   */
  add(record: T): boolean {
    const delta = this.prepare(record);
    const n = this.items.length;
    if (n > 0) {
      if (n >= this.maxCount) return false;
      if (FIXED_OVERHEAD + this.bodyBytes + delta > this.maxBytes) return false;
    }
    const pkIdx = this.pPkIdx;
    if (this.pPkNew) {
      const pk = record.partitionKey;
      this.pkIndex.set(pk, pkIdx);
      const bytes = this.pPkBytes === pk.length ? pk : Buffer.from(pk, 'utf8').toString('latin1');
      this.pkSection += TABLE_PK_TAG_CHAR + varintChars(this.pPkBytes) + bytes;
    }
    const ehkIdx = this.pEhkIdx;
    if (this.pEhkNew) {
      const ehk = this.pEhk!;
      this.ehkIndex.set(ehk, ehkIdx);
      this.ehkSection += TABLE_EHK_TAG_CHAR + varintChars(ehk.length) + ehk;
    }
    if (n === 0) this.firstEhk = this.pEhk;
    this.items.push(record);
    this.datas.push(this.pData);
    this.pkIndexes.push(pkIdx);
    this.ehkIndexes.push(ehkIdx);
    this.bodyBytes += delta;
    this.encoded = undefined;
    return true;
  }

  /**
   * The Kinesis record for the current content, exactly as the KPL would send it: a lone record
   * raw with its own partition key; two or more as an aggregate with partition key `"a"`. The
   * explicit hash key is always set (the first record's hash key). Throws when empty. The result
   * is cached until the next add or reset.
   */
  toKinesisRecord(): AggregatedKinesisRecord {
    if (this.encoded !== undefined) return this.encoded;
    const n = this.items.length;
    if (n === 0) {
      throw new ValidationError(
        'records',
        'cannot build a Kinesis record from an empty aggregator',
      );
    }
    const firstPk = this.items[0]!.partitionKey;
    const explicitHashKey = this.firstEhk ?? partitionKeyToHashKey(firstPk).toString(10);
    this.encoded =
      n === 1
        ? { partitionKey: firstPk, explicitHashKey, data: this.datas[0]!, aggregated: false }
        : {
            partitionKey: AGGREGATE_PARTITION_KEY,
            explicitHashKey,
            data: this.encode(),
            aggregated: true,
          };
    return this.encoded;
  }

  /** Empties the aggregator. Arrays returned earlier by `records` are left untouched. */
  reset(): void {
    this.items = [];
    this.datas = [];
    this.pkIndexes = [];
    this.ehkIndexes = [];
    this.pkIndex = new Map();
    this.ehkIndex = new Map();
    this.pkSection = '';
    this.ehkSection = '';
    this.firstEhk = undefined;
    this.bodyBytes = 0;
    this.encoded = undefined;
  }

  /**
   * Validates `record` and works out its indexes and the bytes it adds to the protobuf body
   * (kpl.md §1.5: a new table entry costs tag + varint(len) + len; the record costs
   * tag + varint(inner) + inner). Results go to the scratch fields.
   */
  private prepare(record: AggregatorRecordInput): number {
    if (typeof record !== 'object' || record === null) {
      throw new ValidationError('record', 'must be an object');
    }
    const pk = record.partitionKey;
    validatePartitionKey(pk);
    const data = toDataBytes(record.data);
    let delta = 0;

    const knownPk = this.pkIndex.get(pk);
    if (knownPk === undefined) {
      const pkBytes = Buffer.byteLength(pk, 'utf8');
      this.pPkNew = true;
      this.pPkIdx = this.pkIndex.size;
      this.pPkBytes = pkBytes;
      delta += 1 + varintSize(pkBytes) + pkBytes;
    } else {
      this.pPkNew = false;
      this.pPkIdx = knownPk;
    }
    let inner = 1 + varintSize(this.pPkIdx) + 1 + varintSize(data.length) + data.length;

    const rawEhk = record.explicitHashKey;
    if (rawEhk === undefined || rawEhk === null) {
      this.pEhk = undefined;
      this.pEhkIdx = -1;
      this.pEhkNew = false;
    } else {
      // A string already in the table is canonical and valid: skip re-parsing it.
      let known = typeof rawEhk === 'string' ? this.ehkIndex.get(rawEhk) : undefined;
      let ehk = rawEhk as string;
      if (known === undefined) {
        ehk = hashKeyToDecimal(parseExplicitHashKey(rawEhk), 'explicitHashKey');
        known = this.ehkIndex.get(ehk);
      }
      this.pEhk = ehk;
      if (known === undefined) {
        this.pEhkNew = true;
        this.pEhkIdx = this.ehkIndex.size;
        delta += 1 + varintSize(ehk.length) + ehk.length;
      } else {
        this.pEhkNew = false;
        this.pEhkIdx = known;
      }
      inner += 1 + varintSize(this.pEhkIdx);
    }
    this.pData = data;
    return delta + 1 + varintSize(inner) + inner;
  }

  /** Writes magic + AggregatedRecord + MD5 into one buffer of the exact size. */
  private encode(): Uint8Array {
    const bodyEnd = 4 + this.bodyBytes;
    const out = Buffer.allocUnsafe(bodyEnd + 16);
    out.set(AGGREGATION_MAGIC, 0);
    let o = 4;
    o += out.write(this.pkSection, o, 'latin1');
    o += out.write(this.ehkSection, o, 'latin1');
    const datas = this.datas;
    const pkIndexes = this.pkIndexes;
    const ehkIndexes = this.ehkIndexes;
    for (let i = 0; i < datas.length; i++) {
      const data = datas[i]!;
      const pkIdx = pkIndexes[i]!;
      const ehkIdx = ehkIndexes[i]!;
      const dataLen = data.length;
      let inner = 2 + varintSize(pkIdx) + varintSize(dataLen) + dataLen;
      if (ehkIdx >= 0) inner += 1 + varintSize(ehkIdx);
      out[o++] = TAG_RECORDS;
      o = writeVarint(out, o, inner);
      out[o++] = TAG_PARTITION_KEY_INDEX;
      o = writeVarint(out, o, pkIdx);
      if (ehkIdx >= 0) {
        out[o++] = TAG_EXPLICIT_HASH_KEY_INDEX;
        o = writeVarint(out, o, ehkIdx);
      }
      out[o++] = TAG_DATA;
      o = writeVarint(out, o, dataLen);
      out.set(data, o);
      o += dataLen;
    }
    if (o !== bodyEnd) {
      // Cannot happen unless the size bookkeeping is wrong; fail loudly rather than emit garbage.
      throw new Error(`aggregation size mismatch: wrote ${o - 4}, expected ${this.bodyBytes}`);
    }
    md5(out.subarray(4, bodyEnd)).copy(out, bodyEnd);
    return out;
  }
}

const TABLE_PK_TAG_CHAR = String.fromCharCode(TAG_PARTITION_KEY_TABLE);
const TABLE_EHK_TAG_CHAR = String.fromCharCode(TAG_EXPLICIT_HASH_KEY_TABLE);

/** A varint as a string of one char per byte, for the latin1-encoded key tables. */
function varintChars(value: number): string {
  if (value < 0x80) return String.fromCharCode(value);
  let chars = '';
  let v = value;
  while (v >= 0x80) {
    chars += String.fromCharCode((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  return chars + String.fromCharCode(v);
}

/** Bytes in the base-128 varint encoding of a non-negative integer below 2^53. */
function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let rest = Math.floor(value / 0x10000000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 0x80);
  }
  return size;
}

/** Writes `value` (< 2^53) as a varint at `offset`; returns the offset after it. */
function writeVarint(out: Uint8Array, offset: number, value: number): number {
  let o = offset;
  let v = value;
  while (v >= 0x80) {
    out[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[o++] = v;
  return o;
}
