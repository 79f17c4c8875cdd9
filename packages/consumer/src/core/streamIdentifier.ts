/**
 * Multi-stream identities as the Java KCL spells them (kcl.md §1.3): a stream is
 * `account:streamName:creationEpochSeconds` (`StreamIdentifier.serialize()`), which prefixes every
 * lease key of that stream and is stored in the lease's `streamName` attribute. The creation epoch
 * tells a re-created stream of the same name from the old one, so their leases never mix.
 *
 * Also stream ARNs (`arn:aws:kinesis:us-east-1:123456789012:stream/orders`), which carry the
 * account id the identifier needs and which cross-account reads must use.
 */

/** The parts of a serialized stream identifier. @public */
export interface StreamIdentifierParts {
  /** The AWS account id (digits). */
  readonly accountId: string;
  readonly streamName: string;
  /** The stream's creation time, whole seconds since the epoch (> 0). */
  readonly creationEpochSeconds: number;
}

/** The parts of a Kinesis stream ARN. @public */
export interface StreamArnParts {
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
}

/** The Java regex `([0-9]+):([^:]+):([0-9]+)`, anchored. */
const IDENTIFIER = /^([0-9]+):([^:]+):([0-9]+)$/;
/** Kinesis stream names: 1-128 of [a-zA-Z0-9_.-]. */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const ARN = /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):([0-9]+):stream\/([a-zA-Z0-9_.-]{1,128})$/;

/**
 * `account:stream:epoch`; throws a `RangeError` for parts the Java KCL would reject (a non-digit
 * account, a name with `:`, an epoch that is not a positive integer).
 * @public
 * @example
 * ```ts
 * formatStreamIdentifier({ accountId: '123456789012', streamName: 'orders', creationEpochSeconds: 1600000000 });
 * // '123456789012:orders:1600000000'
 * ```
 */
export function formatStreamIdentifier(parts: StreamIdentifierParts): string {
  const problem = identifierProblem(parts);
  if (problem !== undefined) throw new RangeError(`invalid stream identifier: ${problem}`);
  return `${parts.accountId}:${parts.streamName}:${parts.creationEpochSeconds}`;
}

/**
 * Parses `account:stream:epoch`; undefined when it is not one (the Java check, epoch > 0).
 * @public
 * @example
 * ```ts
 * parseStreamIdentifier(lease.streamIdentifier ?? '')?.streamName;
 * ```
 */
export function parseStreamIdentifier(value: string): StreamIdentifierParts | undefined {
  const m = IDENTIFIER.exec(value);
  if (m === null) return undefined;
  const parts = { accountId: m[1]!, streamName: m[2]!, creationEpochSeconds: Number(m[3]) };
  return identifierProblem(parts) === undefined ? parts : undefined;
}

/**
 * Parses a Kinesis stream ARN; undefined for anything else (a consumer ARN included).
 * @public
 * @example
 * ```ts
 * parseStreamArn('arn:aws:kinesis:us-east-1:123456789012:stream/orders')?.accountId; // '123456789012'
 * ```
 */
export function parseStreamArn(arn: string): StreamArnParts | undefined {
  const m = ARN.exec(arn);
  if (m === null) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, streamName: m[4]! };
}

/** `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. @public */
export function formatStreamArn(parts: StreamArnParts): string {
  return `arn:${parts.partition}:kinesis:${parts.region}:${parts.accountId}:stream/${parts.streamName}`;
}

/**
 * The identifier of the stream an ARN names, created at `creationEpochSeconds` (Java
 * `StreamIdentifier.multiStreamInstance(Arn, long)`).
 * @public
 */
export function streamIdentifierFromArn(arn: string, creationEpochSeconds: number): string {
  const parts = parseStreamArn(arn);
  if (parts === undefined) throw new RangeError(`not a Kinesis stream ARN: ${arn}`);
  return formatStreamIdentifier({ ...parts, creationEpochSeconds });
}

/** Whole seconds of a creation timestamp, as the KCL stores it (`Instant.getEpochSecond`). @public */
export function creationEpochSecondsOf(created: Date): number {
  return Math.floor(created.getTime() / 1000);
}

function identifierProblem(parts: StreamIdentifierParts): string | undefined {
  if (!/^[0-9]+$/.test(parts.accountId)) return `account id ${parts.accountId} is not digits`;
  if (parts.streamName === '' || parts.streamName.includes(':')) {
    return `stream name ${parts.streamName} is empty or contains ':'`;
  }
  const epoch = parts.creationEpochSeconds;
  if (!Number.isSafeInteger(epoch) || epoch <= 0) return `creation epoch ${epoch} is not > 0`;
  return undefined;
}

/** True for a valid Kinesis stream name. @internal */
export function isValidStreamName(name: string): boolean {
  return STREAM_NAME.test(name);
}
