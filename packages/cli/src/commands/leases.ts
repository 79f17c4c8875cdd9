/**
 * `kinesis-kit leases <application>`: the lease table (Java KCL format) as a table: shard, owner,
 * checkpoint, lag, parents → children, counter. `--watch` redraws it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoLeaseStore } from '@kinesis-kit/consumer';
import type { Lease } from '@kinesis-kit/consumer';
import { dynamoDBClient, kinesisClient } from '../connection.js';
import { renderTable } from '../core/table.js';
import type { CliIo } from '../io.js';
import { leaseStream, mapLimit, measureLag } from '../lag.js';
import type { LagInfo } from '../lag.js';
import { intOption, parseCommand, requireLeaseTable, requirePositional } from './common.js';

const HELP = `Usage: kinesis-kit leases <application> [options]

  --table <name>      lease table (default: the application name, as in the KCL)
  --stream <name>     the stream, to measure each checkpoint's lag (multi-stream leases name theirs)
  --watch             redraw every --interval seconds until Ctrl-C
  --interval <s>      default 2
  --wide              full sequence numbers
  --json              one JSON object per lease

Lag is the age of the oldest record after the checkpoint (0 when caught up).

Examples:
  kinesis-kit leases my-app --stream events
  kinesis-kit leases my-app --stream events --watch --endpoint http://localhost:4566`;

/** @returns the exit code */
export async function runLeases(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, connection } = parseCommand(
    args,
    {
      table: { type: 'string' },
      stream: { type: 'string' },
      watch: { type: 'boolean' },
      interval: { type: 'string' },
      wide: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    io.env,
  );
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const application = requirePositional(positionals, 'the application name');
  const tableName = values.table ?? application;
  const intervalMs = Math.max(1, intOption(values.interval, '--interval', 2)) * 1000;
  const dynamodb = dynamoDBClient(connection);
  const kinesis = kinesisClient(connection);
  try {
    await requireLeaseTable(dynamodb, tableName, connection);
    const store = new DynamoLeaseStore({ client: dynamodb, tableName });
    let drawn = 0;
    do {
      const leases = sortLeases(await store.listLeases());
      const now = Date.now();
      const lags = await mapLimit(leases, 8, (l) =>
        measureLag(kinesis, leaseStream(l, values.stream), l, now, connection.where),
      );
      if (values.json === true) {
        for (const [i, l] of leases.entries()) io.stdout.write(`${leaseJson(l, lags[i]!)}\n`);
      } else {
        const lines = [
          `${tableName}: ${leases.length} leases, ${new Date(now).toISOString()}`,
          ...leaseTable(leases, lags, values.wide === true),
        ];
        if (values.watch === true && io.stdout.isTTY === true && drawn > 0) {
          io.stdout.write(`\x1b[${drawn}F\x1b[J`);
        }
        io.stdout.write(`${lines.join('\n')}\n`);
        drawn = lines.length;
      }
      if (values.watch !== true) break;
      await sleep(intervalMs, undefined, { signal: io.signal }).catch(() => undefined);
    } while (!io.signal.aborted);
    return 0;
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
  }
}

/** Rows of the lease table. */
export function leaseTable(
  leases: readonly Lease[],
  lags: readonly LagInfo[],
  wide: boolean,
): string[] {
  const rows = leases.map((l, i) => [
    l.leaseKey,
    l.leaseOwner ?? '-',
    checkpointText(l, wide),
    lags[i]?.text ?? '-',
    family(l),
    String(l.leaseCounter),
  ]);
  return renderTable(
    ['shard', 'owner', 'checkpoint', 'lag', 'parents → children', 'counter'],
    rows,
    [3, 5],
  );
}

function checkpointText(l: Lease, wide: boolean): string {
  const { sequenceNumber, subSequenceNumber } = l.checkpoint;
  if (!/^\d+$/.test(sequenceNumber)) return sequenceNumber;
  const seq = wide ? sequenceNumber : `…${sequenceNumber.slice(-12)}`;
  return subSequenceNumber > 0 ? `${seq}/${subSequenceNumber}` : seq;
}

function family(l: Lease): string {
  if (l.parentShardIds.length === 0 && l.childShardIds.length === 0) return '-';
  const list = (ids: readonly string[]): string => (ids.length > 0 ? ids.join(',') : '-');
  return `${list(l.parentShardIds)} → ${list(l.childShardIds)}`;
}

function leaseJson(l: Lease, lag: LagInfo): string {
  return JSON.stringify({
    leaseKey: l.leaseKey,
    shardId: l.shardId,
    leaseOwner: l.leaseOwner ?? null,
    leaseCounter: l.leaseCounter,
    checkpoint: l.checkpoint.sequenceNumber,
    checkpointSubSequenceNumber: l.checkpoint.subSequenceNumber,
    lagMs: lag.ms ?? null,
    parentShardIds: l.parentShardIds,
    childShardIds: l.childShardIds,
    ownerSwitchesSinceCheckpoint: l.ownerSwitchesSinceCheckpoint,
  });
}

/** By shard id, so that a watch does not jump around. */
export function sortLeases(leases: readonly Lease[]): Lease[] {
  return [...leases].sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
}
