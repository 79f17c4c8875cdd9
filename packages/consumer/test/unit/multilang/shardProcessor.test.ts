/**
 * The daemon's per-shard protocol driver, against the real aws-kcl child library and against
 * scripted children that crash, hang or break the protocol.
 */
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { MemoryLogger } from '@kinesis-kit/common/testing';
import { MultiLangShardProcessor } from '../../../src/multilang/shardProcessor.js';
import type { ProcessRecordsInput } from '../../../src/processor.js';
import {
  SEQ,
  SHARD,
  awsKclChild,
  checkpointSetup,
  esn,
  record,
  scriptedChild,
} from './fakeChild.js';
import type { FakeChild } from './fakeChild.js';

interface Setup {
  readonly processor: MultiLangShardProcessor;
  readonly children: FakeChild[];
  readonly stderr: string[];
  readonly logger: MemoryLogger;
}

function setup(makeChild: () => FakeChild, timeoutMs?: number): Setup {
  const children: FakeChild[] = [];
  const stderr: string[] = [];
  const logger = new MemoryLogger();
  const processor = new MultiLangShardProcessor({
    shardId: SHARD,
    spawn: () => {
      const child = makeChild();
      children.push(child);
      return child.transport;
    },
    ...(timeoutMs !== undefined && { timeoutMs }),
    exitTimeoutMs: 500,
    onStderr: (shardId, line) => stderr.push(`[${shardId}] ${line}`),
    logger,
  });
  return { processor, children, stderr, logger };
}

function batch(
  checkpointer: ProcessRecordsInput['checkpointer'],
  numbers: number[],
): ProcessRecordsInput {
  return {
    records: numbers.map((n) => record(n)),
    millisBehindLatest: 5,
    checkpointer,
    isAtShardEnd: false,
    signal: new AbortController().signal,
  };
}

/** The aws-kcl sample processor: checkpoint the last record, then complete. */
function sampleProcessor(seen: string[]): unknown {
  return {
    initialize(input: { shardId: string }, done: () => void) {
      seen.push(`initialize ${input.shardId}`);
      done();
    },
    processRecords(
      input: {
        records: { data: string; sequenceNumber: string }[];
        checkpointer: { checkpoint(seq: string, cb: (err: unknown) => void): void };
      },
      done: () => void,
    ) {
      for (const r of input.records) seen.push(Buffer.from(r.data, 'base64').toString());
      const last = input.records[input.records.length - 1];
      if (!last) return done();
      input.checkpointer.checkpoint(last.sequenceNumber, (err) => {
        seen.push(`checkpoint ${String(err)}`);
        done();
      });
    },
    leaseLost(_input: unknown, done: () => void) {
      seen.push('leaseLost');
      done();
    },
    shardEnded(
      input: { checkpointer: { checkpoint(cb: (e: unknown) => void): void } },
      done: () => void,
    ) {
      input.checkpointer.checkpoint((err) => {
        seen.push(`shardEnded checkpoint ${String(err)}`);
        done();
      });
    },
    shutdownRequested(
      input: { checkpointer: { checkpoint(cb: (e: unknown) => void): void } },
      done: () => void,
    ) {
      input.checkpointer.checkpoint((err) => {
        seen.push(`shutdownRequested checkpoint ${String(err)}`);
        done();
      });
    },
  };
}

