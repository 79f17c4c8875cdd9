/**
 * PutRecords, translated: domain entries in, one result per entry out (partial failures are
 * values, not exceptions), and a failed request classified by the SDK error's `name`,
 * `$metadata` and `$retryable`. Decides nothing about retries; the producer does.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { classifyRequestError } from '../core/retryPlanner.js';
import type { FailureKind } from '../core/retryPlanner.js';
import { putRecordsCommand, putRecordsInput, speaksAwsJson11 } from './putRecordsCommand.js';

/** One Kinesis record to put. @internal */
export interface WriteEntry {
  readonly partitionKey: string;
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
}

/** Outcome of one entry. @internal */
export type EntryResult =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Outcome of one PutRecords call. @internal */
export type WriteResult =
  | { readonly ok: true; readonly entries: readonly EntryResult[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly kind: FailureKind;
      /** The SDK error, kept as the cause of what the caller sees. */
      readonly error: unknown;
    };

/** The port the producer writes through (a fake in unit tests). @internal */
export interface RecordWriter {
  putRecords(entries: readonly WriteEntry[], signal?: AbortSignal): Promise<WriteResult>;
}

/** Error code given when the response does not answer every entry (the KPL's "Record Count Mismatch"). @internal */
export const RECORD_COUNT_MISMATCH = 'RecordCountMismatch';

/** @internal */
export class KinesisWriter implements RecordWriter {
  /**
   * Whether requests carry the body written by putRecordsBody.ts (memory: see there) rather than
   * the SDK's serialisation: for every client speaking awsJson1_1, i.e. all but those given
   * another protocol.
   */
  private ownBody: boolean | undefined;

  constructor(
    private readonly client: KinesisClient,
    private readonly target: { readonly streamName?: string; readonly streamArn?: string },
  ) {}

  async putRecords(entries: readonly WriteEntry[], signal?: AbortSignal): Promise<WriteResult> {
    // Decided at the first request: tests build producers whose client is never used.
    this.ownBody ??= speaksAwsJson11(this.client);
    const command = this.ownBody
      ? putRecordsCommand(this.target, entries)
      : new PutRecordsCommand(putRecordsInput(this.target, entries));
    let output;
    try {
      // Always an options object, never undefined: a client configured with cacheMiddleware
      // reuses the first command's resolved middleware for every send() without options, and
      // would send that command's body (its middleware carries the records) every time.
      output = await this.client.send(command, signal ? { abortSignal: signal } : {});
    } catch (error) {
      return { ok: false, error, ...classifyRequestError(error) };
    }
    const records = output.Records ?? [];
    if (records.length !== entries.length) {
      return {
        ok: false,
        code: RECORD_COUNT_MISMATCH,
        kind: 'retriable',
        error: new Error(`PutRecords answered ${records.length} of ${entries.length} entries`),
      };
    }
    return {
      ok: true,
      entries: records.map((r): EntryResult => {
        if (r.SequenceNumber && r.ShardId) {
          return { ok: true, shardId: r.ShardId, sequenceNumber: r.SequenceNumber };
        }
        return {
          ok: false,
          code: r.ErrorCode ?? 'UnknownError',
          message: r.ErrorMessage ?? '',
        };
      }),
    };
  }
}
