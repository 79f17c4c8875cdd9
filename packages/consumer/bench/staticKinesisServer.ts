/**
 * A read-only Kinesis endpoint over records built in memory, run as a child process by
 * staticKinesis.ts. kinesis-local needs seconds per megabyte (it took 15 s to store 2.5 MB on
 * the development machine), so on it both readers of the throughput benchmark only measure the
 * emulator; this server answers from pre-serialised JSON, leaving the client side (the SDK, our
 * consumer or the bare loop, deaggregation) as what is measured.
 *
 * It speaks the awsJson1_1 protocol for what a polling reader calls: DescribeStreamSummary,
 * ListShards, GetShardIterator (TRIM_HORIZON, AT/AFTER_SEQUENCE_NUMBER, LATEST) and GetRecords
 * (Limit and the service's 10 MiB cap; MillisBehindLatest 0 once caught up). Shards are open and
 * never end. Configured by env: STATIC_SHARDS, STATIC_RECORDS, STATIC_AGGREGATED (1/0),
 * STATIC_RECORD_BYTES, STATIC_MAX_RESPONSE_BYTES, STATIC_SHARD_LIMITS (1: read limits of a real
 * shard, see shardLimits.ts). Prints one JSON line with the port once it listens.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  RecordAggregator,
  evenHashKeyRanges,
  hashKeyRangeContains,
  partitionKeyToHashKey,
} from '@kinesis-kit/common';
import { ShardReadLimiter, throttledBody } from './shardLimits.js';

const shardCount = Number(process.env.STATIC_SHARDS ?? '4');
const userRecords = Number(process.env.STATIC_RECORDS ?? '200000');
const aggregated = process.env.STATIC_AGGREGATED !== '0';
const recordBytes = Number(process.env.STATIC_RECORD_BYTES ?? '100');
/** The service caps a response at 10 MiB; the benchmark passes less (see throughput.ts). */
const maxResponseBytes = Number(process.env.STATIC_MAX_RESPONSE_BYTES ?? String(10 * 1024 * 1024));
/** One limiter per shard when reads are limited as on a real shard. */
const limited = process.env.STATIC_SHARD_LIMITS === '1';
const newLimiters = (): ShardReadLimiter[] | undefined =>
  limited ? Array.from({ length: shardCount }, () => new ShardReadLimiter()) : undefined;
let limiters = newLimiters();

interface StoredRecord {
  readonly sequenceNumber: string;
  /** The record as a GetRecords `Records` element, serialised once. */
  readonly json: string;
  readonly dataBytes: number;
}

const ranges = evenHashKeyRanges(shardCount);
const shardIds = ranges.map((_, i) => `shardId-${String(i).padStart(12, '0')}`);
const shards: StoredRecord[][] = ranges.map(() => []);
const arrival = Date.now() / 1000;

function store(shard: number, partitionKey: string, data: Uint8Array): void {
  const list = shards[shard]!;
  // Kinesis sequence numbers are decimal strings that grow within a shard.
  const sequenceNumber = `4960${String(shard).padStart(4, '0')}${String(list.length).padStart(14, '0')}`;
  const json = JSON.stringify({
    SequenceNumber: sequenceNumber,
    ApproximateArrivalTimestamp: arrival,
    Data: Buffer.from(data).toString('base64'),
    PartitionKey: partitionKey,
  });
  list.push({ sequenceNumber, json, dataBytes: data.length });
}

function build(): number {
  const payload = randomBytes(recordBytes * 64);
  const aggregators = ranges.map(() => new RecordAggregator());
  for (let i = 0; i < userRecords; i++) {
    const partitionKey = randomBytes(9).toString('base64url');
    const data = payload.subarray((i % 64) * recordBytes, ((i % 64) + 1) * recordBytes);
    const hash = partitionKeyToHashKey(partitionKey);
    const shard = ranges.findIndex((r) => hashKeyRangeContains(r, hash));
    if (!aggregated) {
      store(shard, partitionKey, data);
      continue;
    }
    const agg = aggregators[shard]!;
    const record = { partitionKey, data };
    if (!agg.add(record)) {
      const out = agg.toKinesisRecord();
      store(shard, out.partitionKey, out.data);
      agg.reset();
      agg.add(record);
    }
  }
  aggregators.forEach((agg, shard) => {
    if (agg.count === 0) return;
    const out = agg.toKinesisRecord();
    store(shard, out.partitionKey, out.data);
  });
  return shards.reduce((a, s) => a + s.length, 0);
}

