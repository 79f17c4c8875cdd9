/**
 * A hand-written parser for the protobuf AggregatedRecord (kpl.md §1.2). It mirrors what the
 * KCL's generated proto2 parser accepts: fields in any order, unknown fields and mismatched wire
 * types skipped, the last value of a repeated scalar wins, and a message is broken when a
 * required field (Record.partition_key_index, Record.data, Tag.key) is missing or the bytes are
 * truncated. It also rejects table indexes that point past their table, which the KCL only
 * notices later, half-way through emitting records.
 */

/** A parsed AggregatedRecord; record data are offsets into the parsed buffer (zero copy). */
export interface DecodedAggregate {
  readonly partitionKeys: readonly string[];
  readonly explicitHashKeys: readonly string[];
  readonly pkIndexes: readonly number[];
  /** -1 where the record has no explicit hash key. */
  readonly ehkIndexes: readonly number[];
  readonly dataStarts: readonly number[];
  readonly dataEnds: readonly number[];
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

/** Thrown internally on malformed input; never escapes this module. */
class Malformed extends Error {}
const MALFORMED = new Malformed('malformed protobuf');

/** A cursor over `buf[pos..end)`; state lives in fields so reads do not allocate. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  /** Reads a varint of up to 10 bytes. Values beyond 2^53 lose precision, which only matters for
   * indexes and lengths, and those are bounds-checked against far smaller numbers. */
  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if (this.pos > this.end) throw MALFORMED;
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let scale = 0x80;
    for (let i = 1; i < 10; i++) {
      if (this.pos >= this.end) throw MALFORMED;
      b = buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
    throw MALFORMED;
  }

  /** Reads a length prefix and returns the end of the field's bytes. */
  lengthDelimitedEnd(): number {
    const len = this.varint();
    const fieldEnd = this.pos + len;
    if (fieldEnd > this.end) throw MALFORMED;
    return fieldEnd;
  }

  skip(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.pos = this.lengthDelimitedEnd();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      case WIRE_START_GROUP:
        // Deprecated groups are still legal unknown fields: skip to the matching end tag.
        for (;;) {
          if (this.pos >= this.end) throw MALFORMED;
          const tag = this.varint();
          if ((tag & 7) === WIRE_END_GROUP) {
            if (tag >>> 3 !== fieldNumber) throw MALFORMED;
            return;
          }
          this.skip(tag & 7, tag >>> 3);
        }
      default:
        throw MALFORMED;
    }
  }

  private advance(n: number): void {
    this.pos += n;
    if (this.pos > this.end) throw MALFORMED;
  }

  /** Reads the next tag; field number 0 is invalid in protobuf. */
  tag(): number {
    const tag = this.varint();
    if (tag >>> 3 === 0 || tag > 0xffffffff) throw MALFORMED;
    return tag;
  }
}

/**
 * Parses `buf[start..end)` as an AggregatedRecord. Returns undefined when the bytes are not a
 * valid message or an index points outside its table.
 */
export function decodeAggregatedRecord(
  buf: Buffer,
  start: number,
  end: number,
): DecodedAggregate | undefined {
  try {
    return decode(buf, start, end);
  } catch (e) {
    if (e instanceof Malformed) return undefined;
    throw e;
  }
}

function decode(buf: Buffer, start: number, end: number): DecodedAggregate {
  const r = new Reader(buf, start, end);
  // Key table entries as [start, end) pairs; turned into strings after the parse (decodeKeys).
  const pkBounds: number[] = [];
  const ehkBounds: number[] = [];
  const pkIndexes: number[] = [];
  const ehkIndexes: number[] = [];
  const dataStarts: number[] = [];
  const dataEnds: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a || tag === 0x12) {
      const fieldEnd = r.lengthDelimitedEnd();
      const bounds = tag === 0x0a ? pkBounds : ehkBounds;
      bounds.push(r.pos, fieldEnd);
      r.pos = fieldEnd;
    } else if (tag === 0x1a) {
      const fieldEnd = r.lengthDelimitedEnd();
      if (readKplRecord(buf, r.pos, fieldEnd, pkIndexes, ehkIndexes, dataStarts, dataEnds)) {
        r.pos = fieldEnd;
        continue;
      }
      const outerEnd = r.end;
      r.end = fieldEnd;
      readRecord(r, pkIndexes, ehkIndexes, dataStarts, dataEnds);
      r.end = outerEnd;
    } else {
      r.skip(tag & 7, tag >>> 3);
    }
  }
  const pkCount = pkBounds.length / 2;
  const ehkCount = ehkBounds.length / 2;
  for (let i = 0; i < pkIndexes.length; i++) {
    if (pkIndexes[i]! >= pkCount || ehkIndexes[i]! >= ehkCount) throw MALFORMED;
  }
  const partitionKeys = decodeKeys(buf, pkBounds);
  const explicitHashKeys = decodeKeys(buf, ehkBounds);
  return { partitionKeys, explicitHashKeys, pkIndexes, ehkIndexes, dataStarts, dataEnds };
}

