// The one SDK-error classification used by GetShardIterator/GetRecords, SubscribeToShard and
// ListShards: by `name` and `$retryable`, never by message; the SDK error stays the cause.
import { AbortError } from '@kinesis-kit/common';
import { classifyKinesisError } from '../../../src/adapters/kinesisErrors.js';
import { RetrievalError, isRetrievalError } from '../../../src/retrievalPorts.js';

function sdk(name: string, extra: object = {}): Error {
  return Object.assign(new Error('ignored text: ExpiredIteratorException'), { name, ...extra });
}

describe('classifyKinesisError', () => {
  it.each([
    ['ExpiredIteratorException', 'expired-iterator'],
    ['ProvisionedThroughputExceededException', 'throttled'],
    ['LimitExceededException', 'throttled'],
    ['KMSThrottlingException', 'throttled'],
    ['ThrottlingException', 'throttled'],
    ['ResourceInUseException', 'throttled'],
    ['ResourceNotFoundException', 'shard-not-found'],
    ['InvalidArgumentException', 'invalid-argument'],
    ['AccessDeniedException', 'other'],
    ['InternalFailure', 'other'],
  ])('%s is %s', (name, kind) => {
    const cause = sdk(name);
    const error = classifyKinesisError(cause, 'GetRecords', 'shardId-1');
    expect(isRetrievalError(error, kind as never)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(`GetRecords shardId-1 failed: ${name}`);
  });

  it('reads $retryable.throttling for names it does not know', () => {
    const error = classifyKinesisError(sdk('SlowDown', { $retryable: { throttling: true } }), 'X');
    expect(isRetrievalError(error, 'throttled')).toBe(true);
  });

  it('passes aborts and RetrievalErrors through unchanged', () => {
    const abort = new AbortError();
    const done = new RetrievalError('shard-not-found', 'gone');
    expect(classifyKinesisError(abort, 'X')).toBe(abort);
    expect(classifyKinesisError(done, 'X')).toBe(done);
  });
});
