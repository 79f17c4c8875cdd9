/**
 * Validates a Lambda Kinesis event and decodes every record's base64 data, before any user code
 * runs. A malformed record fails the whole invocation with a ValidationError naming the field and
 * the record index: it cannot be reported as a batch item (it may have no sequence number) and
 * running the records before it would only have them run again when Lambda retries the batch.
 */
import { ValidationError, isSequenceNumber } from '@kinesis-kit/common';

/** One Kinesis record of the event, validated and decoded. @public */
export interface KinesisEventRecord {
  /** Position in `event.Records`. */
  readonly index: number;
  readonly eventID: string;
  readonly eventSourceARN: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** The decoded `kinesis.data`. */
  readonly data: Buffer;
  readonly approximateArrivalTimestamp: Date;
}

/**
 * Validates `event` (the shape of `KinesisStreamEvent`) and decodes each record.
 * @throws ValidationError naming the first bad field, e.g. `Records[2].kinesis.data`
 * @public
 * @example
 * ```ts
 * for (const r of parseKinesisStreamEvent(event)) console.log(r.shardId, r.sequenceNumber);
 * ```
 */
export function parseKinesisStreamEvent(event: unknown): KinesisEventRecord[] {
  if (!isObject(event)) throw new ValidationError('event', 'is not an object');
  const records = event.Records;
  if (!Array.isArray(records)) {
    throw new ValidationError('Records', 'is missing or not an array (not a Kinesis event?)');
  }
  return records.map((record: unknown, index) => parseRecord(record, index));
}

function parseRecord(record: unknown, index: number): KinesisEventRecord {
  const at = `Records[${index}]`;
  const fail = (field: string, message: string, eventID?: unknown): never => {
    const context = typeof eventID === 'string' ? { eventID } : {};
    throw new ValidationError(`${at}${field}`, message, { recordIndex: index, ...context });
  };
  if (!isObject(record)) return fail('', 'is not an object');
  const { eventID, eventSourceARN, kinesis } = record;
  if (!isObject(kinesis)) return fail('.kinesis', 'is missing', eventID);

  const { data, sequenceNumber, partitionKey, approximateArrivalTimestamp } = kinesis;
  if (typeof sequenceNumber !== 'string' || !isSequenceNumber(sequenceNumber)) {
    return fail('.kinesis.sequenceNumber', describe(sequenceNumber, 'a decimal string'), eventID);
  }
  if (typeof partitionKey !== 'string' || partitionKey.length === 0) {
    return fail('.kinesis.partitionKey', describe(partitionKey, 'a non-empty string'), eventID);
  }
  if (typeof data !== 'string') {
    return fail('.kinesis.data', describe(data, 'a base64 string'), eventID);
  }
  const bytes = decodeBase64(data);
  if (bytes === undefined) return fail('.kinesis.data', 'is not valid base64', eventID);
  if (typeof approximateArrivalTimestamp !== 'number' || !(approximateArrivalTimestamp >= 0)) {
    return fail(
      '.kinesis.approximateArrivalTimestamp',
      describe(approximateArrivalTimestamp, 'epoch seconds'),
      eventID,
    );
  }
  if (typeof eventSourceARN !== 'string' || eventSourceARN.length === 0) {
    return fail('.eventSourceARN', describe(eventSourceARN, 'a non-empty string'), eventID);
  }
  const shardId = typeof eventID === 'string' ? shardIdOf(eventID) : undefined;
  if (shardId === undefined) {
    return fail('.eventID', describe(eventID, '"<shardId>:<sequenceNumber>"'), eventID);
  }
  return {
    index,
    eventID: eventID as string,
    eventSourceARN,
    shardId,
    sequenceNumber,
    partitionKey,
    data: bytes,
    // Lambda sends seconds with a fractional part (milliseconds); Date rounds sub-millisecond noise.
    approximateArrivalTimestamp: new Date(Math.round(approximateArrivalTimestamp * 1000)),
  };
}

/**
 * Lambda sends standard padded base64. Node's decoder silently skips characters it does not know
 * (and stops at a misplaced `=`), so a corrupted string would decode to other bytes. Every skipped
 * character costs at least one output byte, so comparing the decoded length with the length the
 * string must have is an exact check, at no cost beyond the decode (a regex over the string took
 * about twice as long as the decode itself). URL-safe `-` and `_` decode to the same bytes as `+`
 * and `/`, so they are accepted.
 */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

/** `shardId-000000000000:4954…` → `shardId-000000000000`. */
function shardIdOf(eventID: string): string | undefined {
  const colon = eventID.lastIndexOf(':');
  if (colon <= 0 || !isSequenceNumber(eventID.slice(colon + 1))) return undefined;
  return eventID.slice(0, colon);
}

function describe(value: unknown, expected: string): string {
  if (value === undefined) return `is missing (expected ${expected})`;
  if (typeof value === 'string') return `is not ${expected}`;
  return `is not ${expected} (got ${value === null ? 'null' : typeof value})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
