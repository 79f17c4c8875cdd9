/**
 * A minimal, fast Kinesis stand-in for measuring the proxy's own rate accuracy at the service's
 * limits, which kinesis-local cannot absorb on a small machine. It answers the few operations the
 * proxy and the rate test use, with the shapes kinesis-local returns: two open shards splitting
 * the key space, PutRecords accepting every entry, and iterators that never expire.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HALF = 1n << 127n;
const SHARDS = [
  {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: (HALF - 1n).toString() },
  },
  {
    ShardId: 'shardId-000000000001',
    HashKeyRange: {
      StartingHashKey: HALF.toString(),
      EndingHashKey: ((1n << 128n) - 1n).toString(),
    },
  },
].map((shard) => ({ ...shard, SequenceNumberRange: { StartingSequenceNumber: '1' } }));

/** A running stub: its endpoint and how many entries it stored. */
export interface StubKinesis {
  readonly endpoint: string;
  storedEntries(): number;
  close(): Promise<void>;
}

/** Starts the stub on a free loopback port. */
export async function startStubKinesis(): Promise<StubKinesis> {
  let stored = 0;
  let sequence = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Records?: unknown[];
        ShardId?: string;
        ShardIterator?: string;
      };
      let payload: unknown;
      if (target.endsWith('.ListShards')) payload = { Shards: SHARDS };
      else if (target.endsWith('.DescribeStreamSummary')) {
        payload = { StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } };
      } else if (target.endsWith('.PutRecords')) {
        const records = body.Records ?? [];
        stored += records.length;
        payload = {
          FailedRecordCount: 0,
          EncryptionType: 'NONE',
          Records: records.map(() => ({
            SequenceNumber: String(++sequence),
            ShardId: SHARDS[0]!.ShardId,
            ErrorCode: null,
          })),
        };
      } else if (target.endsWith('.GetShardIterator'))
        payload = { ShardIterator: `it-${body.ShardId ?? ''}` };
      else if (target.endsWith('.GetRecords')) {
        payload = { Records: [], NextShardIterator: body.ShardIterator, MillisBehindLatest: 0 };
      } else {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      const text = JSON.stringify(payload);
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    storedEntries: () => stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
