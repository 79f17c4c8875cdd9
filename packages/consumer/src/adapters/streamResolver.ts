/**
 * Turns a stream spec (name, ARN or serialized identifier) into the KCL stream identifier
 * `account:stream:creationEpochSeconds` plus what requests need (ARN). Names and ARNs are
 * described once (DescribeStreamSummary gives the ARN, hence the account, and the creation time);
 * an identifier needs no call: its ARN is built from the client's region, which is also how a
 * stream known only from the lease table is read. Decides nothing else.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  creationEpochSecondsOf,
  formatStreamArn,
  parseStreamIdentifier,
  streamIdentifierFromArn,
} from '../core/streamIdentifier.js';
import type { NormalizedStreamSpec } from '../multiStreamOptions.js';

/** A stream with its KCL identity. @internal */
export interface ResolvedStream {
  readonly streamIdentifier: string;
  readonly streamName: string;
  readonly streamArn: string;
}

/** @internal */
export class StreamResolver {
  private readonly cache = new Map<string, ResolvedStream>();

  constructor(
    private readonly client: Pick<KinesisClient, 'send'>,
    /** The client's region (`await client.config.region()`), for ARNs built from identifiers. */
    private readonly region: string,
  ) {}

  /** Resolves a spec; DescribeStreamSummary errors (e.g. ResourceNotFound) propagate. */
  async resolve(spec: NormalizedStreamSpec, signal?: AbortSignal): Promise<ResolvedStream> {
    if (spec.streamIdentifier !== undefined) return this.fromIdentifier(spec.streamIdentifier);
    if (spec.streamArn === undefined && spec.streamName === undefined) {
      throw new RangeError('a stream spec needs a name, an ARN or an identifier');
    }
    const key = spec.streamArn ?? `name:${spec.streamName ?? ''}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const out = await this.client.send(
      new DescribeStreamSummaryCommand(
        spec.streamArn !== undefined
          ? { StreamARN: spec.streamArn }
          : { StreamName: spec.streamName },
      ),
      { abortSignal: signal },
    );
    const summary = out.StreamDescriptionSummary;
    const arn = summary?.StreamARN ?? spec.streamArn;
    const created = summary?.StreamCreationTimestamp;
    if (arn === undefined || created === undefined || summary?.StreamName === undefined) {
      throw new Error(`DescribeStreamSummary gave no ARN or creation time for ${key}`);
    }
    const resolved: ResolvedStream = {
      streamIdentifier: streamIdentifierFromArn(arn, creationEpochSecondsOf(created)),
      streamName: summary.StreamName,
      streamArn: arn,
    };
    this.cache.set(key, resolved);
    return resolved;
  }

  /** A stream known by its identifier only (listed so, or found in the lease table). */
  fromIdentifier(streamIdentifier: string): ResolvedStream {
    const parts = parseStreamIdentifier(streamIdentifier);
    if (parts === undefined) throw new RangeError(`not a stream identifier: ${streamIdentifier}`);
    const region = this.region;
    return {
      streamIdentifier,
      streamName: parts.streamName,
      streamArn: formatStreamArn({ ...parts, partition: partitionOf(region), region }),
    };
  }

  /** Forgets what a stream resolved to (it was deleted; a new one may take its name). */
  forget(streamIdentifier: string): void {
    for (const [key, r] of this.cache) {
      if (r.streamIdentifier === streamIdentifier) this.cache.delete(key);
    }
  }
}

/** The ARN partition of a region. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}
