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
 * allocation of its exact size. The base64 of each entry's data and the JSON literal of each key
 * are short-lived strings made by Node's and V8's native encoders: they die in the young
 * generation, unlike ArrayBuffers.
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

const OPEN = '{"Records":[';
const ENTRY_OPEN = '{"Data":"';
const EHK = '","ExplicitHashKey":';
const PK_AFTER_DATA = '","PartitionKey":';
const PK_AFTER_EHK = ',"PartitionKey":';
const STREAM_NAME = '],"StreamName":';
const STREAM_ARN = '],"StreamARN":';

/**
 * The body as ASCII pieces (member names, base64, which `latin1` writes byte for byte) and
 * JSON string literals (written as UTF-8; JSON.stringify escapes lone surrogates, so every
 * literal is well-formed). Even positions are ASCII, odd ones literals.
 */
function pieces(target: BodyTarget, entries: readonly BodyEntry[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k]!;
    const data = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    const head = `${k === 0 ? OPEN : '},'}${ENTRY_OPEN}${data.toString('base64')}`;
    if (e.explicitHashKey === undefined) out.push(head + PK_AFTER_DATA);
    else out.push(head + EHK, JSON.stringify(e.explicitHashKey), PK_AFTER_EHK);
    out.push(JSON.stringify(e.partitionKey));
  }
  const close = entries.length === 0 ? OPEN : '}';
  if (target.streamArn !== undefined)
    out.push(close + STREAM_ARN, JSON.stringify(target.streamArn), '}');
  else if (target.streamName !== undefined) {
    out.push(close + STREAM_NAME, JSON.stringify(target.streamName), '}');
  } else out.push(`${close}]}`);
  return out;
}

function lengthOf(parts: readonly string[]): number {
  let n = 0;
  for (let j = 0; j < parts.length; j++) {
    n += j % 2 === 0 ? parts[j]!.length : Buffer.byteLength(parts[j]!, 'utf8');
  }
  return n;
}

/** Exact byte length of `encodePutRecordsBody(target, entries)`. @internal */
export function putRecordsBodyLength(target: BodyTarget, entries: readonly BodyEntry[]): number {
  return lengthOf(pieces(target, entries));
}

/** The PutRecords body as one buffer of exactly its length. @internal */
export function encodePutRecordsBody(
  target: BodyTarget,
  entries: readonly BodyEntry[],
): Uint8Array {
  const parts = pieces(target, entries);
  // allocUnsafe: every byte is written below. Bodies under 4 KiB share Node's pool slab.
  const out = Buffer.allocUnsafe(lengthOf(parts));
  let i = 0;
  for (let j = 0; j < parts.length; j++) {
    i += out.write(parts[j]!, i, j % 2 === 0 ? 'latin1' : 'utf8');
  }
  if (i !== out.length) {
    throw new Error(`PutRecords body: wrote ${i} bytes, computed ${out.length}`);
  }
  return out;
}