/**
 * UTF-8 strings of a key table's entries (`bounds`: start, end, start, end, ...). The KPL writes
 * a table's entries back to back, so the whole table is decoded with one native call and, when it
 * is ASCII, each key is a substring of it (V8 shares the table's characters rather than copying
 * them): measured about twice as fast as decoding key by key with the bench's random 36-char
 * keys. A table that is not ASCII, or is spread among other fields, is decoded entry by entry.
 */
function decodeKeys(buf: Buffer, bounds: readonly number[]): string[] {
  const count = bounds.length / 2;
  const keys = new Array<string>(count);
  if (count > 1) {
    const spanStart = bounds[0]!;
    const spanEnd = bounds[bounds.length - 1]!;
    let keyBytes = 0;
    for (let i = 0; i < bounds.length; i += 2) keyBytes += bounds[i + 1]! - bounds[i]!;
    // Between entries there are only a tag and a length (at most 3 bytes: keys are under 2^14 bytes in any table worth this path).
    if (spanEnd - spanStart <= keyBytes + 3 * count) {
      const span = buf.toString('utf8', spanStart, spanEnd);
      // One char per byte and no replacement char: every byte was ASCII, so byte offsets are
      // char offsets (a multi-byte sequence would shorten the string; a stray byte decodes to
      // U+FFFD).
      if (span.length === spanEnd - spanStart && !span.includes('\ufffd')) {
        for (let i = 0; i < count; i++) {
          keys[i] = span.substring(bounds[2 * i]! - spanStart, bounds[2 * i + 1]! - spanStart);
        }
        return keys;
      }
    }
  }
  for (let i = 0; i < count; i++) keys[i] = buf.toString('utf8', bounds[2 * i], bounds[2 * i + 1]);
  return keys;
}

/** Read position of smallVarint (module scratch, so the hot path allocates nothing). */
let cursor = 0;

/**
 * A varint of at most 4 bytes at `cursor`, or -1. Reads past the end of `buf` give undefined,
 * which ends no varint and adds nothing; the caller's final bounds check rejects such reads.
 */
function smallVarint(buf: Buffer): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    const b = buf[cursor++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return value;
  }
  return -1;
}

/**
 * The fast path for a Record laid out as the KPL writes it: `08 <pk index>`, optionally
 * `10 <ehk index>`, then `1A <length> <data>` ending exactly at `end`, with varints of at most
 * 4 bytes. Returns false, having recorded nothing, for any other layout, which then goes through
 * the general parser (readRecord); for this layout both give the same result.
 */
function readKplRecord(
  buf: Buffer,
  start: number,
  end: number,
  pkIndexes: number[],
  ehkIndexes: number[],
  dataStarts: number[],
  dataEnds: number[],
): boolean {
  cursor = start;
  if (buf[cursor++] !== 0x08) return false;
  const pkIdx = smallVarint(buf);
  let ehkIdx = -1;
  let tag = buf[cursor++];
  if (tag === 0x10) {
    ehkIdx = smallVarint(buf);
    if (ehkIdx < 0) return false;
    tag = buf[cursor++];
  }
  if (tag !== 0x1a) return false;
  const length = smallVarint(buf);
  // Every byte read lies in [start, end) exactly when the data ends at `end`.
  if (pkIdx < 0 || length < 0 || cursor + length !== end) return false;
  pkIndexes.push(pkIdx);
  ehkIndexes.push(ehkIdx);
  dataStarts.push(cursor);
  dataEnds.push(end);
  return true;
}

function readRecord(
  r: Reader,
  pkIndexes: number[],
  ehkIndexes: number[],
  dataStarts: number[],
  dataEnds: number[],
): void {
  let pkIdx = -1;
  let ehkIdx = -1;
  let dataStart = -1;
  let dataEnd = -1;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x08) {
      pkIdx = r.varint();
    } else if (tag === 0x10) {
      ehkIdx = r.varint();
    } else if (tag === 0x1a) {
      dataEnd = r.lengthDelimitedEnd();
      dataStart = r.pos;
      r.pos = dataEnd;
    } else if (tag === 0x22) {
      const fieldEnd = r.lengthDelimitedEnd();
      const outerEnd = r.end;
      r.end = fieldEnd;
      readTag(r);
      r.end = outerEnd;
    } else {
      r.skip(tag & 7, tag >>> 3);
    }
  }
  // proto2 required fields: the Java parser rejects a Record without them.
  if (pkIdx < 0 || dataStart < 0) throw MALFORMED;
  pkIndexes.push(pkIdx);
  ehkIndexes.push(ehkIdx);
  dataStarts.push(dataStart);
  dataEnds.push(dataEnd);
}

/** Validates a Tag (the KPL never writes tags; we only check it is well formed). */
function readTag(r: Reader): void {
  let hasKey = false;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x0a) hasKey = true;
    r.skip(tag & 7, tag >>> 3);
  }
  if (!hasKey) throw MALFORMED;
}
