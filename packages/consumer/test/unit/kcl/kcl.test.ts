/**
 * Our `kcl()` child library against aws-kcl's documented behaviour, and differentially against the
 * real npm `aws-kcl` lib: the same daemon conversation must produce the same bytes from both.
 */
import kclDefault, { kcl } from '../../../src/kcl/index.js';
import type { KclCheckpointer, KclRecordProcessor } from '../../../src/kcl/index.js';
import { LineDriver } from './lineDriver.js';

type KclFn = (
  processor: unknown,
  input?: NodeJS.ReadableStream,
  output?: NodeJS.WritableStream,
  error?: NodeJS.WritableStream,
) => { run(): void; cleanup(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the real package, untyped
const awsKcl = require('aws-kcl') as KclFn;

const SEQ = (n: number): string => `4959${String(n).padStart(52, '0')}`;
const RECORD = (n: number) => ({
  action: 'record',
  data: Buffer.from(`hello-${n}`).toString('base64'),
  partitionKey: `pk-${n}`,
  sequenceNumber: SEQ(n),
  approximateArrivalTimestamp: 1795644277541,
  subSequenceNumber: 0,
});

function start(fn: KclFn, processor: unknown): LineDriver {
  const driver = new LineDriver();
  fn(processor, driver.childIn, driver.childOut, driver.childErr).run();
  return driver;
}

/** A processor like aws-kcl's sample, recording what it saw (`this` included). */
function sampleProcessor(log: unknown[]): KclRecordProcessor {
  const processor: KclRecordProcessor & { shardId?: string } = {
    initialize(input, done) {
      this.shardId = input.shardId;
      log.push(['initialize', input]);
      done();
    },
    processRecords(input, done) {
      const seen = input.records.map((r) => Buffer.from(r.data, 'base64').toString());
      log.push([
        'processRecords',
        (this as { shardId?: string }).shardId,
        seen,
        input.millisBehindLatest,
      ]);
      const last = input.records[input.records.length - 1];
      if (last === undefined) {
        done();
        return;
      }
      input.checkpointer.checkpoint(last.sequenceNumber, (err, seq) => {
        log.push(['checkpointed', err, seq]);
        done();
      });
      // aws-kcl's single-checkpoint-in-flight rule answers this one at once.
      input.checkpointer.checkpoint((err) => log.push(['second checkpoint', err]));
    },
    leaseLost(input, done) {
      log.push(['leaseLost', input]);
      done();
    },
    shardEnded(input, done) {
      input.checkpointer.checkpoint((err, seq) => {
        log.push(['shardEnded checkpoint', err, seq]);
        done();
      });
    },
    shutdownRequested(input, done) {
      input.checkpointer.checkpoint((err) => {
        log.push(['shutdownRequested checkpoint', err]);
        done();
      });
    },
  };
  return processor;
}

/** Replays the verified transcript's daemon side and answers the child's checkpoints. */
async function transcript(driver: LineDriver): Promise<void> {
  driver.send({
    action: 'initialize',
    shardId: 'shardId-000000000001',
    sequenceNumber: 'TRIM_HORIZON',
    subSequenceNumber: 0,
  });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'initialize' });
  driver.send({ action: 'processRecords', records: [RECORD(1), RECORD(2)], millisBehindLatest: 0 });
  expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: SEQ(2) });
  driver.send({
    action: 'checkpoint',
    sequenceNumber: SEQ(2),
    subSequenceNumber: null,
    error: null,
  });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
  driver.send({ action: 'processRecords', records: [RECORD(3)], millisBehindLatest: 5 });
  expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: SEQ(3) });
  driver.send({ action: 'checkpoint', sequenceNumber: SEQ(3), error: 'ThrottlingException' });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
  driver.send({ action: 'processRecords', records: [], millisBehindLatest: 0 });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
  driver.send({ action: 'shutdownRequested' });
  expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: null });
  driver.send({ action: 'checkpoint', sequenceNumber: null, error: null });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'shutdownRequested' });
  driver.send({ action: 'shardEnded' });
  expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: null });
  driver.send({ action: 'checkpoint', sequenceNumber: 'SHARD_END', error: null });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'shardEnded' });
  driver.send({ action: 'leaseLost' });
  expect(await driver.next()).toEqual({ action: 'status', responseFor: 'leaseLost' });
}

