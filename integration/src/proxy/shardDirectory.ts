/**
 * Where records go and which shard an iterator reads: the proxy's view of the target's streams.
 *
 * Shard maps come from the target's ListShards: fetched on a stream's first use, refreshed
 * periodically (a reshard made by a client that bypasses the proxy shows up within one period)
 * and after every SplitShard / MergeShards / UpdateShardCount that passes through (once the
 * stream is ACTIVE again, when the children exist).
 *
 * kinesis-local's shard iterators are opaque (encrypted), so the shard of an iterator is
 * remembered when GetShardIterator or GetRecords hands it out. Iterators expire after 5 minutes,
 * so two generations rotated every 5 minutes bound the memory without dropping live iterators.
 */
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { Shard } from '@aws-sdk/client-kinesis';
import { ShardMap } from '@kinesis-kit/common';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A stream as the proxy keys it: kinesis-local keeps one namespace per account. @internal */
export interface StreamRef {
  readonly account: string;
  readonly streamName: string;
}

/** The shard an iterator reads. @internal */
export interface IteratorShard extends StreamRef {
  readonly shardId: string;
}

/** Options of {@link ShardDirectory}. @internal */
export interface ShardDirectoryOptions {
  readonly target: string;
  readonly region: string;
  readonly refreshIntervalMs: number;
  readonly onRefresh: () => void;
  readonly onError: (message: string, error: unknown) => void;
}

const ITERATOR_GENERATION_MS = 5 * 60_000;
const ACTIVE_POLL_MS = 50;
const ACTIVE_TIMEOUT_MS = 30_000;

/** @internal */
export class ShardDirectory {
  private readonly maps = new Map<string, { ref: StreamRef; map: Promise<ShardMap | undefined> }>();
  private readonly clients = new Map<string, KinesisClient>();
  private iterators = new Map<string, IteratorShard>();
  private previousIterators = new Map<string, IteratorShard>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: ShardDirectoryOptions) {
    const refresh = setInterval(() => this.refreshAll(), options.refreshIntervalMs);
    const rotate = setInterval(() => {
      this.previousIterators = this.iterators;
      this.iterators = new Map();
    }, ITERATOR_GENERATION_MS);
    refresh.unref();
    rotate.unref();
    this.timers.push(refresh, rotate);
  }

  /** The stream's shard map, fetched on first use; undefined when the target does not know it. */
  shardMap(ref: StreamRef): Promise<ShardMap | undefined> {
    const key = keyOf(ref);
    let entry = this.maps.get(key);
    if (entry === undefined) {
      const created = { ref, map: this.fetch(ref) };
      this.maps.set(key, created);
      // An unknown stream is not cached: it may be created next.
      void created.map.then((map) => {
        if (map === undefined && this.maps.get(key) === created) this.maps.delete(key);
      });
      entry = created;
    }
    return entry.map;
  }

  /**
   * A reshard passed through: wait (in the background) until the stream is ACTIVE again, then
   * replace its map. Until then the old map stays in use, as the parents still accept writes.
   */
  reshardSeen(ref: StreamRef): void {
    void this.refreshWhenActive(ref);
  }

  rememberIterator(iterator: string | undefined, shard: IteratorShard): void {
    if (iterator !== undefined && iterator !== null) this.iterators.set(iterator, shard);
  }

  iteratorShard(iterator: string | undefined): IteratorShard | undefined {
    if (iterator === undefined) return undefined;
    return this.iterators.get(iterator) ?? this.previousIterators.get(iterator);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private refreshAll(): void {
    for (const { ref } of this.maps.values()) this.replace(ref);
  }

  private replace(ref: StreamRef): void {
    const key = keyOf(ref);
    const next = this.fetch(ref);
    // Keep serving the old map until the new one is in, unless the old one was empty.
    void next.then((map) => {
      if (this.closed) return;
      if (map === undefined) this.maps.delete(key);
      else this.maps.set(key, { ref, map: Promise.resolve(map) });
    });
  }

  private async refreshWhenActive(ref: StreamRef): Promise<void> {
    const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
    try {
      // kinesis-local turns a reshard into UPDATING after the call returns; wait for it to end.
      while (!this.closed && Date.now() < deadline) {
        const { StreamDescriptionSummary: summary } = await this.client(ref.account).send(
          new DescribeStreamSummaryCommand({ StreamName: ref.streamName }),
        );
        if (summary?.StreamStatus === 'ACTIVE') break;
        await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS).unref());
      }
    } catch (error) {
      if (!this.closed)
        this.options.onError(`DescribeStreamSummary ${ref.streamName} failed`, error);
    }
    if (!this.closed) this.replace(ref);
  }

  private async fetch(ref: StreamRef): Promise<ShardMap | undefined> {
    if (this.closed) return undefined;
    try {
      const shards: Shard[] = [];
      let nextToken: string | undefined;
      do {
        // ListShards rejects StreamName together with NextToken.
        const page = await this.client(ref.account).send(
          new ListShardsCommand(
            nextToken === undefined ? { StreamName: ref.streamName } : { NextToken: nextToken },
          ),
        );
        shards.push(...(page.Shards ?? []));
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
      this.options.onRefresh();
      return new ShardMap(shards);
    } catch (error) {
      // After close() the target may be gone already: in-flight calls failing is expected then.
      if (!this.closed && (error as { name?: string }).name !== 'ResourceNotFoundException') {
        this.options.onError(`ListShards ${ref.streamName} failed`, error);
      }
      return undefined;
    }
  }

  /** One client per account: kinesis-local picks the account from the access key id. */
  private client(account: string): KinesisClient {
    let client = this.clients.get(account);
    if (client === undefined) {
      client = new KinesisClient({
        endpoint: this.options.target,
        region: this.options.region,
        credentials: { accessKeyId: account, secretAccessKey: 'proxy' },
        requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
        maxAttempts: 3,
      });
      this.clients.set(account, client);
    }
    return client;
  }
}

function keyOf(ref: StreamRef): string {
  return `${ref.account}/${ref.streamName}`;
}
