/**
 * Three consumer workers as separate processes, while a shard is split and two are merged: one is
 * SIGKILLed (a crash: nothing released, its leases must expire), one is stopped with SIGTERM
 * (graceful: released at once). Every record is processed, in write order per key across parent
 * and child shards, and no shard is processed by two workers at once for longer than the
 * failover time.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  createLeaseTableName,
  createTestStream,
  deleteStream,
  deleteTable,
  listAllShards,
  mergeShardsAndWait,
  splitShardAndWait,
} from '@kinesis-kit/integration';
import { WorkerFleet } from '../../support/workerFleet.js';
import type { WorkerEvent } from '../../support/workerFleet.js';

const KEYS = 16;
const FAILOVER_MS = 4000;

async function produce(
  kinesis: KinesisClient,
  streamName: string,
  from: number,
  count: number,
): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const Records = Array.from({ length: KEYS }, (_, k) => ({
      PartitionKey: `key-${k}`,
      Data: Buffer.from(`${k}:${n}`),
    }));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records }));
    expect(out.FailedRecordCount ?? 0).toBe(0);
  }
}

/** For each shard, the longest time two workers both delivered records from it. */
function maxOverlapMs(records: readonly WorkerEvent[]): number {
  const spans = new Map<string, Map<string, { first: number; last: number }>>();
  for (const r of records) {
    const shard = String(r.shardId);
    const byWorker = spans.get(shard) ?? new Map<string, { first: number; last: number }>();
    const span = byWorker.get(r.worker) ?? { first: r.at, last: r.at };
    span.first = Math.min(span.first, r.at);
    span.last = Math.max(span.last, r.at);
    byWorker.set(r.worker, span);
    spans.set(shard, byWorker);
  }
  let worst = 0;
  for (const byWorker of spans.values()) {
    const list = [...byWorker.values()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const overlap =
          Math.min(list[i]!.last, list[j]!.last) - Math.max(list[i]!.first, list[j]!.first);
        worst = Math.max(worst, overlap);
      }
    }
  }
  return worst;
}

describe('KinesisConsumer workers as separate processes', () => {
  const kinesis = createKinesisClient();
  let streamName = '';
  const tableName = createLeaseTableName();
  let fleet: WorkerFleet | undefined;

  afterAll(async () => {
    await fleet?.stopAll();
    await deleteStream(streamName).catch(() => undefined);
    await deleteTable(tableName).catch(() => undefined);
    kinesis.destroy();
  });

  it('survives a split, a merge, a SIGKILLed worker and a graceful SIGTERM without losing a record', async () => {
    // Prepare
    ({ streamName } = await createTestStream(4));
    await produce(kinesis, streamName, 0, 10);
    fleet = new WorkerFleet({
      STREAM_NAME: streamName,
      APPLICATION_NAME: tableName,
      FAILOVER_TIME_MS: String(FAILOVER_MS),
    });
    for (const id of ['w1', 'w2', 'w3']) fleet.start(id);
    await Promise.all(
      ['w1', 'w2', 'w3'].map((id) =>
        fleet!.waitFor((e) => e.t === 'started' && e.worker === id, 60_000, `${id} started`),
      ),
    );
    await fleet.waitFor((e) => e.t === 'record', 30_000, 'first record');
    // Act
    const shards = (await listAllShards(streamName)).filter(
      (s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined,
    );
    const children = await splitShardAndWait(streamName, shards[0]!.ShardId!);
    await produce(kinesis, streamName, 10, 10);
    const [merged] = await mergeShardsAndWait(streamName, shards[2]!.ShardId!, shards[3]!.ShardId!);
    await produce(kinesis, streamName, 20, 10);
    const killed = await fleet.kill('w1', 'SIGKILL');
    await produce(kinesis, streamName, 30, 10);
    const exit = await fleet.kill('w2', 'SIGTERM');
    await produce(kinesis, streamName, 40, 10);
    const total = KEYS * 50;
    await fleet
      .waitFor(
        () => new Set(fleet!.records().map((r) => String(r.data))).size >= total,
        90_000,
        'every record',
      )
      .catch(() => undefined);
    // Assess
    expect(killed).toBeNull(); // killed by a signal
    expect(exit).toBe(0);
    expect(fleet.events.some((e) => e.t === 'stopped' && e.worker === 'w2')).toBe(true);
    const records = fleet.records();
    const unique = new Set(records.map((r) => String(r.data)));
    expect(unique.size).toBe(total);
    for (let k = 0; k < KEYS; k++) {
      const seqs = records
        .filter((r) => r.pk === `key-${k}`)
        .map((r) => Number(String(r.data).split(':')[1]));
      const firsts = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firsts).toEqual(Array.from({ length: 50 }, (_, n) => n));
    }
    // The resharding really happened under the workers: the children delivered records.
    const delivering = new Set(records.map((r) => String(r.shardId)));
    for (const child of [...children, merged!]) expect(delivering).toContain(child);
    expect(maxOverlapMs(records)).toBeLessThanOrEqual(FAILOVER_MS);
  }, 240_000);
});
