/** Turning input lines into records (put) and records into output lines (tail). */
import type { UserRecord } from '@kinesis-kit/common';
import type { UserRecordInput } from '@kinesis-kit/producer';

/** How put reads its input. */
export interface InputFormat {
  /** Lines are JSON: `{"partitionKey": "...", "data": ...}`. */
  readonly json: boolean;
  /** Key for plain lines (and JSON lines without one); random per record when absent. */
  readonly partitionKey: string | undefined;
}

/** A line that is not a record; the message names the line. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * One input line as a record. JSON lines take `partitionKey`, `explicitHashKey` and either
 * `data` (a string is sent as UTF-8, anything else as its JSON text) or `dataBase64`.
 */
export function parseInputRecord(
  line: string,
  lineNo: number,
  format: InputFormat,
  randomKey: () => string,
): UserRecordInput {
  if (!format.json) return { partitionKey: format.partitionKey ?? randomKey(), data: line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError(`line ${lineNo}: not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`line ${lineNo}: expected an object with partitionKey and data`);
  }
  const o = value as Record<string, unknown>;
  const partitionKey = o.partitionKey ?? format.partitionKey ?? randomKey();
  if (typeof partitionKey !== 'string') {
    throw new InputError(`line ${lineNo}: partitionKey must be a string`);
  }
  let data: Uint8Array | string;
  if (typeof o.dataBase64 === 'string') data = Buffer.from(o.dataBase64, 'base64');
  else if (typeof o.data === 'string') data = o.data;
  else if (o.data !== undefined) data = JSON.stringify(o.data);
  else throw new InputError(`line ${lineNo}: data (or dataBase64) is required`);
  const ehk = o.explicitHashKey;
  if (ehk !== undefined && typeof ehk !== 'string') {
    throw new InputError(`line ${lineNo}: explicitHashKey must be a decimal string`);
  }
  return { partitionKey, data, ...(ehk !== undefined && { explicitHashKey: ehk }) };
}

/** A record read from a shard, with the shard it came from. */
export type TailRecord = UserRecord & { readonly shardId: string };

/** `data` as text when it is valid UTF-8 without control characters, else undefined. */
export function asText(data: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : text;
}

/** One tail line: `shardId sequence[/sub] partitionKey data` (data base64: prefixed when binary). */
export function formatRecordLine(r: TailRecord): string {
  const text = asText(r.data);
  const sub = r.aggregated ? `/${r.subSequenceNumber}` : '';
  const data = text ?? `base64:${Buffer.from(r.data).toString('base64')}`;
  return `${r.shardId} ${r.sequenceNumber}${sub} ${r.partitionKey} ${data}`;
}

/** One tail line in --json form. */
export function formatRecordJson(r: TailRecord): string {
  const text = asText(r.data);
  return JSON.stringify({
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    subSequenceNumber: r.subSequenceNumber,
    aggregated: r.aggregated,
    partitionKey: r.partitionKey,
    ...(r.explicitHashKey !== undefined && { explicitHashKey: r.explicitHashKey }),
    ...(r.approximateArrivalTimestamp !== undefined && {
      approximateArrivalTimestamp: r.approximateArrivalTimestamp.toISOString(),
    }),
    ...(text !== undefined
      ? { data: text }
      : { dataBase64: Buffer.from(r.data).toString('base64') }),
  });
}
