import { KinesisKitError, ValidationError } from '@kinesis-kit/common';
import { LeaseLostError } from '../../../src/checkpointer.js';
import { LeaseStoreError } from '../../../src/core/leaseErrors.js';
import {
  javaCheckpointError,
  parseChildLine,
  toWireRecord,
} from '../../../src/multilang/protocol.js';

describe('javaCheckpointError (our checkpoint errors as the Java checkpointer’s exceptions)', () => {
  it.each([
    ['a lost lease', new LeaseLostError('shardId-1', 'taken'), 'ShutdownException'],
    [
      'a bad sequence number',
      new ValidationError('sequenceNumber', 'garbage'),
      'IllegalArgumentException',
    ],
    [
      'a throttled lease write',
      new LeaseStoreError('updateLease', 'ProvisionedThroughputExceededException'),
      'ThrottlingException',
    ],
    [
      'the lease table gone',
      new LeaseStoreError('updateLease', 'ResourceNotFoundException'),
      'InvalidStateException',
    ],
    [
      'another DynamoDB failure',
      new LeaseStoreError('updateLease', 'AccessDeniedException'),
      'KinesisClientLibDependencyException',
    ],
    [
      'another kinesis-kit error',
      new KinesisKitError('KT_CHECKPOINT', 'x'),
      'InvalidStateException',
    ],
    ['an unknown error', new Error('socket hang up'), 'KinesisClientLibDependencyException'],
  ])('maps %s', (_what, error, name) => {
    expect(javaCheckpointError(error)).toBe(name);
  });
});

describe('parseChildLine', () => {
  it.each([
    ['', undefined],
    ['   ', undefined],
    [
      '{"action":"status","responseFor":"initialize"}',
      { action: 'status', responseFor: 'initialize' },
    ],
    [
      '{"action":"checkpoint"}',
      { action: 'checkpoint', sequenceNumber: null, subSequenceNumber: null },
    ],
    [
      '{"action":"checkpoint","sequenceNumber":"12","subSequenceNumber":3}',
      { action: 'checkpoint', sequenceNumber: '12', subSequenceNumber: 3 },
    ],
  ])('reads %j', (line, expected) => {
    expect(parseChildLine(line)).toEqual(expected);
  });

  it.each([
    ['[1]', /^unexpected message/],
    ['42', /^not an object/],
    ['{"action":"status"}', /^status without responseFor/],
    ['{"action":"checkpoint","sequenceNumber":12}', /sequenceNumber is not a string/],
    [
      '{"action":"checkpoint","sequenceNumber":"1","subSequenceNumber":"0"}',
      /subSequenceNumber is not a number/,
    ],
    [`x${'y'.repeat(300)}`, /^not JSON: xy+…$/],
  ])('rejects %j', (line, message) => {
    expect((parseChildLine(line) as { invalid: string }).invalid).toMatch(message);
  });
});

describe('toWireRecord', () => {
  it('encodes a sub-record of a view into a larger buffer with base64 of its own bytes only', () => {
    const backing = Buffer.from('xxhello-yy');
    const wire = toWireRecord({
      data: backing.subarray(2, 9),
      partitionKey: 'pk',
      explicitHashKey: undefined,
      sequenceNumber: '49590000000000000000000000000000000000000000000000000001',
      subSequenceNumber: 1,
      approximateArrivalTimestamp: new Date(1795644277541),
      aggregated: true,
    });
    expect(wire).toEqual({
      action: 'record',
      data: Buffer.from('hello-y').toString('base64'),
      partitionKey: 'pk',
      sequenceNumber: '49590000000000000000000000000000000000000000000000000001',
      approximateArrivalTimestamp: 1795644277541,
      subSequenceNumber: 1,
    });
    expect(Object.keys(wire)).toEqual([
      'action',
      'data',
      'partitionKey',
      'sequenceNumber',
      'approximateArrivalTimestamp',
      'subSequenceNumber',
    ]);
  });
});
