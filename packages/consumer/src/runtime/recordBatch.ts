/**
 * Turns one GetRecords answer into the user records a processor sees: KPL aggregates split with
 * the common codec (KCL semantics: sub-sequence numbers, the whole aggregate dropped when a
 * sub-record hashes outside the shard, a corrupt aggregate passed through raw), and records at or
 * before the resume checkpoint dropped (kcl.md §5.5). This is the consumer's hot path: plain
 * records skip the codec, and the checkpoint comparison stops after the first newer record.
 */
import { compareSequenceNumbers, deaggregate, isAggregated } from '@kinesis-kit/common';
import type { ExtendedSequenceNumber, HashKeyRange } from '@kinesis-kit/common';
import type { LeaseHashKeyRange } from '../ports.js';
import type { ConsumerRecord } from '../processor.js';
import type { RawRecord } from '../retrievalPorts.js';

/** Converts the lease's decimal hash range for the codec; undefined means "do not filter". */
export function toHashKeyRange(range: LeaseHashKeyRange | undefined): HashKeyRange | undefined {
  if (range === undefined) return undefined;
  return { start: BigInt(range.startingHashKey), end: BigInt(range.endingHashKey) };
}

/** The data bytes of `records`, for a source that did not count them. @internal */
export function dataBytesOf(records: readonly { readonly data: Uint8Array }[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.data.length;
  return bytes;
}

/** One slice of a read: its user records and their data bytes (DataBytesProcessed). @internal */
export interface UserRecordSlice {
  readonly records: ConsumerRecord[];
  readonly dataBytes: number;
}

/**
 * Drops what a resume from `checkpoint` must not redeliver: every (sub)record whose
 * (sequence, sub-sequence) is at or before it. Stateful: once a record past the checkpoint went
 * through, every later one will too (sequence numbers only grow), so it stops comparing.
 */
export class ResumeFilter {
  private checkpoint: ExtendedSequenceNumber | undefined;

  constructor(checkpoint: ExtendedSequenceNumber | undefined) {
    this.checkpoint = checkpoint !== undefined && !checkpoint.isSentinel ? checkpoint : undefined;
  }

  get active(): boolean {
    return this.checkpoint !== undefined;
  }

  /** True when the record should be delivered. */
  accept(sequenceNumber: string, subSequenceNumber: number): boolean {
    const cp = this.checkpoint;
    if (cp === undefined) return true;
    const bySequence = compareSequenceNumbers(sequenceNumber, cp.sequenceNumber);
    if (bySequence < 0) return false;
    if (bySequence === 0 && subSequenceNumber <= cp.subSequenceNumber) return false;
    this.checkpoint = undefined;
    return true;
  }
}

/**
 * Turns one answer's raw records into user records a slice at a time, at most `limit` per slice,
 * in order: a KPL aggregate is deaggregated when its slice is taken, and one with more user records
 * than fit is split across slices. Only one slice's records exist at once, so a young-generation GC
 * that runs while a slice is being handed over copies at most that slice: a 1 MiB answer is ~7 000
 * user records (a 10 MiB one ~70 000), and handing them over as one array made the consumer's
 * scavenges copy and promote about five times the bytes the bare GetRecords loop's do.
 * @internal
 */
export class UserRecordSlicer {
  /** The next raw record to convert. */
  private index = 0;
  /** The user records of an aggregate that did not fit its slice, from `spillFrom` on. */
  private spill: readonly ConsumerRecord[] | undefined;
  private spillFrom = 0;
  private readonly options: { readonly hashRange?: HashKeyRange };

  constructor(
    private readonly raw: readonly RawRecord[],
    private readonly limit: number,
    hashRange: HashKeyRange | undefined,
    private readonly filter: ResumeFilter,
  ) {
    this.options = hashRange === undefined ? {} : { hashRange };
  }

  /** True once every raw record was handed over (or filtered out). */
  get done(): boolean {
    return this.spill === undefined && this.index >= this.raw.length;
  }

  /**
   * The next slice; empty when what was left filtered down to nothing. Its bytes are counted
   * here, where every record is in hand, rather than in another pass for the metrics.
   */
  take(): UserRecordSlice {
    const { raw, limit, filter } = this;
    const out: ConsumerRecord[] = [];
    let dataBytes = 0;
    if (this.spill !== undefined) dataBytes += this.spillInto(out, this.spill, this.spillFrom);
    while (out.length < limit && this.index < raw.length) {
      const record = raw[this.index++]!;
      const data = record.data;
      if (!isAggregated(data)) {
        if (filter.active && !filter.accept(record.sequenceNumber, 0)) continue;
        dataBytes += data.length;
        out.push({
          data,
          partitionKey: record.partitionKey,
          explicitHashKey: undefined,
          sequenceNumber: record.sequenceNumber,
          subSequenceNumber: 0,
          approximateArrivalTimestamp: record.approximateArrivalTimestamp,
          aggregated: false,
        });
        continue;
      }
      // The codec's user records are handed on as they are (no second object per sub-record):
      // they have every ConsumerRecord field, and the arrival time is set because the raw record
      // has one.
      const users = deaggregate(record, this.options) as ConsumerRecord[];
      let from = 0;
      if (filter.active) {
        while (
          from < users.length &&
          !filter.accept(users[from]!.sequenceNumber, users[from]!.subSequenceNumber)
        )
          from++;
      }
      dataBytes += this.spillInto(out, users, from);
    }
    return { records: out, dataBytes };
  }

  /**
   * Moves `users[from…]` into `out` up to the limit, keeping what does not fit for the next slice;
   * returns the data bytes moved.
   */
  private spillInto(out: ConsumerRecord[], users: readonly ConsumerRecord[], from: number): number {
    const end = Math.min(users.length, from + this.limit - out.length);
    let bytes = 0;
    for (let i = from; i < end; i++) {
      const user = users[i]!;
      bytes += user.data.length;
      out.push(user);
    }
    if (end < users.length) {
      this.spill = users;
      this.spillFrom = end;
    } else {
      this.spill = undefined;
    }
    return bytes;
  }
}
