// The SDK adapter's translation and error mapping (aws-sdk-client-mock, as the house style asks
// for adapters); its behaviour against a real Kinesis engine is in test/integration/reader/.
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  KinesisClient,
  KinesisServiceException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisShardReader } from '../../../src/adapters/kinesisReader.js';
import { RetrievalError } from '../../../src/retrievalPorts.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'us-east-1' });
const meta = { $metadata: { httpStatusCode: 400 }, message: 'm' };

beforeEach(() => kinesis.reset());

describe('KinesisShardReader', () => {
  it.each([
    [{ type: 'TRIM_HORIZON' } as const, { ShardIteratorType: 'TRIM_HORIZON' }],
    [{ type: 'LATEST' } as const, { ShardIteratorType: 'LATEST' }],
    [
      { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '123' } as const,
      { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '123' },
    ],
    [
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '456' } as const,
      { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '456' },
    ],
    [
      { type: 'AT_TIMESTAMP', timestamp: new Date(5000) } as const,
      { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(5000) },
    ],
  ])('GetShardIterator for %j', async (position, expected) => {
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });

    const iterator = await new KinesisShardReader({ client, streamName: 's' }).getShardIterator(
      'shardId-1',
      position,
    );

    expect(iterator).toBe('it-1');
    expect(kinesis.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toEqual({
      StreamName: 's',
      ShardId: 'shardId-1',
      ...expected,
    });
  });

  it('maps GetRecords to domain shapes, with the stream ARN when given', async () => {
    const data = new Uint8Array([1, 2]);
    kinesis.on(GetRecordsCommand).resolves({
      Records: [
        {
          SequenceNumber: '42',
          PartitionKey: 'pk',
          Data: data,
          ApproximateArrivalTimestamp: new Date(7),
        },
      ],
      MillisBehindLatest: 12,
      ChildShards: [
        {
          ShardId: 'shardId-2',
          ParentShards: ['shardId-1'],
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' },
        },
      ],
    });

    const result = await new KinesisShardReader({ client, streamArn: 'arn:s' }).getRecords(
      'it',
      500,
    );

    expect(kinesis.commandCalls(GetRecordsCommand)[0]!.args[0].input).toEqual({
      ShardIterator: 'it',
      Limit: 500,
      StreamARN: 'arn:s',
    });
    expect(result).toEqual({
      records: [
        {
          sequenceNumber: '42',
          partitionKey: 'pk',
          data,
          approximateArrivalTimestamp: new Date(7),
        },
      ],
      dataBytes: data.length,
      millisBehindLatest: 12,
      childShards: [
        {
          shardId: 'shardId-2',
          parentShards: ['shardId-1'],
          hashKeyRange: { startingHashKey: '0', endingHashKey: '99' },
        },
      ],
    });
    expect(result.nextShardIterator).toBeUndefined();
  });

  it.each([
    [new ExpiredIteratorException(meta), 'expired-iterator', 'KT_EXPIRED'],
    [new ProvisionedThroughputExceededException(meta), 'throttled', 'KT_AWS'],
    [new LimitExceededException(meta), 'throttled', 'KT_AWS'],
    [new ResourceNotFoundException(meta), 'shard-not-found', 'KT_AWS'],
    [new InvalidArgumentException(meta), 'invalid-argument', 'KT_AWS'],
    [
      new KinesisServiceException({ ...meta, name: 'InternalFailure', $fault: 'server' }),
      'other',
      'KT_AWS',
    ],
  ])('classifies %s by name', async (error, kind, code) => {
    kinesis.on(GetRecordsCommand).rejects(error);

    const failure = new KinesisShardReader({ client, streamName: 's' }).getRecords('it', 1);

    await expect(failure).rejects.toBeInstanceOf(RetrievalError);
    await expect(failure).rejects.toMatchObject({ kind, code, cause: error });
  });

  it('classifies an unknown error the SDK marks as throttling as throttled', async () => {
    const error = Object.assign(new Error('slow down'), {
      name: 'SomethingNew',
      $retryable: { throttling: true },
    });
    kinesis.on(GetShardIteratorCommand).rejects(error);

    const failure = new KinesisShardReader({ client, streamName: 's' }).getShardIterator('x', {
      type: 'LATEST',
    });

    await expect(failure).rejects.toMatchObject({ kind: 'throttled', context: { shardId: 'x' } });
  });

  it('passes aborts through untouched and forwards the signal', async () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    kinesis.on(GetRecordsCommand).rejects(abort);
    const controller = new AbortController();

    const failure = new KinesisShardReader({ client, streamName: 's' }).getRecords('it', 1, {
      signal: controller.signal,
    });

    await expect(failure).rejects.toBe(abort);
    // The mock records send()'s second argument too; its typings only declare the command.
    const args: readonly unknown[] = kinesis.commandCalls(GetRecordsCommand)[0]!.args;
    expect(args[1]).toEqual({ abortSignal: controller.signal });
  });
});
