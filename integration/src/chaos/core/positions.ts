/**
 * Record positions and their order: sequence numbers are decimal strings of up to 128 bits,
 * compared as bigints, with the KCL's sentinels around them (TRIM_HORIZON and LATEST before any
 * record, SHARD_END after every record).
 */

const BEFORE_ALL = new Set(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']);

/** `shardId/sequence/sub`: one user record's place in the stream. @internal */
export function positionKey(shardId: string, sequenceNumber: string, sub: number): string {
  return `${shardId}/${sequenceNumber}/${String(sub)}`;
}

function rank(sequenceNumber: string): 0 | 1 | 2 {
  if (BEFORE_ALL.has(sequenceNumber)) return 0;
  if (sequenceNumber === 'SHARD_END') return 2;
  return 1;
}

/**
 * Compares two (sequence, sub-sequence) positions, sentinels included: negative, 0 or positive.
 * @internal
 */
export function comparePositions(
  a: { readonly sequenceNumber: string; readonly subSequenceNumber: number },
  b: { readonly sequenceNumber: string; readonly subSequenceNumber: number },
): number {
  const ra = rank(a.sequenceNumber);
  const rb = rank(b.sequenceNumber);
  if (ra !== rb || ra !== 1) return ra - rb;
  const sa = BigInt(a.sequenceNumber);
  const sb = BigInt(b.sequenceNumber);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.subSequenceNumber - b.subSequenceNumber;
}

/** Readable form of a position for messages. @internal */
export function formatPosition(p: {
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}): string {
  return p.subSequenceNumber === 0
    ? p.sequenceNumber
    : `${p.sequenceNumber}.${p.subSequenceNumber}`;
}