describe('kcl() child library', () => {
  it('is the default export too', () => {
    expect(kclDefault).toBe(kcl);
  });

  it('speaks the verified transcript byte for byte like aws-kcl, with the same callbacks', async () => {
    const ours: unknown[] = [];
    const theirs: unknown[] = [];
    const a = start(kcl as KclFn, sampleProcessor(ours));
    const b = start(awsKcl, sampleProcessor(theirs));

    await transcript(a);
    await transcript(b);

    expect(a.raw).toBe(b.raw);
    expect(ours).toEqual(theirs);
    expect(ours).toContainEqual([
      'processRecords',
      'shardId-000000000001',
      ['hello-1', 'hello-2'],
      0,
    ]);
    expect(ours).toContainEqual([
      'second checkpoint',
      'Cannot checkpoint while another checkpoint is already in progress.',
    ]);
    expect(ours).toContainEqual(['checkpointed', 'ThrottlingException', SEQ(3)]);
    expect(ours).toContainEqual(['shardEnded checkpoint', null, 'SHARD_END']);
    expect(a.raw.startsWith('\n{"action":"status","responseFor":"initialize"}\n')).toBe(true);
  });

  it.each<[string, Record<string, () => undefined>]>([
    ['nothing', {}],
    ['no processRecords', { initialize: () => undefined, shutdown: () => undefined }],
    [
      'leaseLost without shardEnded',
      { initialize: () => undefined, processRecords: () => undefined, leaseLost: () => undefined },
    ],
  ])('rejects a processor with %s with aws-kcl’s exact message', (_name, processor) => {
    const message =
      'Record processor must implement initialize, processRecords, and shutdown functions.';
    expect(() => awsKcl(processor)).toThrow(message);
    expect(() => kcl(processor as unknown as KclRecordProcessor)).toThrow(new Error(message));
  });

  it('calls a V1 processor’s shutdown with ZOMBIE and TERMINATE like aws-kcl', async () => {
    const run = async (fn: KclFn): Promise<unknown[]> => {
      const log: unknown[] = [];
      const driver = start(fn, {
        initialize: (_i: unknown, done: () => void) => done(),
        processRecords: (_i: unknown, done: () => void) => done(),
        leaseLost: () => log.push('leaseLost must not be called in V1'),
        shutdown(input: { reason: string; checkpointer?: KclCheckpointer }, done: () => void) {
          log.push([input.reason, input.checkpointer === undefined]);
          if (input.checkpointer) input.checkpointer.checkpoint(() => done());
          else done();
        },
      });
      driver.send({ action: 'leaseLost' });
      expect(await driver.next()).toEqual({ action: 'status', responseFor: 'leaseLost' });
      driver.send({ action: 'shardEnded' });
      expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: null });
      driver.send({ action: 'checkpoint', sequenceNumber: 'SHARD_END', error: null });
      expect(await driver.next()).toEqual({ action: 'status', responseFor: 'shardEnded' });
      return log;
    };
    const ours = await run(kcl as KclFn);
    expect(ours).toEqual([
      ['ZOMBIE', true],
      ['TERMINATE', false],
    ]);
    expect(ours).toEqual(await run(awsKcl));
  });

  it('answers shutdownRequested itself when the processor lacks it, like aws-kcl', async () => {
    const processor = {
      initialize: (_i: unknown, done: () => void) => done(),
      processRecords: (_i: unknown, done: () => void) => done(),
      leaseLost: (_i: unknown, done: () => void) => done(),
      shardEnded: (_i: unknown, done: () => void) => done(),
    };
    const a = start(kcl as KclFn, processor);
    const b = start(awsKcl, processor);
    for (const d of [a, b]) {
      d.send({ action: 'shutdownRequested' });
      expect(await d.next()).toEqual({ action: 'status', responseFor: 'shutdownRequested' });
    }
    expect(a.raw).toBe(b.raw);
  });

  it('reports an unknown action on the error stream and carries on', async () => {
    const driver = start(kcl as KclFn, sampleProcessor([]));
    driver.send({ action: 'shutdown', reason: 'TERMINATE' });
    driver.childIn.write('not json\n');
    driver.send({ action: 'leaseLost' });
    expect(await driver.next()).toEqual({ action: 'status', responseFor: 'leaseLost' });
    expect(driver.errText).toBe(
      'Invalid action received: {"action":"shutdown","reason":"TERMINATE"}\nInvalid action received: not json\n',
    );
  });
});

