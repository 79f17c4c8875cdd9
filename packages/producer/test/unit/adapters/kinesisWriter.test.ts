import { KinesisClient, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  AccessDeniedException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisWriter, RECORD_COUNT_MISMATCH } from '../../../src/adapters/kinesisWriter.js';
import { KinesisShardMapSource } from '../../../src/adapters/shardMapSource.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const entries = [
  { partitionKey: 'a', explicitHashKey: '1', data: new Uint8Array([1]) },
  { partitionKey: 'b', explicitHashKey: undefined, data: new Uint8Array([2]) },
];
const meta = { $metadata: { httpStatusCode: 400 }, message: 'm' };

const shard = (ShardId: string) => ({
  ShardId,
  HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
  SequenceNumberRange: { StartingSequenceNumber: '0' },
});

beforeEach(() => kinesis.reset());

describe('KinesisWriter', () => {
  it('maps per-entry results, partial failures as values', async () => {
    kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [
        { ShardId: 'shardId-000000000001', SequenceNumber: '42' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
      ],
    });
    const result = await new KinesisWriter(client, { streamName: 's' }).putRecords(entries);
    expect(result).toEqual({
      ok: true,
      entries: [
        { ok: true, shardId: 'shardId-000000000001', sequenceNumber: '42' },
        { ok: false, code: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' },
      ],
    });
    const input = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
    expect(input).toEqual({
      StreamName: 's',
      Records: [
        { Data: entries[0]!.data, PartitionKey: 'a', ExplicitHashKey: '1' },
        { Data: entries[1]!.data, PartitionKey: 'b', ExplicitHashKey: undefined },
      ],
    });
  });

  it.each([
    [new ResourceNotFoundException(meta), 'fatal', 'ResourceNotFoundException'],
    [new AccessDeniedException(meta), 'fatal', 'AccessDeniedException'],
    [
      new ProvisionedThroughputExceededException(meta),
      'throttled',
      'ProvisionedThroughputExceededException',
    ],
  ])('classifies a failed request by its error class (%#)', async (error, kind, code) => {
    kinesis.on(PutRecordsCommand).rejects(error);
    const result = await new KinesisWriter(client, { streamArn: 'arn:x' }).putRecords(entries);
    expect(result).toMatchObject({ ok: false, kind, code });
    expect(!result.ok && result.error).toBe(error);
  });

  it('treats a short answer as a retriable record count mismatch', async () => {
    kinesis.on(PutRecordsCommand).resolves({ Records: [{ ShardId: 's', SequenceNumber: '1' }] });
    const result = await new KinesisWriter(client, { streamName: 's' }).putRecords(entries);
    expect(result).toMatchObject({ ok: false, kind: 'retriable', code: RECORD_COUNT_MISMATCH });
  });
});

describe('KinesisShardMapSource', () => {
  it('pages with AT_LATEST first and NextToken alone after', async () => {
    kinesis
      .on(ListShardsCommand)
      .resolvesOnce({ Shards: [shard('a')], NextToken: 't1' })
      .resolvesOnce({ Shards: [shard('b')] });
    const shards = await new KinesisShardMapSource(client, { streamArn: 'arn:s' }).listOpenShards();
    expect(shards.map((s) => s.ShardId)).toEqual(['a', 'b']);
    const inputs = kinesis.commandCalls(ListShardsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { StreamARN: 'arn:s', ShardFilter: { Type: 'AT_LATEST' }, MaxResults: 1000 },
      { NextToken: 't1', MaxResults: 1000 },
    ]);
  });
});
