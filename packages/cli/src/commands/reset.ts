/**
 * `kinesis-kit reset <application> --to LATEST|TRIM_HORIZON|<timestamp>`: moves checkpoints in
 * the lease table, safely. A dry run unless `--apply`. Refuses (exit 3) while workers hold the
 * leases: any lease with an owner, and, before writing, any lease whose counter moves during a
 * failover time; `--force` skips both checks. Every write is conditional on the lease counter (and
 * owner) just read, so a worker that wakes up in between makes that write fail instead of being
 * overwritten; a worker that still holds a lease after `--force` loses it at its next renewal and
 * the next owner starts from the new checkpoint.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { DynamoLeaseStore } from '@kinesis-kit/consumer';
import type { Lease } from '@kinesis-kit/consumer';
import { dynamoDBClient, kinesisClient } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { parsePosition } from '../core/position.js';
import { heldLeases, planReset, selectLeases } from '../core/resetPlan.js';
import type { HeldLease, ResetStep } from '../core/resetPlan.js';
import { renderTable } from '../core/table.js';
import type { CliIo } from '../io.js';
import { leaseStream } from '../lag.js';
import { checkpointBefore } from '../timestampCheckpoint.js';
import { intOption, parseCommand, requireLeaseTable, requirePositional } from './common.js';

const HELP = `Usage: kinesis-kit reset <application> --to <position> [options]

  --to <position>     TRIM_HORIZON (replay everything retained), LATEST (skip to new records),
                      or an ISO timestamp / --to=-5m (-2h, -1d) (resume at the first record written then;
                      needs --stream)
  --stream <name>     the stream (needed for a timestamp; multi-stream leases name theirs)
  --shard <id>        only this shard's lease (repeatable)
  --table <name>      lease table (default: the application name)
  --apply             write (default: a dry run that only shows the plan)
  --force             write even while workers hold the leases
  --failover-ms <n>   how long to watch the lease counters before writing (default 10000, the KCL's)

Stop the application first. LATEST and TRIM_HORIZON are written as the KCL's sentinels, resolved
when a worker next takes the lease. Exit code 3 when it refuses.

Examples:
  kinesis-kit reset my-app --to TRIM_HORIZON                  # dry run
  kinesis-kit reset my-app --to 2024-05-01T12:00:00Z --stream events --apply`;

/** @returns the exit code */
export async function runReset(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, connection } = parseCommand(
    args,
    {
      to: { type: 'string' },
      stream: { type: 'string' },
      shard: { type: 'string', multiple: true },
      table: { type: 'string' },
      apply: { type: 'boolean' },
      force: { type: 'boolean' },
      'failover-ms': { type: 'string' },
    },
    io.env,
  );
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const application = requirePositional(positionals, 'the application name');
  if (values.to === undefined) throw new UsageError('--to is required');
  const to = parsePosition(values.to, '--to', Date.now());
  if (to.type === 'AT_SEQUENCE_NUMBER') {
    throw new UsageError('--to takes LATEST, TRIM_HORIZON or a timestamp');
  }
  const timestamp = to.type === 'AT_TIMESTAMP' ? to.timestamp : undefined;
  const tableName = values.table ?? application;
  const failoverMs = intOption(values['failover-ms'], '--failover-ms', 10_000);
  const dynamodb = dynamoDBClient(connection);
  const kinesis = kinesisClient(connection);
  try {
    await requireLeaseTable(dynamodb, tableName, connection);
    const store = new DynamoLeaseStore({ client: dynamodb, tableName, consistentScans: true });
    const { selected, unknown } = selectLeases(await store.listLeases(), values.shard ?? []);
    if (unknown.length > 0)
      throw new UsageError(`no lease for ${unknown.join(', ')} in ${tableName}`);
    if (selected.length === 0) throw new CliError(`${tableName} holds no leases`);

    const targets = new Map<string, ExtendedSequenceNumber | { skip: string }>();
    for (const lease of selected) {
      if (to.type === 'TRIM_HORIZON') {
        targets.set(lease.leaseKey, ExtendedSequenceNumber.TRIM_HORIZON);
      } else if (to.type === 'LATEST') {
        targets.set(
          lease.leaseKey,
          lease.checkpoint.isShardEnd ? { skip: 'shard finished' } : ExtendedSequenceNumber.LATEST,
        );
      } else {
        const stream = leaseStream(lease, values.stream);
        if (stream === undefined) throw new UsageError('--to <timestamp> needs --stream');
        targets.set(
          lease.leaseKey,
          await checkpointBefore(kinesis, stream, lease.shardId, timestamp!, io.signal),
        );
      }
    }
    const target = (l: Lease): ExtendedSequenceNumber | { skip: string } =>
      targets.get(l.leaseKey)!;
    const plan = planReset(selected, target);
    for (const line of planTable(plan)) io.stdout.write(`${line}\n`);

    const force = values.force === true;
    const held = heldLeases(selected);
    if (held.length > 0 && !force) return refuse(io, held);
    if (values.apply !== true) {
      io.stdout.write(
        `dry run: nothing written. ${countSets(plan)} leases would change; run again with --apply.\n`,
      );
      return 0;
    }

    let current = selected;
    if (!force && failoverMs > 0) {
      io.stderr.write(
        `watching the lease counters for ${failoverMs} ms to make sure no worker is active…\n`,
      );
      await sleep(failoverMs, undefined, { signal: io.signal });
      current = selectLeases(await store.listLeases(), values.shard ?? []).selected;
      const moved = heldLeases(selected, current);
      if (moved.length > 0) return refuse(io, moved);
    }

    let written = 0;
    const conflicts: string[] = [];
    for (const step of planReset(current, target)) {
      if (step.action !== 'set') continue;
      const result = await store.updateCheckpoint(step.lease, { checkpoint: step.to });
      if (result.ok) written++;
      else conflicts.push(step.lease.leaseKey);
    }
    io.stdout.write(`reset ${written} leases in ${tableName}.\n`);
    if (conflicts.length > 0) {
      io.stderr.write(
        `not reset, changed by someone else meanwhile: ${conflicts.join(', ')} (is a worker running?)\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
  }
}

function refuse(io: CliIo, held: readonly HeldLease[]): number {
  const list = held
    .slice(0, 10)
    .map((h) => `${h.leaseKey} (${h.reason === 'owner' ? `owner ${h.owner ?? '?'}` : h.reason})`)
    .join(', ');
  io.stderr.write(
    `refusing: ${held.length} leases are held by workers: ${list}${held.length > 10 ? ', …' : ''}. ` +
      'Stop the application first (a crashed worker leaves its owner behind: use --force once you ' +
      'are sure no worker runs).\n',
  );
  return 3;
}

function planTable(plan: readonly ResetStep[]): string[] {
  return renderTable(
    ['shard', 'owner', 'checkpoint now', 'new checkpoint', ''],
    plan.map((s) => [
      s.lease.leaseKey,
      s.lease.leaseOwner ?? '-',
      s.lease.checkpoint.toString(),
      s.action === 'set' ? s.to.toString() : '(unchanged)',
      s.action === 'set' ? '' : s.why,
    ]),
  );
}

function countSets(plan: readonly ResetStep[]): number {
  return plan.filter((s) => s.action === 'set').length;
}
