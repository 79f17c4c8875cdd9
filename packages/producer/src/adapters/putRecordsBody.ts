/**
 * The JSON body of a PutRecords request, written once into a buffer of exactly its size.
 *
 * Why not leave it to the SDK: its JSON serialiser (@smithy/core's JsonShapeSerializer2, used by
 * the awsJson1_1 protocol) writes into a buffer that starts at 2 KiB and doubles, copying at each
 * step, so a 1 MiB body costs about 4 MiB of ArrayBuffers and the body it sends is a view of a
 * buffer up to twice its size. In the memory benchmark that was 13 MiB/s of ArrayBuffers for
 * 4 MiB/s of records, two thirds of all the producer's ArrayBuffer churn, and V8 frees an
 * ArrayBuffer only when it collects its wrapper, which for a request that outlives two
 * scavenges means the next full GC. Sizes here are computed first, so the body is one
 * allocation of its exact size and nothing else (no base64 or JSON strings in between).
 *
 * The output is byte for byte what the SDK writes for the same input (test/unit/adapters): the
 * members in the service model's order (`Records` entries as `Data`, `ExplicitHashKey`,
 * `PartitionKey`; then `StreamName` or `StreamARN`), absent members skipped, `Data` in standard
 * padded base64, strings escaped like JSON.stringify (`\"`, `\\`, `\b\t\n\f\r`, `\u00xx` for other
 * control characters and lone surrogates, everything else as UTF-8).
 */

/** One entry of the body. @internal */
export interface BodyEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
}

/** Which stream the request names; the ARN wins when both are given. @internal */
export interface BodyTarget {
  readonly streamName?: string | undefined;
  readonly streamArn?: string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const B64 = Uint8Array.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  (c) => c.charCodeAt(0),
);
/** For each ASCII code, its escape's second character (`\n` → 'n'), 0x75 ('u') for `\u00xx`, or 0. */
const ESCAPE = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75;
for (const [c, e] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [QUOTE, '"'],
  [BACKSLASH, '\\'],
] as const) {
  ESCAPE[c] = e.charCodeAt(0);
}
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

const OPEN = '{"Records":[';
const ENTRY_OPEN = '{"Data":"';
const EHK = '","ExplicitHashKey":';
const PK_AFTER_DATA = '","PartitionKey":';
const PK_AFTER_EHK = ',"PartitionKey":';
const STREAM_NAME = '],"StreamName":';
const STREAM_ARN = '],"StreamARN":';