describe('MultiLangShardProcessor with the aws-kcl child library', () => {
  it('runs a shard to SHARD_END: records base64, checkpoints in the lease, stdin closed', async () => {
    const seen: string[] = [];
    const { processor, children, logger } = setup(() => awsKclChild(sampleProcessor(seen)));
    const { held, checkpointer } = await checkpointSetup();

    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    checkpointer.setLargestPermitted(esn(2));
    await processor.processRecords(batch(checkpointer, [1, 2]));
    checkpointer.markShardEnd(esn(2));
    checkpointer.permitShardEnd();
    await processor.shardEnded({ checkpointer });

    expect(seen).toEqual([
      `initialize ${SHARD}`,
      'hello-1',
      'hello-2',
      'checkpoint null',
      'shardEnded checkpoint null',
    ]);
    expect((await held.read()).checkpoint).toEqual(ExtendedSequenceNumber.SHARD_END);
    const child = children[0]!;
    expect(child.received).toEqual([
      {
        action: 'initialize',
        shardId: SHARD,
        sequenceNumber: 'TRIM_HORIZON',
        subSequenceNumber: 0,
      },
      {
        action: 'processRecords',
        records: [1, 2].map((n) => ({
          action: 'record',
          data: Buffer.from(`hello-${n}`).toString('base64'),
          partitionKey: `pk-${n}`,
          sequenceNumber: SEQ(n),
          approximateArrivalTimestamp: 1795644277541,
          subSequenceNumber: 0,
        })),
        millisBehindLatest: 5,
      },
      { action: 'checkpoint', sequenceNumber: SEQ(2), subSequenceNumber: null, error: null },
      { action: 'shardEnded' },
      { action: 'checkpoint', sequenceNumber: 'SHARD_END', subSequenceNumber: null, error: null },
    ]);
    expect(child.stdinClosed).toBe(true);
    expect(children).toHaveLength(1);
    // A child exiting after its last action is the normal end, not worth a warning.
    expect(logger.find('warn')).toEqual([]);
  });

  it('follows shutdownRequested with leaseLost, then closes stdin (as the Java daemon)', async () => {
    const seen: string[] = [];
    const { processor, children } = setup(() => awsKclChild(sampleProcessor(seen)));
    const { held, checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    checkpointer.setLargestPermitted(esn(4));

    await processor.shutdownRequested({ checkpointer });

    expect(seen.slice(1)).toEqual(['shutdownRequested checkpoint null', 'leaseLost']);
    expect((await held.read()).checkpoint).toEqual(esn(4));
    expect(children[0]!.received.map((m) => m.action)).toEqual([
      'initialize',
      'shutdownRequested',
      'checkpoint',
      'leaseLost',
    ]);
    expect(children[0]!.stdinClosed).toBe(true);
  });

  it.each([
    ['a lost lease', 'ShutdownException'],
    ['a sequence number beyond the batch', 'IllegalArgumentException'],
  ])('answers a checkpoint failing on %s with %s', async (what, javaName) => {
    const seen: string[] = [];
    const { processor, children } = setup(() => awsKclChild(sampleProcessor(seen)));
    const { held, checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    if (what === 'a lost lease') {
      await held.steal();
      checkpointer.setLargestPermitted(esn(2));
    } else {
      checkpointer.setLargestPermitted(esn(1));
    }

    await processor.processRecords(batch(checkpointer, [1, 2]));

    expect(seen).toContain(`checkpoint ${javaName}`);
    expect(children[0]!.received[2]).toEqual({
      action: 'checkpoint',
      sequenceNumber: SEQ(2),
      subSequenceNumber: null,
      error: javaName,
    });
  });
});

describe('MultiLangShardProcessor with misbehaving children', () => {
  it('fails the call when the child crashes mid-batch, and relays its stderr with the shard id', async () => {
    const { processor, stderr, logger } = setup(() =>
      scriptedChild((action, child) => {
        if (action.action === 'initialize')
          child.write({ action: 'status', responseFor: 'initialize' });
        else {
          child.stderr.write('TypeError: boom\n');
          setImmediate(() => child.exit(1));
        }
      }),
    );
    const { checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });

    await expect(processor.processRecords(batch(checkpointer, [1]))).rejects.toMatchObject({
      code: 'KT_PROTOCOL',
      message: expect.stringContaining('exited (code 1)') as string,
    });
    expect(stderr).toEqual([`[${SHARD}] TypeError: boom`]);
    expect(logger.find('warn', 'the child exited while it still had the shard')).toHaveLength(1);
    // Later calls fail at once (the consumer's policy then releases the lease).
    await expect(processor.processRecords(batch(checkpointer, [2]))).rejects.toThrow(
      /no running child/,
    );
  });

  it.each([
    ['a line that is not JSON', 'garbage\n', /broke the protocol: not JSON: garbage/],
    [
      'a status for another action',
      '{"action":"status","responseFor":"initialize"}\n',
      /answered initialize while processRecords was pending/,
    ],
    ['an unknown message', '{"action":"hello"}\n', /unexpected message/],
  ])('kills a child that writes %s', async (_what, line, message) => {
    const { processor, children } = setup(() =>
      scriptedChild((action, child) => {
        if (action.action === 'initialize')
          child.write({ action: 'status', responseFor: 'initialize' });
        else child.stdout.write(line);
      }),
    );
    const { checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });

    await expect(processor.processRecords(batch(checkpointer, [1]))).rejects.toThrow(message);
    expect(children[0]!.killed).toBe(true);
  });

  it('kills a child that does not answer within timeoutInSeconds', async () => {
    const { processor, children } = setup(
      () =>
        scriptedChild((action, child) => {
          if (action.action === 'initialize')
            child.write({ action: 'status', responseFor: 'initialize' });
        }),
      100,
    );
    const { checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    const started = Date.now();

    await expect(processor.processRecords(batch(checkpointer, [1]))).rejects.toMatchObject({
      code: 'KT_TIMEOUT',
      message: expect.stringContaining(
        'did not answer processRecords within timeoutInSeconds',
      ) as string,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(children[0]!.killed).toBe(true);
  });

  it('skips blank lines and answers a checkpoint during initialize with InvalidStateException', async () => {
    const { processor, children } = setup(() =>
      scriptedChild((action, child) => {
        child.stdout.write('\n\n   \n');
        child.write({ action: 'checkpoint', sequenceNumber: null });
        setTimeout(() => child.write({ action: 'status', responseFor: String(action.action) }), 20);
      }),
    );
    const { checkpointer } = await checkpointSetup();

    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });

    expect(children[0]!.received[1]).toEqual({
      action: 'checkpoint',
      sequenceNumber: null,
      subSequenceNumber: null,
      error: 'InvalidStateException',
    });
  });

  it('passes a sub-sequence number from the child to the checkpointer', async () => {
    const { processor, children } = setup(() =>
      scriptedChild((action, child) => {
        if (action.action === 'processRecords') {
          child.write({ action: 'checkpoint', sequenceNumber: SEQ(3), subSequenceNumber: 2 });
          setTimeout(() => child.write({ action: 'status', responseFor: 'processRecords' }), 20);
        } else child.write({ action: 'status', responseFor: action.action });
      }),
    );
    const { held, checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    checkpointer.setLargestPermitted(esn(3, 4));

    await processor.processRecords(batch(checkpointer, [3]));

    expect((await held.read()).checkpoint).toEqual(esn(3, 2));
    expect(children[0]!.received[2]).toEqual({
      action: 'checkpoint',
      sequenceNumber: SEQ(3),
      subSequenceNumber: 2,
      error: null,
    });
  });

  it('starts a fresh child at the last checkpoint for shardEnded after a crash', async () => {
    let spawned = 0;
    const { processor, children } = setup(() => {
      spawned++;
      return scriptedChild((action, child) => {
        if (spawned === 1 && action.action === 'processRecords') child.exit(1);
        else if (action.action === 'shardEnded') {
          child.write({ action: 'checkpoint', sequenceNumber: null });
          setTimeout(() => child.write({ action: 'status', responseFor: 'shardEnded' }), 20);
        } else child.write({ action: 'status', responseFor: action.action });
      });
    });
    const { held, checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });
    await expect(processor.processRecords(batch(checkpointer, [1]))).rejects.toThrow(/exited/);
    checkpointer.markShardEnd(esn(1));
    checkpointer.permitShardEnd();

    await processor.shardEnded({ checkpointer });

    expect(children).toHaveLength(2);
    expect(children[1]!.received.slice(0, 2)).toEqual([
      {
        action: 'initialize',
        shardId: SHARD,
        sequenceNumber: 'TRIM_HORIZON',
        subSequenceNumber: 0,
      },
      { action: 'shardEnded' },
    ]);
    expect((await held.read()).checkpoint).toEqual(ExtendedSequenceNumber.SHARD_END);
    expect(children[1]!.stdinClosed).toBe(true);
  });

  it('kills a child that does not exit after its stdin is closed', async () => {
    const { processor, children } = setup(() => {
      const child = scriptedChild();
      // Never exits by itself: drop the exit-on-EOF listener, keep the EOF marker.
      child.stdin.removeAllListeners('end');
      child.stdin.on('end', () => (child.stdinClosed = true));
      return child;
    });
    const { checkpointer } = await checkpointSetup();
    await processor.initialize({
      shardId: SHARD,
      extendedSequenceNumber: checkpointer.lastCheckpoint,
    });

    await processor.leaseLost();

    expect(children[0]!.stdinClosed).toBe(true);
    expect(children[0]!.killed).toBe(true);
  });
});
