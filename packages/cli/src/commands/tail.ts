/**
 * `kinesis-kit tail <stream>`: prints records as they arrive, deaggregated, from every shard (or
 * one), following child shards after a reshard. No lease table and no checkpoints: it only reads.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { deaggregate } from '@kinesis-kit/common';
import { kinesisClient } from '../connection.js';
import { CliError, UsageError, errorName } from '../errors.js';
import { parsePosition } from '../core/position.js';
import type { StreamPosition } from '../core/position.js';
import { formatRecordJson, formatRecordLine } from '../core/records.js';
import { childrenReady, initialShards, shardHolding } from '../core/shardGraph.js';
import type { ShardNode, StartSet } from '../core/shardGraph.js';
import type { CliIo } from '../io.js';
import { getRecords, listShards, shardIterator, toNode } from '../kinesisShards.js';
import { describeStream, intOption, parseCommand, requirePositional } from './common.js';

const HELP = `Usage: kinesis-kit tail <stream> [options]

  --from <position>   LATEST (default), TRIM_HORIZON, an ISO timestamp, a sequence number,
                      or a time ago: --from=-5m (also -30s, -2h, -1d)
  --shard <id>        only this shard (and the shards it splits or merges into)
  --json              one JSON object per record
  --max <n>           stop after n records
  --until-tip         stop once every shard has been read up to its newest record
  --poll-ms <n>       wait between empty reads of a shard (default 1000)

Aggregated (KPL) records are split into their user records. Ctrl-C stops.

Examples:
  kinesis-kit tail events --from TRIM_HORIZON --json
  kinesis-kit tail events --from 2024-05-01T12:00:00Z --shard shardId-000000000003`;

/** Kinesis allows 5 GetRecords per second per shard. */
const MIN_READ_INTERVAL_MS = 200;

/** @returns the exit code */
export async function runTail(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, connection } = parseCommand(
    args,
    {
      from: { type: 'string' },
      shard: { type: 'string' },
      json: { type: 'boolean' },
      max: { type: 'string' },
      'until-tip': { type: 'boolean' },
      'poll-ms': { type: 'string' },
    },
    io.env,
  );
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const streamName = requirePositional(positionals, 'the stream name');
  const position = parsePosition(values.from ?? 'LATEST', '--from', Date.now());
  const max = intOption(values.max, '--max', 0);
  const pollMs = Math.max(MIN_READ_INTERVAL_MS, intOption(values['poll-ms'], '--poll-ms', 1000));
  const kinesis = kinesisClient(connection);
  try {
    await describeStream(kinesis, streamName, connection, io.signal);
    const tailer = new Tailer(kinesis, streamName, io, {
      json: values.json === true,
      max,
      untilTip: values['until-tip'] === true,
      pollMs,
    });
    await tailer.run(position, values.shard);
    return 0;
  } finally {
    kinesis.destroy();
  }
}

interface TailOptions {
  readonly json: boolean;
  readonly max: number;
  readonly untilTip: boolean;
  readonly pollMs: number;
}

