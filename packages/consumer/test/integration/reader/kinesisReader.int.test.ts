// The GetShardIterator/GetRecords adapter against a real Kinesis engine (kinesis-local, or the
// endpoint in KINESIS_ENDPOINT), and one shard worker reading a stream through it to SHARD_END.
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ExtendedSequenceNumber, RecordAggregator } from '@kinesis-kit/common';
import {
  createKinesisClient,
  createTestStream,
  deleteStream,
  destroySharedClients,
  listAllShards,
  splitShardAndWait,
} from '@kinesis-kit/integration';
import { KinesisShardReader } from '../../../src/adapters/kinesisReader.js';
import type { ConsumerRecord } from '../../../src/processor.js';
import type { RawRecord } from '../../../src/retrievalPorts.js';
import { ShardWorker } from '../../../src/runtime/shardWorker.js';
import { heldLease } from '../../fakes/heldLease.js';

const kinesis = createKinesisClient();
const streams: string[] = [];
const decode = (r: { data: Uint8Array }): string => new TextDecoder().decode(r.data);

afterAll(async () => {
  await Promise.all(streams.map((name) => deleteStream(name)));
  kinesis.destroy();
  destroySharedClients();
});

async function newStream(): Promise<{ streamName: string; shardId: string }> {
  const { streamName } = await createTestStream(1);
  streams.push(streamName);
  const [shard] = await listAllShards(streamName);
  return { streamName, shardId: shard!.ShardId! };
}

async function put(
  streamName: string,
  data: string | Uint8Array,
  partitionKey = 'pk',
): Promise<string> {
  const out = await kinesis.send(
    new PutRecordCommand({
      StreamName: streamName,
      PartitionKey: partitionKey,
      Data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
    }),
  );
  return out.SequenceNumber!;
}

/** Reads until `count` records arrived or the iterator ended. */
async function readN(reader: KinesisShardReader, iterator: string, count: number) {
  const records: RawRecord[] = [];
  let it: string | undefined = iterator;
  for (let i = 0; i < 50 && it !== undefined && records.length < count; i++) {
    const result = await reader.getRecords(it, 100);
    records.push(...result.records);
    if (result.nextShardIterator === undefined) return { records, ended: result };
    it = result.nextShardIterator;
  }
  return { records, ended: undefined };
}