describe('kcl() checkpointer extensions', () => {
  function withCheckpointer(
    use: (checkpointer: KclCheckpointer, done: () => void) => void,
  ): LineDriver {
    const driver = start(kcl as KclFn, {
      initialize: (_i: unknown, done: () => void) => done(),
      processRecords: (input: { checkpointer: KclCheckpointer }, done: () => void) =>
        use(input.checkpointer, done),
      leaseLost: (_i: unknown, done: () => void) => done(),
      shardEnded: (_i: unknown, done: () => void) => done(),
    });
    driver.send({ action: 'processRecords', records: [RECORD(1)], millisBehindLatest: 0 });
    return driver;
  }

  it('sends a sub-sequence number with checkpoint(seq, subSeq, cb)', async () => {
    const results: unknown[] = [];
    const driver = withCheckpointer((cp, done) =>
      cp.checkpoint(SEQ(1), 3, (err, seq) => {
        results.push([err, seq]);
        done();
      }),
    );
    expect(await driver.next()).toEqual({
      action: 'checkpoint',
      sequenceNumber: SEQ(1),
      subSequenceNumber: 3,
    });
    driver.send({
      action: 'checkpoint',
      sequenceNumber: SEQ(1),
      subSequenceNumber: 3,
      error: null,
    });
    expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
    expect(results).toEqual([[null, SEQ(1)]]);
  });

  it('returns a promise without a callback, rejecting with the error string as code', async () => {
    const results: unknown[] = [];
    const driver = withCheckpointer((cp, done) => {
      void cp.checkpoint(SEQ(1)).then(
        (seq) => results.push(['ok', seq]),
        (error: unknown) => {
          results.push(['failed', (error as { code: string }).code]);
          done();
        },
      );
    });
    expect(await driver.next()).toEqual({ action: 'checkpoint', sequenceNumber: SEQ(1) });
    driver.send({ action: 'checkpoint', sequenceNumber: SEQ(1), error: 'ShutdownException' });
    expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
    expect(results).toEqual([['failed', 'ShutdownException']]);
  });

  it('completes an async method without a callback parameter when its promise resolves', async () => {
    const driver = start(kcl as KclFn, {
      initialize: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
      },
      processRecords: (_i: unknown, done: () => void) => done(),
      leaseLost: (_i: unknown, done: () => void) => done(),
      shardEnded: (_i: unknown, done: () => void) => done(),
    });
    driver.send({
      action: 'initialize',
      shardId: 's',
      sequenceNumber: 'LATEST',
      subSequenceNumber: 0,
    });
    expect(await driver.next()).toEqual({ action: 'status', responseFor: 'initialize' });
  });

  it('sends one status even if the complete callback is called twice', async () => {
    const driver = withCheckpointer((_cp, done) => {
      done();
      done();
    });
    expect(await driver.next()).toEqual({ action: 'status', responseFor: 'processRecords' });
    expect(await driver.quietFor(50)).toBe(true);
  });
});
