/**
 * The runner's own access to the lease table, straight to DynamoDB (not through the fault proxy):
 * a watcher that samples every lease's checkpoint, and the rogue writer that bumps a lease
 * counter behind its owner's back, as a second writer with a stale view would.
 */
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LeaseSample } from './core/history.js';

/** Every lease in the table, read with a paged Scan. Missing table: none. @internal */
export async function scanLeases(
  client: DynamoDBClient,
  tableName: string,
): Promise<LeaseSample[]> {
  const samples: LeaseSample[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      const at = Date.now();
      for (const item of page.Items ?? []) {
        const shardId = item.leaseKey?.S;
        if (shardId === undefined || item.checkpoint?.S === undefined) continue;
        samples.push({
          at,
          shardId,
          owner: item.leaseOwner?.S,
          leaseCounter: Number(item.leaseCounter?.N ?? '0'),
          checkpoint: item.checkpoint.S,
          checkpointSubSequenceNumber: Number(item.checkpointSubSequenceNumber?.N ?? '0'),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
    throw error;
  }
  return samples;
}

/** Samples the lease table every `intervalMs` until stopped. @internal */
export class LeaseWatcher {
  readonly samples: LeaseSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    const tick = (): void => {
      this.running = scanLeases(this.client, this.tableName)
        .then((s) => {
          this.samples.push(...s);
        })
        .catch(() => undefined)
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * Bumps the lease counter of one owned lease (chosen with `random`), leaving the owner in place:
 * the owner's next renewal or checkpoint fails its condition, so it must drop the lease, and the
 * lease expires for everyone else one failover time later. Returns the lease key, if any.
 * @internal
 */
export async function bumpLeaseCounter(
  client: DynamoDBClient,
  tableName: string,
  random: () => number,
): Promise<{ shardId: string; owner: string } | undefined> {
  const owned = (await scanLeases(client, tableName)).filter(
    (l) => l.owner !== undefined && l.checkpoint !== 'SHARD_END',
  );
  const lease = owned[Math.floor(random() * owned.length)];
  if (lease === undefined) return undefined;
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { leaseKey: { S: lease.shardId } },
      UpdateExpression: 'SET leaseCounter = leaseCounter + :one',
      ConditionExpression: 'attribute_exists(leaseKey)',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }),
  );
  return { shardId: lease.shardId, owner: lease.owner! };
}