describe('KinesisShardReader on a Kinesis engine', () => {
  it('reads from every iterator position with the records as written', async () => {
    // Prepare
    const { streamName, shardId } = await newStream();
    const reader = new KinesisShardReader({ client: kinesis, streamName });
    const seqs: string[] = [];
    for (let i = 0; i < 4; i++) seqs.push(await put(streamName, `r${i}`, `pk-${i}`));

    // Act
    const fromStart = await readN(
      reader,
      await reader.getShardIterator(shardId, { type: 'TRIM_HORIZON' }),
      4,
    );
    const at = await readN(
      reader,
      await reader.getShardIterator(shardId, {
        type: 'AT_SEQUENCE_NUMBER',
        sequenceNumber: seqs[1]!,
      }),
      3,
    );
    const after = await readN(
      reader,
      await reader.getShardIterator(shardId, {
        type: 'AFTER_SEQUENCE_NUMBER',
        sequenceNumber: seqs[1]!,
      }),
      2,
    );
    const latest = await reader.getShardIterator(shardId, { type: 'LATEST' });
    const emptyAtLatest = await reader.getRecords(latest, 100);

    // Assess
    expect(fromStart.records.map(decode)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(fromStart.records.map((r) => r.sequenceNumber)).toEqual(seqs);
    expect(fromStart.records.map((r) => r.partitionKey)).toEqual(['pk-0', 'pk-1', 'pk-2', 'pk-3']);
    expect(fromStart.records.every((r) => r.approximateArrivalTimestamp instanceof Date)).toBe(
      true,
    );
    expect(at.records.map(decode)).toEqual(['r1', 'r2', 'r3']);
    expect(after.records.map(decode)).toEqual(['r2', 'r3']);
    expect(emptyAtLatest.records).toEqual([]);
    expect(typeof emptyAtLatest.nextShardIterator).toBe('string');
  });

  it('reports the end of a split shard with its children and no next iterator', async () => {
    // Prepare
    const { streamName, shardId } = await newStream();
    const reader = new KinesisShardReader({ client: kinesis, streamName });
    await put(streamName, 'before-split');
    const children = await splitShardAndWait(streamName, shardId);

    // Act
    const { records, ended } = await readN(
      reader,
      await reader.getShardIterator(shardId, { type: 'TRIM_HORIZON' }),
      Number.MAX_SAFE_INTEGER,
    );

    // Assess
    expect(records.map(decode)).toEqual(['before-split']);
    expect(ended?.nextShardIterator).toBeUndefined();
    expect(ended?.childShards?.map((c) => c.shardId).sort()).toEqual([...children].sort());
    expect(ended?.childShards?.every((c) => c.parentShards.includes(shardId))).toBe(true);
  });

  it.each([
    ['an unknown shard', 'shard-not-found', { shard: 'shardId-000000009999', seq: undefined }],
    ['a malformed sequence number', 'invalid-argument', { shard: undefined, seq: 'abc' }],
  ])('classifies %s', async (_name, kind, bad) => {
    const { streamName, shardId } = await newStream();
    const reader = new KinesisShardReader({ client: kinesis, streamName });

    const failure = reader.getShardIterator(
      bad.shard ?? shardId,
      bad.seq === undefined
        ? { type: 'TRIM_HORIZON' }
        : { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: bad.seq },
    );

    await expect(failure).rejects.toMatchObject({ name: 'RetrievalError', kind });
  });
});

describe('ShardWorker through the adapter', () => {
  it('resumes inside an aggregate, reads to the end of a split shard and checkpoints SHARD_END', async () => {
    // Prepare: a plain record, a KPL aggregate of 4, a plain record, then a split.
    const { streamName, shardId } = await newStream();
    await put(streamName, 'plain-0');
    const aggregator = new RecordAggregator();
    for (let i = 0; i < 4; i++) aggregator.add({ partitionKey: `k${i}`, data: `sub-${i}` });
    const aggregateSeq = await put(streamName, aggregator.toKinesisRecord().data, 'a');
    await put(streamName, 'plain-1');
    const children = await splitShardAndWait(streamName, shardId);
    const held = await heldLease(shardId, ExtendedSequenceNumber.of(aggregateSeq, 1));
    const delivered: ConsumerRecord[] = [];
    const childShards: string[][] = [];
    const worker = new ShardWorker({
      shardId,
      checkpoint: held.lease.checkpoint,
      reader: new KinesisShardReader({ client: kinesis, streamName }),
      checkpointTarget: held.target,
      onShardEnd: (c) => Promise.resolve(void childShards.push(c.map((x) => x.shardId))),
      processor: {
        initialize: () => Promise.resolve(),
        processRecords: async ({ records, checkpointer }) => {
          delivered.push(...records);
          await checkpointer.checkpoint();
        },
        leaseLost: () => Promise.resolve(),
        shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
        shutdownRequested: () => Promise.resolve(),
      },
      options: { idleTimeBetweenReadsMs: 50 },
    });

    // Act
    worker.start();
    const outcome = await worker.done;

    // Assess
    expect(outcome).toEqual({ reason: 'shard-end' });
    expect(delivered.map(decode)).toEqual(['sub-2', 'sub-3', 'plain-1']);
    expect(delivered.map((r) => r.subSequenceNumber)).toEqual([2, 3, 0]);
    expect(childShards.map((c) => [...c].sort())).toEqual([[...children].sort()]);
    expect((await held.read()).checkpoint.isShardEnd).toBe(true);
  });
});