/** Length of `s` as a JSON string literal in UTF-8, quotes included. @internal */
export function jsonStringLength(s: string): number {
  let n = 2;
  const z = s.length;
  for (let j = 0; j < z; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80)
      n += c >= 0x20 ? (c === QUOTE || c === BACKSLASH ? 2 : 1) : ESCAPE[c] === 0x75 ? 6 : 2;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = j + 1 < z ? s.charCodeAt(j + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        j++;
      } else n += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

function writeJsonString(s: string, out: Uint8Array, at: number): number {
  let i = at;
  out[i++] = QUOTE;
  const z = s.length;
  for (let j = 0; j < z; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) {
      const e = ESCAPE[c]!;
      if (e === 0) out[i++] = c;
      else if (e !== 0x75) {
        out[i++] = BACKSLASH;
        out[i++] = e;
      } else i = writeUnicodeEscape(c, out, i);
    } else if (c < 0x800) {
      out[i++] = 0xc0 | (c >> 6);
      out[i++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = j + 1 < z ? s.charCodeAt(j + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        out[i++] = 0xf0 | (cp >> 18);
        out[i++] = 0x80 | ((cp >> 12) & 0x3f);
        out[i++] = 0x80 | ((cp >> 6) & 0x3f);
        out[i++] = 0x80 | (cp & 0x3f);
        j++;
      } else i = writeUnicodeEscape(c, out, i);
    } else {
      out[i++] = 0xe0 | (c >> 12);
      out[i++] = 0x80 | ((c >> 6) & 0x3f);
      out[i++] = 0x80 | (c & 0x3f);
    }
  }
  out[i++] = QUOTE;
  return i;
}

function writeUnicodeEscape(c: number, out: Uint8Array, at: number): number {
  out[at] = BACKSLASH;
  out[at + 1] = 0x75;
  out[at + 2] = HEX[c >> 12]!;
  out[at + 3] = HEX[(c >> 8) & 0xf]!;
  out[at + 4] = HEX[(c >> 4) & 0xf]!;
  out[at + 5] = HEX[c & 0xf]!;
  return at + 6;
}

/** ASCII-only literals (the member names above). */
function writeAscii(s: string, out: Uint8Array, at: number): number {
  for (let j = 0; j < s.length; j++) out[at + j] = s.charCodeAt(j);
  return at + s.length;
}

function writeBase64(data: Uint8Array, out: Uint8Array, at: number): number {
  let i = at;
  const len = data.length;
  const main = len - (len % 3);
  for (let j = 0; j < main; j += 3) {
    const v = (data[j]! << 16) | (data[j + 1]! << 8) | data[j + 2]!;
    out[i] = B64[v >> 18]!;
    out[i + 1] = B64[(v >> 12) & 0x3f]!;
    out[i + 2] = B64[(v >> 6) & 0x3f]!;
    out[i + 3] = B64[v & 0x3f]!;
    i += 4;
  }
  if (len - main === 1) {
    const a = data[main]!;
    out[i++] = B64[a >> 2]!;
    out[i++] = B64[(a & 0x03) << 4]!;
    out[i++] = 0x3d;
    out[i++] = 0x3d;
  } else if (len - main === 2) {
    const a = data[main]!;
    const b = data[main + 1]!;
    out[i++] = B64[a >> 2]!;
    out[i++] = B64[((a & 0x03) << 4) | (b >> 4)]!;
    out[i++] = B64[(b & 0x0f) << 2]!;
    out[i++] = 0x3d;
  }
  return i;
}

/** Exact byte length of `encodePutRecordsBody(target, entries)`. @internal */
export function putRecordsBodyLength(target: BodyTarget, entries: readonly BodyEntry[]): number {
  let n = OPEN.length + 1; // the closing brace
  if (target.streamArn !== undefined) n += STREAM_ARN.length + jsonStringLength(target.streamArn);
  else if (target.streamName !== undefined) {
    n += STREAM_NAME.length + jsonStringLength(target.streamName);
  } else n += 1; // only the closing bracket
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k]!;
    if (k > 0) n += 1;
    n += ENTRY_OPEN.length + Math.ceil(e.data.length / 3) * 4 + 1;
    n += jsonStringLength(e.partitionKey);
    n +=
      e.explicitHashKey === undefined
        ? PK_AFTER_DATA.length
        : EHK.length + jsonStringLength(e.explicitHashKey) + PK_AFTER_EHK.length;
  }
  return n;
}

/**
 * Writes the PutRecords body for `entries` into `out` (at least `putRecordsBodyLength` bytes)
 * and returns the number of bytes written. @internal
 */
export function writePutRecordsBody(
  target: BodyTarget,
  entries: readonly BodyEntry[],
  out: Uint8Array,
): number {
  let i = writeAscii(OPEN, out, 0);
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k]!;
    if (k > 0) out[i++] = 0x2c;
    i = writeAscii(ENTRY_OPEN, out, i);
    i = writeBase64(e.data, out, i);
    if (e.explicitHashKey === undefined) i = writeAscii(PK_AFTER_DATA, out, i);
    else {
      i = writeAscii(EHK, out, i);
      i = writeJsonString(e.explicitHashKey, out, i);
      i = writeAscii(PK_AFTER_EHK, out, i);
    }
    i = writeJsonString(e.partitionKey, out, i);
    out[i++] = 0x7d;
  }
  if (target.streamArn !== undefined) {
    i = writeAscii(STREAM_ARN, out, i);
    i = writeJsonString(target.streamArn, out, i);
  } else if (target.streamName !== undefined) {
    i = writeAscii(STREAM_NAME, out, i);
    i = writeJsonString(target.streamName, out, i);
  } else out[i++] = 0x5d;
  out[i++] = 0x7d;
  return i;
}

/** The PutRecords body as one buffer of exactly its length. @internal */
export function encodePutRecordsBody(
  target: BodyTarget,
  entries: readonly BodyEntry[],
): Uint8Array {
  // allocUnsafe: every byte is written below. Bodies under 4 KiB share Node's pool slab.
  const out = Buffer.allocUnsafe(putRecordsBodyLength(target, entries));
  const written = writePutRecordsBody(target, entries, out);
  if (written !== out.length) {
    throw new Error(`PutRecords body: wrote ${written} bytes, computed ${out.length}`);
  }
  return out;
}
