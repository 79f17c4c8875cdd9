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
 * Appends the user records of `raw` to `out`. Returns nothing: allocation-free for plain records
 * apart from the record object itself.
 */
export function appendUserRecords(
  raw: readonly RawRecord[],
  hashRange: HashKeyRange | undefined,
  filter: ResumeFilter,
  out: ConsumerRecord[],
): void {
  const options = hashRange === undefined ? {} : { hashRange };
  for (const record of raw) {
    if (!isAggregated(record.data)) {
      if (filter.active && !filter.accept(record.sequenceNumber, 0)) continue;
      out.push({
        data: record.data,
        partitionKey: record.partitionKey,
        explicitHashKey: undefined,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: 0,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp,
        aggregated: false,
      });
      continue;
    }
    // The codec's user records are handed on as they are (no second object per sub-record): they
    // have every ConsumerRecord field, and the arrival time is set because the raw record has one.
    const users = deaggregate(record, options) as ConsumerRecord[];
    if (!filter.active) {
      for (const user of users) out.push(user);
      continue;
    }
    for (const user of users) {
      if (filter.accept(user.sequenceNumber, user.subSequenceNumber)) out.push(user);
    }
  }
}
