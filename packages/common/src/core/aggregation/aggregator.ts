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
import { KeyTable } from './keyTable.js';

// Protobuf tags (field number << 3 | wire type), kpl.md §1.2. Module-local, as are the varint
// helpers below: the hot loops then make no cross-module binding lookups (measured: transpilers
// turn those into getter calls, about a tenth of the encode time).
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
  /**
   * Where an aggregate's bytes are written: called once per aggregate (two or more records) with
   * its exact size, it returns a Buffer of that length (from a caller's pool, say, which then
   * decides when the bytes may be reused). Every byte is overwritten.
   * @defaultValue `Buffer.allocUnsafe`
   */
  readonly allocate?: (size: number) => Buffer;
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
  private readonly allocate: (size: number) => Buffer;

  private items: T[] = [];
  /**
   * The first record's bytes. Its record entry is written only when a second record arrives: a
   * lone record is sent raw, and may be far larger than an aggregate (kpl.md §1.6).
   */
  private firstData: Uint8Array = AGGREGATION_MAGIC;
  private firstEhkIdx = -1;
  private ehkIndex = new Map<string, number>();
  /**
   * The protobuf sections, encoded as records arrive: the key tables (tag, length, bytes per
   * entry) and the record entries, so that the caller's data is not held until encode(), which
   * only copies three runs and hashes them. The buffers are reused after reset (encode copies
   * out of them).
   */
  private readonly pkTable = new KeyTable();
  private ehkTable: Buffer = EMPTY_BUFFER;
  private ehkTableLength = 0;
  private entries: Buffer = EMPTY_BUFFER;
  private entriesLength = 0;
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
    this.allocate = options.allocate ?? allocUnsafe;
  }

  /** Number of user records held. */
  get count(): number {
    return this.items.length;
  }

  /** Exact length of `toKinesisRecord().data`: 0 when empty, the raw data length for one record. */
  get sizeBytes(): number {
    const n = this.items.length;
    if (n === 0) return 0;
    if (n === 1) return this.firstData.length;
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
    return this.commit(record, this.prepare(record));
  }

  /**
   * `add` for a record the caller has already validated (a string key of 1..256 well-formed
   * UTF-16 units, no explicit hash key or a canonical decimal one), with its data as bytes and
   * the UTF-8 length of its key: skips the checks and the key's length scan that `add` repeats.
   * `keyHash` is the low word of the key's MD5 (`words[3]` as partitionKeyHashWords writes it),
   * which indexes the key table without hashing the key again.
   * @internal
   */
  addValidated(record: T, data: Uint8Array, keyBytes: number, keyHash: number): boolean {
    return this.commit(record, this.prepareValidated(record, data, keyBytes, keyHash));
  }

  /** Second half of add: checks the limits, then writes the record's table and entry bytes. */
  private commit(record: T, delta: number): boolean {
    const n = this.items.length;
    if (n > 0) {
      if (n >= this.maxCount) return false;
      if (FIXED_OVERHEAD + this.bodyBytes + delta > this.maxBytes) return false;
    }
    const pkIdx = this.pPkIdx;
    if (this.pPkNew) this.pkTable.push(record.partitionKey, this.pPkBytes);
    const ehkIdx = this.pEhkIdx;
    if (this.pEhkNew) {
      const ehk = this.pEhk!;
      this.ehkIndex.set(ehk, ehkIdx);
      let table = this.ehkTable;
      let o = this.ehkTableLength;
      if (o + ehk.length + 11 > table.length)
        table = this.ehkTable = grow(table, o + ehk.length + 11);
      table[o++] = TAG_EXPLICIT_HASH_KEY_TABLE;
      o = writeVarint(table, o, ehk.length);
      o += table.write(ehk, o, 'latin1');
      this.ehkTableLength = o;
    }
    if (n === 0) {
      this.firstEhk = this.pEhk;
      this.firstData = this.pData;
      this.firstEhkIdx = ehkIdx;
    } else {
      // The first record's entry waits for company (see firstData).
      if (n === 1) this.writeEntry(0, this.firstEhkIdx, this.firstData);
      this.writeEntry(pkIdx, ehkIdx, this.pData);
    }
    this.items.push(record);
    this.bodyBytes += delta;
    this.encoded = undefined;
    return true;
  }

  /** Appends one `records` entry (kpl.md §1.2) to the entries section. */
  private writeEntry(pkIdx: number, ehkIdx: number, data: Uint8Array): void {
    const dataLen = data.length;
    let inner = 2 + varintSize(pkIdx) + varintSize(dataLen) + dataLen;
    if (ehkIdx >= 0) inner += 1 + varintSize(ehkIdx);
    let out = this.entries;
    let o = this.entriesLength;
    if (o + inner + 6 > out.length) out = this.entries = grow(out, o + inner + 6);
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
    this.entriesLength = o + dataLen;
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
        ? { partitionKey: firstPk, explicitHashKey, data: this.firstData, aggregated: false }
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
    this.firstData = AGGREGATION_MAGIC;
    this.firstEhkIdx = -1;
    if (this.ehkIndex.size > 0) this.ehkIndex = new Map();
    this.pkTable.reset();
    this.ehkTableLength = 0;
    this.entriesLength = 0;
    this.firstEhk = undefined;
    this.bodyBytes = 0;
    this.encoded = undefined;
  }

  /**
   * Validates `record` and works out its indexes and the bytes it adds to the protobuf body.
   * Results go to the scratch fields.
   */
  private prepare(record: AggregatorRecordInput): number {
    if (typeof record !== 'object' || record === null) {
      throw new ValidationError('record', 'must be an object');
    }
    const pk = record.partitionKey;
    validatePartitionKey(pk);
    const data = toDataBytes(record.data);
    const known = this.pkTable.indexOf(pk, undefined);
    return this.sizeDelta(record, data, known, known < 0 ? Buffer.byteLength(pk, 'utf8') : 0);
  }

  /** `prepare` without the checks, for addValidated. */
  private prepareValidated(
    record: AggregatorRecordInput,
    data: Uint8Array,
    keyBytes: number,
    keyHash: number,
  ): number {
    const known = this.pkTable.indexOf(record.partitionKey, keyHash);
    return this.sizeDelta(record, data, known, keyBytes);
  }

  /**
   * The bytes `record` adds to the protobuf body (kpl.md §1.5: a new table entry costs
   * tag + varint(len) + len; the record costs tag + varint(inner) + inner), with its indexes.
   */
  private sizeDelta(
    record: AggregatorRecordInput,
    data: Uint8Array,
    knownPk: number,
    pkBytes: number,
  ): number {
    let delta = 0;
    if (knownPk < 0) {
      this.pPkNew = true;
      this.pPkIdx = this.pkTable.count;
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
    const written = this.pkTable.byteLength + this.ehkTableLength + this.entriesLength;
    if (written !== this.bodyBytes) {
      // Cannot happen unless the size bookkeeping is wrong; fail loudly rather than emit garbage.
      throw new Error(`aggregation size mismatch: wrote ${written}, expected ${this.bodyBytes}`);
    }
    const out = this.allocate(bodyEnd + 16);
    if (out.length !== bodyEnd + 16) {
      throw new Error(`aggregate buffer: asked for ${bodyEnd + 16} bytes, got ${out.length}`);
    }
    out.set(AGGREGATION_MAGIC, 0);
    let o = 4;
    o += this.pkTable.copyTo(out, o);
    o += this.ehkTable.copy(out, o, 0, this.ehkTableLength);
    this.entries.copy(out, o, 0, this.entriesLength);
    md5(out.subarray(4, bodyEnd)).copy(out, bodyEnd);
    return out;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

function allocUnsafe(size: number): Buffer {
  return Buffer.allocUnsafe(size);
}

/** A copy of `buf` with room for at least `needed` bytes (doubling, so appends stay linear). */
function grow(buf: Buffer, needed: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(needed, buf.length * 2, 1024));
  buf.copy(next, 0, 0, buf.length);
  return next;
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
