import {
  WRONG_SHARD,
  classifyEntryError,
  classifyRequestError,
  planRetry,
} from '../../../src/core/retryPlanner.js';
import type { OutboundRecord } from '../../../src/core/records.js';

const record = (sends: number, expiresAt: number): OutboundRecord => ({
  shardId: 'shardId-000000000000',
  items: [],
  partitionKey: 'a',
  explicitHashKey: '1',
  data: new Uint8Array(1),
  sizeBytes: 2,
  dueAt: 0,
  expiresAt,
  notBefore: 0,
  sends,
});

const policy = { failIfThrottled: false, retryBaseMs: 100, retryMaxMs: 5000 };

describe('classifyEntryError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', 'throttled'],
    ['KMSThrottlingException', 'throttled'],
    ['InternalFailure', 'retriable'],
    [WRONG_SHARD, 'retriable'],
    ['KMSAccessDeniedException', 'fatal'],
    ['KMSNotFoundException', 'fatal'],
  ])('%s is %s', (code, kind) => {
    expect(classifyEntryError(code)).toBe(kind);
  });
});

describe('classifyRequestError', () => {
  const sdkError = (name: string, status?: number, extra: object = {}): unknown =>
    Object.assign(new Error(name), {
      name,
      ...(status !== undefined && { $metadata: { httpStatusCode: status } }),
      ...extra,
    });

  it.each([
    [sdkError('ResourceNotFoundException', 400), 'fatal'],
    [sdkError('AccessDeniedException', 400), 'fatal'],
    [sdkError('ProvisionedThroughputExceededException', 400), 'throttled'],
    [sdkError('InternalFailure', 500), 'retriable'],
    [sdkError('ServiceUnavailable', 503), 'retriable'],
    [sdkError('SomethingNew', 400), 'fatal'],
    [sdkError('SomethingNew', 400, { $retryable: {} }), 'retriable'],
    [sdkError('TimeoutError'), 'retriable'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retriable'],
    ['a string', 'retriable'],
  ])('%p is %s', (error, kind) => {
    expect(classifyRequestError(error).kind).toBe(kind);
  });

  it('uses the error name as the code', () => {
    expect(classifyRequestError(sdkError('AccessDeniedException', 400)).code).toBe(
      'AccessDeniedException',
    );
  });
});

describe('planRetry', () => {
  it('retries with full jitter under an exponential cap', () => {
    expect(planRetry(record(1, 10_000), 'throttled', 0, policy, () => 0.999)).toEqual({
      action: 'retry',
      notBefore: 99,
    });
    expect(planRetry(record(4, 10_000), 'retriable', 0, policy, () => 0.999)).toEqual({
      action: 'retry',
      notBefore: 799,
    });
    expect(planRetry(record(30, 100_000), 'retriable', 0, policy, () => 0.999)).toEqual({
      action: 'retry',
      notBefore: 4995,
    });
    expect(planRetry(record(3, 10_000), 'retriable', 50, policy, () => 0)).toEqual({
      action: 'retry',
      notBefore: 50,
    });
  });

  it('expires a record whose TTL has passed', () => {
    expect(planRetry(record(2, 100), 'retriable', 100, policy, () => 0.5)).toEqual({
      action: 'expire',
    });
  });

  it('fails fatal errors at once, and throttling when failIfThrottled', () => {
    expect(planRetry(record(1, 1e9), 'fatal', 0, policy, () => 0.5).action).toBe('fail');
    expect(
      planRetry(record(1, 1e9), 'throttled', 0, { ...policy, failIfThrottled: true }, () => 0.5)
        .action,
    ).toBe('fail');
  });
});
