import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { StreamResolver } from '../../../src/adapters/streamResolver.js';

/** A Kinesis client that knows some streams by name and ARN and counts its calls. */
function fakeClient(streams: { name: string; arn: string; created: Date }[]): {
  client: Pick<KinesisClient, 'send'>;
  calls: unknown[];
} {
  const calls: unknown[] = [];
  const send = (command: unknown): Promise<unknown> => {
    if (!(command instanceof DescribeStreamSummaryCommand)) throw new Error('unexpected command');
    calls.push(command.input);
    const s = streams.find(
      (x) => x.name === command.input.StreamName || x.arn === command.input.StreamARN,
    );
    if (s === undefined) {
      return Promise.reject(
        Object.assign(new Error('no such stream'), { name: 'ResourceNotFoundException' }),
      );
    }
    return Promise.resolve({
      StreamDescriptionSummary: {
        StreamName: s.name,
        StreamARN: s.arn,
        StreamCreationTimestamp: s.created,
      },
    });
  };
  return { client: { send }, calls };
}

const ORDERS = {
  name: 'orders',
  arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
  created: new Date(1_600_000_000_999),
};

describe('StreamResolver', () => {
  it('resolves a name to account:stream:epoch from the ARN and creation time, once', async () => {
    const { client, calls } = fakeClient([ORDERS]);
    const resolver = new StreamResolver(client, 'eu-west-1');

    const first = await resolver.resolve({ streamName: 'orders' });
    const again = await resolver.resolve({ streamName: 'orders' });

    expect(first).toEqual({
      streamIdentifier: '123456789012:orders:1600000000',
      streamName: 'orders',
      streamArn: ORDERS.arn,
    });
    expect(again).toBe(first);
    expect(calls).toEqual([{ StreamName: 'orders' }]);
  });

  it('resolves an ARN (another account’s stream) by ARN', async () => {
    const other = { ...ORDERS, arn: 'arn:aws:kinesis:eu-west-1:999999999999:stream/orders' };
    const { client, calls } = fakeClient([other]);

    const r = await new StreamResolver(client, 'eu-west-1').resolve({ streamArn: other.arn });

    expect(r.streamIdentifier).toBe('999999999999:orders:1600000000');
    expect(calls).toEqual([{ StreamARN: other.arn }]);
  });

  it('takes an identifier as given and builds its ARN from the region (no call)', async () => {
    const { client, calls } = fakeClient([]);
    const resolver = new StreamResolver(client, 'cn-north-1');

    const r = await resolver.resolve({ streamIdentifier: '123456789012:orders:1600000000' });

    expect(r).toEqual({
      streamIdentifier: '123456789012:orders:1600000000',
      streamName: 'orders',
      streamArn: 'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders',
    });
    expect(calls).toEqual([]);
  });

  it('passes ResourceNotFound through and describes again after forget()', async () => {
    const streams = [ORDERS];
    const { client, calls } = fakeClient(streams);
    const resolver = new StreamResolver(client, 'eu-west-1');
    await resolver.resolve({ streamName: 'orders' });
    streams.pop();

    const cached = await resolver.resolve({ streamName: 'orders' });
    resolver.forget(cached.streamIdentifier);

    await expect(resolver.resolve({ streamName: 'orders' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(calls).toHaveLength(2);
  });
});
