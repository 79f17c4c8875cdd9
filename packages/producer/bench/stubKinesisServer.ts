/**
 * A minimal Kinesis endpoint for the benchmarks: answers ListShards, DescribeStreamSummary and
 * PutRecords over the SDK's JSON protocol for one fixed stream, routing entries by explicit hash
 * key or MD5(partition key) and storing nothing. kinesis-local accepts only about 0.4 MiB/s in
 * all on this machine, a tenth of four shards' limits, so shard utilisation is measured with the
 * shard-limit proxy in front of this endpoint instead: the proxy enforces the limits, this only
 * has to be fast.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShardMap, evenHashKeyRanges } from '@kinesis-kit/common';

export interface StubKinesis {
  readonly endpoint: string;
  readonly streamName: string;
  close(): Promise<void>;
}

export async function startStubKinesis(
  streamName: string,
  shardCount: number,
): Promise<StubKinesis> {
  const shards = evenHashKeyRanges(shardCount).map((r, i) => ({
    ShardId: `shardId-${String(i).padStart(12, '0')}`,
    HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: '0' },
  }));
  const map = new ShardMap(shards);
  let seq = 10n ** 40n;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1];
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Records?: { PartitionKey: string; ExplicitHashKey?: string }[];
      };
      let out: unknown;
      if (op === 'ListShards') out = { Shards: shards };
      else if (op === 'DescribeStreamSummary') {
        out = {
          StreamDescriptionSummary: {
            StreamName: streamName,
            StreamStatus: 'ACTIVE',
            OpenShardCount: shardCount,
          },
        };
      } else if (op === 'PutRecords') {
        out = {
          FailedRecordCount: 0,
          Records: (body.Records ?? []).map((r) => {
            const key =
              r.ExplicitHashKey !== undefined
                ? BigInt(r.ExplicitHashKey)
                : BigInt(`0x${createHash('md5').update(r.PartitionKey).digest('hex')}`);
            return { ShardId: map.lookup(key)!.shardId, SequenceNumber: (seq++).toString() };
          }),
        };
      } else {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: op }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    streamName,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