/** Reads a set of shards concurrently and starts children as their parents finish. */
class Tailer {
  private nodes = new Map<string, ShardNode & { range?: { start: bigint; end: bigint } }>();
  private readonly reading = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly atTip = new Set<string>();
  private readonly loops = new Set<Promise<void>>();
  private printed = 0;
  private resolving = 0;
  private readonly stop = new AbortController();
  private failure: unknown;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly io: CliIo,
    private readonly options: TailOptions,
  ) {
    io.signal.addEventListener('abort', () => this.stop.abort(), { once: true });
  }

  async run(position: StreamPosition, onlyShard: string | undefined): Promise<void> {
    await this.refreshShards();
    let start: StartSet;
    if (onlyShard !== undefined) {
      if (!this.nodes.has(onlyShard)) {
        throw new CliError(`shard "${onlyShard}" not found in stream "${this.streamName}"`);
      }
      start = [onlyShard];
    } else if (position.type === 'AT_SEQUENCE_NUMBER') {
      const holder = shardHolding([...this.nodes.values()], position.sequenceNumber);
      if (holder === undefined) {
        throw new UsageError(
          `no shard of "${this.streamName}" holds sequence number ${position.sequenceNumber}`,
        );
      }
      start = [holder];
    } else {
      start = position.type === 'LATEST' ? 'open' : 'roots';
    }
    for (const shardId of initialShards([...this.nodes.values()], start)) {
      this.startShard(shardId, position);
    }
    while (this.loops.size > 0) await Promise.race(this.loops);
    if (this.failure !== undefined) throw this.failure as Error;
  }

  private startShard(shardId: string, position: StreamPosition): void {
    if (this.reading.has(shardId)) return;
    this.reading.add(shardId);
    const loop = this.readShard(shardId, position)
      .catch((error: unknown) => {
        if (!this.stop.signal.aborted) {
          this.failure ??= error;
          this.stop.abort();
        }
      })
      .finally(() => this.loops.delete(loop));
    this.loops.add(loop);
  }

  private async readShard(shardId: string, position: StreamPosition): Promise<void> {
    const signal = this.stop.signal;
    const range = this.nodes.get(shardId)?.range;
    let iterator = await shardIterator(this.kinesis, this.streamName, shardId, position, signal);
    let lastSequence: string | undefined;
    while (iterator !== undefined && !signal.aborted) {
      const began = Date.now();
      let out;
      try {
        out = await getRecords(this.kinesis, iterator, 10_000, signal);
      } catch (error) {
        const name = errorName(error);
        if (name === 'ExpiredIteratorException') {
          iterator = await shardIterator(
            this.kinesis,
            this.streamName,
            shardId,
            lastSequence === undefined
              ? position
              : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastSequence },
            signal,
          );
          continue;
        }
        if (
          name === 'ProvisionedThroughputExceededException' ||
          name === 'LimitExceededException'
        ) {
          await sleep(1000, undefined, { signal });
          continue;
        }
        throw error;
      }
      const records = out.Records ?? [];
      for (const r of records) {
        lastSequence = r.SequenceNumber;
        const users = deaggregate(
          {
            data: r.Data ?? new Uint8Array(),
            partitionKey: r.PartitionKey ?? '',
            sequenceNumber: r.SequenceNumber ?? '',
            approximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
          },
          range === undefined ? {} : { hashRange: range },
        );
        for (const u of users) {
          if (this.options.max > 0 && this.printed >= this.options.max) break;
          const rec = { ...u, shardId };
          this.io.stdout.write(
            `${this.options.json ? formatRecordJson(rec) : formatRecordLine(rec)}\n`,
          );
          this.printed++;
        }
        if (this.options.max > 0 && this.printed >= this.options.max) {
          this.stop.abort();
          return;
        }
      }
      iterator = out.NextShardIterator;
      if (iterator === undefined) break;
      const tip = records.length === 0 && (out.MillisBehindLatest ?? 0) === 0;
      if (tip) this.atTip.add(shardId);
      if (this.options.untilTip && this.everyShardAtTip()) {
        this.stop.abort();
        return;
      }
      const wait = tip ? this.options.pollMs : MIN_READ_INTERVAL_MS - (Date.now() - began);
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
    if (signal.aborted) return;
    // Until its children are started, the stream is not "at the tip" for --until-tip.
    this.resolving++;
    this.finished.add(shardId);
    try {
      await this.startChildren(shardId);
    } finally {
      this.resolving--;
    }
  }

  private everyShardAtTip(): boolean {
    return (
      this.resolving === 0 &&
      [...this.reading].every((s) => this.finished.has(s) || this.atTip.has(s))
    );
  }

  private async startChildren(shardId: string): Promise<void> {
    let children = this.childrenOf(shardId);
    if (children.length === 0) {
      // The reshard may be newer than our shard list.
      await this.refreshShards();
      children = this.childrenOf(shardId);
    }
    for (const child of childrenReady(shardId, children, this.reading, this.finished)) {
      this.startShard(child, { type: 'TRIM_HORIZON' });
    }
  }

  private childrenOf(shardId: string): ShardNode[] {
    return [...this.nodes.values()].filter((n) => n.parents.includes(shardId));
  }

  private async refreshShards(): Promise<void> {
    const shards: Shard[] = await listShards(this.kinesis, this.streamName, this.stop.signal);
    this.nodes = new Map(
      shards.map((s) => [
        s.ShardId!,
        {
          ...toNode(s),
          range: {
            start: BigInt(s.HashKeyRange!.StartingHashKey!),
            end: BigInt(s.HashKeyRange!.EndingHashKey!),
          },
        },
      ]),
    );
  }
}