type Body = Record<string, unknown>;

function iterator(shard: number, position: number): string {
  return Buffer.from(JSON.stringify([shard, position])).toString('base64');
}

function indexOf(shard: number, sequenceNumber: unknown): number {
  const list = shards[shard]!;
  const i = list.findIndex((r) => r.sequenceNumber === sequenceNumber);
  return i < 0 ? list.length : i;
}

/** An error answered as the service answers it (status, `__type`, `x-amzn-ErrorType`). */
class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly payload: string,
    readonly type: string,
  ) {
    super(type);
  }
}

function handle(op: string, body: Body): string {
  switch (op) {
    case 'DescribeStreamSummary':
      return JSON.stringify({
        StreamDescriptionSummary: {
          StreamName: body.StreamName,
          StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${String(body.StreamName)}`,
          StreamStatus: 'ACTIVE',
          OpenShardCount: shardCount,
          RetentionPeriodHours: 24,
          StreamCreationTimestamp: arrival,
        },
      });
    case 'ListShards':
      return JSON.stringify({
        Shards: ranges.map((r, i) => ({
          ShardId: shardIds[i],
          HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        })),
      });
    case 'GetShardIterator': {
      const shard = shardIds.indexOf(String(body.ShardId));
      if (shard < 0) throw new Error(`no shard ${String(body.ShardId)}`);
      const type = String(body.ShardIteratorType);
      const position =
        type === 'TRIM_HORIZON'
          ? 0
          : type === 'AT_SEQUENCE_NUMBER'
            ? indexOf(shard, body.StartingSequenceNumber)
            : type === 'AFTER_SEQUENCE_NUMBER'
              ? indexOf(shard, body.StartingSequenceNumber) + 1
              : shards[shard]!.length;
      return JSON.stringify({ ShardIterator: iterator(shard, position) });
    }
    case 'GetRecords': {
      const [shard, position] = JSON.parse(
        Buffer.from(String(body.ShardIterator), 'base64').toString(),
      ) as [number, number];
      const list = shards[shard]!;
      const limiter = limiters?.[shard];
      const now = performance.now();
      if (limiter !== undefined && !limiter.admit(now)) {
        throw new ServiceError(
          400,
          throttledBody(shardIds[shard]!, 'static'),
          'ProvisionedThroughputExceededException',
        );
      }
      const limit = typeof body.Limit === 'number' ? body.Limit : 10_000;
      const parts: string[] = [];
      let bytes = 0;
      let next = position;
      while (next < list.length && parts.length < limit) {
        const r = list[next]!;
        if (parts.length > 0 && bytes + r.dataBytes > maxResponseBytes) break;
        parts.push(r.json);
        bytes += r.dataBytes;
        next++;
      }
      limiter?.charge(now, bytes);
      const behind = next >= list.length ? 0 : 1000;
      return `{"Records":[${parts.join(',')}],"NextShardIterator":"${iterator(shard, next)}","MillisBehindLatest":${behind}}`;
    }
    case 'ResetReadLimits':
      // Not a Kinesis operation: the benchmark starts every run on shards that owe nothing, so
      // one reader's run does not leave the next one throttled.
      limiters = newLimiters();
      return '{}';
    default:
      throw new Error(`unsupported operation ${op}`);
  }
}

function respond(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  let status = 200;
  let payload: string;
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
  };
  try {
    payload = handle(op, JSON.parse(raw || '{}') as Body);
  } catch (error) {
    status = 400;
    if (error instanceof ServiceError) {
      status = error.status;
      payload = error.payload;
      headers['x-amzn-errortype'] = `${error.type}:`;
    } else {
      payload = JSON.stringify({
        __type: 'InvalidArgumentException',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(status, headers);
  res.end(payload);
}

const kinesisRecords = build();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => respond(req, res, Buffer.concat(chunks).toString()));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, kinesisRecords, userRecords })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
