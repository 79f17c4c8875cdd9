/**
 * Extended sequence numbers: a Kinesis sequence number plus the KPL sub-sequence number (the index
 * of a user record inside an aggregate), with the KCL's sentinel checkpoints. Ordering follows the
 * Java KCL's ExtendedSequenceNumber: SHARD_END is above everything; otherwise the value compares
 * as an integer with AT_TIMESTAMP = -3 < TRIM_HORIZON = -2 < LATEST = -1 < any sequence number,
 * and ties are broken by the sub-sequence number.
 */
import { ValidationError } from '../errors.js';

/** The sentinel checkpoint values, as the KCL stores them in the lease table. @public */
export type SentinelCheckpoint = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP' | 'SHARD_END';

/** @public */
export const SENTINEL_CHECKPOINTS: readonly SentinelCheckpoint[] = [
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
  'SHARD_END',
];

const SENTINEL_RANK: Record<Exclude<SentinelCheckpoint, 'SHARD_END'>, number> = {
  AT_TIMESTAMP: -3,
  TRIM_HORIZON: -2,
  LATEST: -1,
};

/** The longest sequence number the service documents (`[0-9]+`, up to 128 digits). */
const MAX_SEQUENCE_DIGITS = 128;
const DIGITS = /^[0-9]+$/;

/** @public */
export function isSentinelCheckpoint(value: string): value is SentinelCheckpoint {
  return (SENTINEL_CHECKPOINTS as readonly string[]).includes(value);
}

/** True when `value` is a plain decimal sequence number (not a sentinel). @public */
export function isSequenceNumber(value: string): boolean {
  return value.length > 0 && value.length <= MAX_SEQUENCE_DIGITS && DIGITS.test(value);
}

/**
 * A position in a shard: a sequence number or sentinel, and a sub-sequence number.
 * Immutable; compare with {@link compareExtendedSequenceNumbers}.
 * @public
 * @example
 * ```ts
 * const cp = ExtendedSequenceNumber.of('49590338271490256608559692538361571095921575989136588898', 3);
 * cp.compareTo(ExtendedSequenceNumber.SHARD_END) < 0; // true
 * ```
 */
export class ExtendedSequenceNumber {
  static readonly TRIM_HORIZON = new ExtendedSequenceNumber('TRIM_HORIZON', 0);
  static readonly LATEST = new ExtendedSequenceNumber('LATEST', 0);
  static readonly AT_TIMESTAMP = new ExtendedSequenceNumber('AT_TIMESTAMP', 0);
  static readonly SHARD_END = new ExtendedSequenceNumber('SHARD_END', 0);

  private constructor(
    readonly sequenceNumber: string,
    readonly subSequenceNumber: number,
  ) {}

  /**
   * Validates and builds one. `sequenceNumber` is a sentinel or up to 128 decimal digits;
   * `subSequenceNumber` a non-negative safe integer. Throws a ValidationError naming the field.
   */
  static of(sequenceNumber: string, subSequenceNumber = 0): ExtendedSequenceNumber {
    if (
      typeof sequenceNumber !== 'string' ||
      !(isSentinelCheckpoint(sequenceNumber) || isSequenceNumber(sequenceNumber))
    ) {
      throw new ValidationError(
        'sequenceNumber',
        `must be a sentinel (${SENTINEL_CHECKPOINTS.join(', ')}) or 1..${MAX_SEQUENCE_DIGITS} decimal digits, got ${describe(sequenceNumber)}`,
      );
    }
    if (!Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
      throw new ValidationError(
        'subSequenceNumber',
        `must be a non-negative integer, got ${describe(subSequenceNumber)}`,
      );
    }
    if (isSentinelCheckpoint(sequenceNumber) && subSequenceNumber === 0) {
      return ExtendedSequenceNumber[sequenceNumber];
    }
    return new ExtendedSequenceNumber(sequenceNumber, subSequenceNumber);
  }

  get isSentinel(): boolean {
    return isSentinelCheckpoint(this.sequenceNumber);
  }

  get isShardEnd(): boolean {
    return this.sequenceNumber === 'SHARD_END';
  }

  /** Negative, zero or positive as this is before, equal to or after `other`. */
  compareTo(other: ExtendedSequenceNumber): number {
    return compareExtendedSequenceNumbers(this, other);
  }

  equals(other: ExtendedSequenceNumber): boolean {
    return this.compareTo(other) === 0;
  }

  toString(): string {
    return this.subSequenceNumber === 0
      ? this.sequenceNumber
      : `${this.sequenceNumber}/${this.subSequenceNumber}`;
  }
}

/**
 * Orders two extended sequence numbers the way the KCL does.
 * @public
 */
export function compareExtendedSequenceNumbers(
  a: Pick<ExtendedSequenceNumber, 'sequenceNumber' | 'subSequenceNumber'>,
  b: Pick<ExtendedSequenceNumber, 'sequenceNumber' | 'subSequenceNumber'>,
): number {
  const aEnd = a.sequenceNumber === 'SHARD_END';
  const bEnd = b.sequenceNumber === 'SHARD_END';
  if (aEnd || bEnd) {
    // The KCL validates both sides before the SHARD_END shortcut, so garbage never compares.
    if (!aEnd) rank(a.sequenceNumber);
    if (!bEnd) rank(b.sequenceNumber);
    return aEnd === bEnd ? 0 : aEnd ? 1 : -1;
  }
  const bySequence = compareSequenceValues(a.sequenceNumber, b.sequenceNumber);
  if (bySequence !== 0) return bySequence;
  return Math.sign(a.subSequenceNumber - b.subSequenceNumber);
}

/**
 * Compares two sequence numbers (or non-SHARD_END sentinels) as integers, without allocating a
 * bigint: after stripping leading zeros a longer digit string is larger, equal lengths compare
 * as strings. Throws on anything that is neither.
 * @public
 */
export function compareSequenceNumbers(a: string, b: string): number {
  return compareSequenceValues(a, b);
}

function compareSequenceValues(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return Math.sign(ra - rb);
  const na = stripZeros(a);
  const nb = stripZeros(b);
  if (na.length !== nb.length) return na.length < nb.length ? -1 : 1;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** 0 for a digit string, the sentinel's negative rank otherwise; throws for garbage. */
function rank(value: string): number {
  if (isSequenceNumber(value)) return 0;
  const r = SENTINEL_RANK[value as keyof typeof SENTINEL_RANK];
  if (r === undefined) {
    throw new ValidationError(
      'sequenceNumber',
      `not a sequence number or sentinel: ${describe(value)}`,
    );
  }
  return r;
}

function stripZeros(value: string): string {
  let i = 0;
  while (i < value.length - 1 && value.charCodeAt(i) === 48) i++;
  return i === 0 ? value : value.slice(i);
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'number' ? String(value) : typeof value;
}
