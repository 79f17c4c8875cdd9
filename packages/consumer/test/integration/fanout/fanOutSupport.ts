/**
 * Helpers of the fan-out consumer tests: a Kinesis client that counts the operations it sends
 * (to tell SubscribeToShard from GetRecords), keyed producers and a record log that checks every
 * record arrived, per key in write order, and when each shard started and ended.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@kinesis-kit/integration';
import type { ConsumerRecord, HandlerContext } from '@kinesis-kit/consumer';

/** A harness client whose operations are counted by name. */
export function countingClient(overrides: KinesisClientConfig = {}): {
  client: KinesisClient;
  calls: Map<string, number>;
} {
  const client = createKinesisClient(overrides);
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { client, calls };
}

/** Writes `rounds` records for each of `keys` keys, round by round (one PutRecords per round). */
export async function produce(
  kinesis: KinesisClient,
  streamName: string,
  from: number,
  rounds: number,
  keys = 8,
): Promise<void> {
  for (let n = from; n < from + rounds; n++) {
    const records = Array.from({ length: keys }, (_, k) => ({
      PartitionKey: `key-${String(k)}`,
      Data: Buffer.from(JSON.stringify({ key: `key-${String(k)}`, n })),
    }));
    const out = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: records }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
  }
}

export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a handler saw, with the time each shard's first batch arrived. */
export class RecordLog {
  readonly seen: { shardId: string; key: string; n: number }[] = [];
  readonly firstBatchAt = new Map<string, number>();

  readonly handler = (records: readonly ConsumerRecord[], ctx: HandlerContext): void => {
    if (!this.firstBatchAt.has(ctx.shardId)) this.firstBatchAt.set(ctx.shardId, Date.now());
    for (const r of records) {
      const body = JSON.parse(Buffer.from(r.data).toString()) as { key: string; n: number };
      this.seen.push({ shardId: ctx.shardId, key: body.key, n: body.n });
    }
  };

  distinct(): number {
    return new Set(this.seen.map((s) => `${s.key}/${String(s.n)}`)).size;
  }

  duplicates(): number {
    return this.seen.length - this.distinct();
  }

  /** Per key, the first deliveries in order (expected: 0..rounds-1 for every key). */
  firstDeliveriesByKey(keys = 8): Record<string, number[]> {
    const byKey: Record<string, number[]> = {};
    for (let k = 0; k < keys; k++) {
      const got = this.seen.filter((s) => s.key === `key-${String(k)}`).map((s) => s.n);
      byKey[`key-${String(k)}`] = got.filter((n, i) => got.indexOf(n) === i);
    }
    return byKey;
  }
}

/** What {@link RecordLog.firstDeliveriesByKey} is when every record arrived in order. */
export function inOrder(rounds: number, keys = 8): Record<string, number[]> {
  const byKey: Record<string, number[]> = {};
  for (let k = 0; k < keys; k++) {
    byKey[`key-${String(k)}`] = Array.from({ length: rounds }, (_, i) => i);
  }
  return byKey;
}

/**
 * What every fan-out test file sets up: a counting client for direct calls and a cleanup list
 * run in reverse after the file (consumers stopped before their streams and tables go).
 */
export function useFanOutFile(): {
  direct: ReturnType<typeof countingClient>;
  cleanup: (() => Promise<unknown>)[];
} {
  const direct = countingClient();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    direct.client.destroy();
  });
  return { direct, cleanup };
}
