/**
 * Child processes without processes: a ChildTransport on in-memory streams, driven either by the
 * real aws-kcl library (as a real child would run it) or by a script reacting to each action.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { ExtendedSequenceNumber } from '@kinesis-kit/common';
import { ShardCheckpointer } from '../../../src/checkpointer.js';
import type { ChildExit, ChildTransport } from '../../../src/multilang/childTransport.js';
import type { ConsumerRecord } from '../../../src/processor.js';
import { heldLease } from '../../fakes/heldLease.js';
import type { HeldLease } from '../../fakes/heldLease.js';

export const SHARD = 'shardId-000000000001';
export const SEQ = (n: number): string => `4959${String(n).padStart(52, '0')}`;
export const esn = (n: number, sub = 0): ExtendedSequenceNumber =>
  ExtendedSequenceNumber.of(SEQ(n), sub);

export function record(n: number, sub = 0): ConsumerRecord {
  return {
    data: Buffer.from(`hello-${n}`),
    partitionKey: `pk-${n}`,
    explicitHashKey: undefined,
    sequenceNumber: SEQ(n),
    subSequenceNumber: sub,
    approximateArrivalTimestamp: new Date(1795644277541),
    aggregated: sub > 0,
  };
}

export interface FakeChild {
  readonly transport: ChildTransport;
  /** What the daemon wrote (the child's stdin). */
  readonly stdin: PassThrough;
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  /** Lines the daemon sent, parsed. */
  readonly received: Record<string, unknown>[];
  killed: boolean;
  stdinClosed: boolean;
  exit(code: number | null, signal?: string): void;
  write(message: Record<string, unknown>): void;
}

export function fakeChild(): FakeChild {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let resolveExit!: (exit: ChildExit) => void;
  const exited = new Promise<ChildExit>((resolve) => (resolveExit = resolve));
  let done = false;
  const child: FakeChild = {
    stdin,
    stdout,
    stderr,
    received: [],
    killed: false,
    stdinClosed: false,
    exit(code, signal) {
      if (done) return;
      done = true;
      stdout.end();
      stderr.end();
      resolveExit({ code, signal: signal ?? null });
    },
    write(message) {
      stdout.write(`\n${JSON.stringify(message)}\n`);
    },
    transport: {
      stdin,
      stdout,
      stderr,
      label: 'fake child',
      exited,
      kill: () => {
        child.killed = true;
        child.exit(null, 'SIGKILL');
      },
    },
  };
  createInterface({ input: stdin }).on('line', (line) => {
    if (line !== '') child.received.push(JSON.parse(line) as Record<string, unknown>);
  });
  stdin.on('end', () => (child.stdinClosed = true));
  return child;
}

type AwsKcl = (
  processor: unknown,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  error: NodeJS.WritableStream,
) => { run(): void };

/** A fake child running `processor` in the real aws-kcl library; it exits 0 when stdin closes. */
export function awsKclChild(processor: unknown): FakeChild {
  const child = fakeChild();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the real package, untyped
  const awsKcl = require('aws-kcl') as AwsKcl;
  awsKcl(processor, child.stdin, child.stdout, child.stderr).run();
  child.stdin.on('end', () => setImmediate(() => child.exit(0)));
  return child;
}

/**
 * A fake child that answers each action with `react(action, child)`; the default answers a
 * status at once.
 */
export function scriptedChild(
  react: (action: Record<string, unknown>, child: FakeChild) => void = (a, c) =>
    c.write({ action: 'status', responseFor: a.action }),
): FakeChild {
  const child = fakeChild();
  createInterface({ input: child.stdin }).on('line', (line) => {
    if (line === '') return;
    const action = JSON.parse(line) as Record<string, unknown>;
    if (action.action !== 'checkpoint') react(action, child);
  });
  child.stdin.on('end', () => setImmediate(() => child.exit(0)));
  return child;
}

export interface CheckpointSetup {
  readonly held: HeldLease;
  readonly checkpointer: ShardCheckpointer;
}

/** A checkpointer on a lease held in an in-memory store with real conditional writes. */
export async function checkpointSetup(
  checkpoint = ExtendedSequenceNumber.TRIM_HORIZON,
): Promise<CheckpointSetup> {
  const held = await heldLease(SHARD, checkpoint);
  const checkpointer = new ShardCheckpointer({ shardId: SHARD, target: held.target, checkpoint });
  return { held, checkpointer };
}
