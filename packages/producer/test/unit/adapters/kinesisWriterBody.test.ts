/**
 * KinesisWriter through a real KinesisClient (the SDK's whole stack, a recording HTTP handler):
 * the request carries the body we wrote, and everything after serialisation (content-length,
 * the SigV4 payload hash, response parsing) sees that body.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { KinesisWriter } from '../../../src/adapters/kinesisWriter.js';
import { encodePutRecordsBody } from '../../../src/adapters/putRecordsBody.js';
import { speaksAwsJson11 } from '../../../src/adapters/putRecordsCommand.js';
import { captureClient } from '../../fakes/capturingKinesisClient.js';

const entries = [
  { partitionKey: 'a"\\é', explicitHashKey: '42', data: new Uint8Array(100_000).fill(3) },
  { partitionKey: '😀', explicitHashKey: undefined, data: new Uint8Array([1, 2]) },
];

describe('KinesisWriter with the SDK stack', () => {
  it.each([
    ['a stream name', { streamName: 'orders' }],
    ['a stream ARN', { streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders' }],
  ])('sends our body, signed and measured, for %s', async (_name, target) => {
    // Prepare
    const { client, requests, hashed } = captureClient();
    const expected = Buffer.from(encodePutRecordsBody(target, entries));

    // Act
    const result = await new KinesisWriter(client, target).putRecords(entries);

    // Assess: one request, our bytes, in a buffer of exactly their size (no doubling slack).
    expect(requests).toHaveLength(1);
    const { body, headers } = requests[0]!;
    expect(Buffer.from(body.buffer, body.byteOffset, body.byteLength).equals(expected)).toBe(true);
    expect(body.buffer.byteLength).toBe(body.byteLength);
    expect(headers['content-length']).toBe(String(expected.length));
    expect(headers['x-amz-target']).toBe('Kinesis_20131202.PutRecords');
    expect(headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
    // SigV4 hashed the very body that was sent, not the SDK's records-less one.
    expect(hashed.filter((h) => h === body)).toHaveLength(1);
    expect(result).toEqual({
      ok: true,
      entries: [
        { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1000' },
        { ok: true, shardId: 'shardId-000000000000', sequenceNumber: '1001' },
      ],
    });
  });

  it('sends each request its own records with a client that caches its middleware', async () => {
    // With cacheMiddleware the SDK resolves a command class's middleware once and reuses it for
    // every send() without options; our body middleware belongs to each command, so the writer
    // must always pass options (the SDK then resolves each command's own stack).
    const { client, requests } = captureClient(undefined, { cacheMiddleware: true });
    const target = { streamName: 'orders' };
    const writer = new KinesisWriter(client, target);
    const second = [{ partitionKey: 'b', explicitHashKey: undefined, data: new Uint8Array([9]) }];
    await writer.putRecords(entries);
    await writer.putRecords(second);
    expect(requests.map((r) => Buffer.from(r.body))).toEqual([
      Buffer.from(encodePutRecordsBody(target, entries)),
      Buffer.from(encodePutRecordsBody(target, second)),
    ]);
  });

  it('routes an ARN request by the ARN, as the SDK does without us', async () => {
    // The endpoint rules read StreamARN from the input (account-based endpoints), so the input
    // the SDK serialises keeps it while the records are left out.
    const { client, requests } = captureClient();
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
    await new KinesisWriter(client, { streamArn: arn }).putRecords(entries);
    expect(requests[0]!.hostname).toBe('123456789012.data-kinesis.us-east-1.amazonaws.com');
  });

  it('leaves serialisation to the SDK for a client configured with another protocol', () => {
    const cbor = new KinesisClient({
      region: 'us-east-1',
      protocol: new AwsSmithyRpcV2CborProtocol({ defaultNamespace: 'com.amazonaws.kinesis' }),
    });
    expect(speaksAwsJson11(cbor)).toBe(false);
    // Given as a class, the client makes the instance.
    const cborClass = new KinesisClient({
      region: 'us-east-1',
      protocol: AwsSmithyRpcV2CborProtocol,
    });
    expect(speaksAwsJson11(cborClass)).toBe(false);
    expect(speaksAwsJson11(new KinesisClient({ region: 'us-east-1' }))).toBe(true);
  });
});
