/**
 * One child process speaking the MultiLang protocol for one shard. `exchange()` sends an action
 * and resolves on the child's matching `status`; checkpoint requests arriving meanwhile are
 * applied with that action's checkpointer and answered. Lines are handled one at a time, in order,
 * so a status never overtakes the answer to an earlier checkpoint.
 *
 * Unlike the Java daemon, which exits (all shards) on any protocol error or slow child, a
 * violation here kills this child and rejects the exchange: the caller fails only this shard.
 */
import { createInterface } from 'node:readline';
import { KinesisKitError } from '@kinesis-kit/common';
import type { Logger } from '@kinesis-kit/common';
import type { RecordProcessorCheckpointer } from '../processor.js';
import type { ChildExit, ChildTransport } from './childTransport.js';
import { javaCheckpointError, parseChildLine } from './protocol.js';
import type { ActionName, ChildMessage, DaemonMessage, JavaCheckpointError } from './protocol.js';

/** Options of a {@link ChildSession}. @internal */
export interface ChildSessionOptions {
  readonly shardId: string;
  readonly transport: ChildTransport;
  /** `timeoutInSeconds`: the longest the child may stay silent while it owes an answer. */
  readonly timeoutMs: number | undefined;
  /** How long a child may take to exit after its stdin is closed before it is killed. */
  readonly exitTimeoutMs: number;
  /** Receives each line the child writes to stderr. */
  readonly onStderr: (line: string) => void;
  readonly logger: Logger;
}

interface Pending {
  readonly action: ActionName;
  readonly checkpointer: RecordProcessorCheckpointer | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** @internal */
export class ChildSession {
  private pending: Pending | undefined;
  private failure: Error | undefined;
  private exit: ChildExit | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Resolves after the child exited and every line it wrote was handled. */
  readonly finished: Promise<void>;

  constructor(private readonly o: ChildSessionOptions) {
    const { transport } = o;
    const stdout = createInterface({ input: transport.stdout, crlfDelay: Infinity });
    stdout.on('line', (line) => this.enqueue(() => this.onLine(line)));
    const stdoutClosed = new Promise<void>((resolve) => stdout.once('close', resolve));
    createInterface({ input: transport.stderr, crlfDelay: Infinity }).on('line', o.onStderr);
    this.finished = transport.exited.then(async (exit) => {
      // 'exit' may come before the last stdout lines; a grandchild may keep stdout open forever.
      await Promise.race([stdoutClosed, delay(200)]);
      await this.queue;
      this.exit = exit;
      this.clearTimer();
      this.fail(
        protocolError(this.o.shardId, `the child ${transport.label} exited (${describe(exit)})`),
        false,
      );
    });
  }

  /** True until the child exited, was killed, or broke the protocol. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** Sends `message` and resolves when the child answers `status` for it. */
  exchange(
    message: DaemonMessage & { readonly action: ActionName },
    checkpointer?: RecordProcessorCheckpointer,
  ): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending !== undefined) {
      return Promise.reject(
        new Error(`${message.action} sent while ${this.pending.action} is pending`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.pending = { action: message.action, checkpointer, resolve, reject };
      this.send(message);
      this.armTimer();
    });
  }

  /** Closes the child's stdin (its signal to exit) and waits for it, killing it after a while. */
  async close(): Promise<void> {
    if (this.exit === undefined) this.o.transport.stdin.end();
    const timer = setTimeout(() => this.o.transport.kill(), this.o.exitTimeoutMs);
    await this.finished;
    clearTimeout(timer);
  }

  /** Kills the child; a pending exchange rejects. */
  kill(reason: string): void {
    this.fail(protocolError(this.o.shardId, reason), true);
  }

  private enqueue(task: () => Promise<void> | void): void {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.o.logger.error('multilang session failed', { error });
    });
  }

  private async onLine(line: string): Promise<void> {
    if (this.failure !== undefined) return;
    const message = parseChildLine(line);
    if (message === undefined) return;
    if ('invalid' in message) {
      this.fail(
        protocolError(this.o.shardId, `the child broke the protocol: ${message.invalid}`),
        true,
      );
      return;
    }
    if (message.action === 'status') {
      this.onStatus(message.responseFor);
      return;
    }
    this.clearTimer();
    const answer = await this.checkpoint(message);
    if (this.failure !== undefined) return;
    this.send(answer);
    if (this.pending !== undefined) this.armTimer();
  }

  private onStatus(responseFor: string): void {
    const pending = this.pending;
    if (pending === undefined || pending.action !== responseFor) {
      const waiting = pending === undefined ? 'no action' : pending.action;
      this.fail(
        protocolError(
          this.o.shardId,
          `the child answered ${responseFor} while ${waiting} was pending`,
        ),
        true,
      );
      return;
    }
    this.clearTimer();
    this.pending = undefined;
    pending.resolve();
  }

  private async checkpoint(
    request: Extract<ChildMessage, { action: 'checkpoint' }>,
  ): Promise<DaemonMessage> {
    const { sequenceNumber, subSequenceNumber } = request;
    const pending = this.pending;
    let error: JavaCheckpointError | null = null;
    let answered = sequenceNumber;
    if (pending?.checkpointer === undefined) {
      // No checkpointer in initialize/leaseLost, nor between actions (a late request).
      error = 'InvalidStateException';
    } else {
      try {
        if (sequenceNumber === null) {
          await pending.checkpointer.checkpoint();
          if (pending.action === 'shardEnded') answered = 'SHARD_END';
        } else {
          await pending.checkpointer.checkpoint(sequenceNumber, subSequenceNumber ?? undefined);
        }
      } catch (e) {
        error = javaCheckpointError(e);
        this.o.logger.warn('checkpoint requested by the child failed', {
          sequenceNumber,
          answer: error,
          error: e,
        });
      }
    }
    return { action: 'checkpoint', sequenceNumber: answered, subSequenceNumber, error };
  }

  private send(message: DaemonMessage): void {
    this.o.transport.stdin.write(`${JSON.stringify(message)}\n`);
  }

  private armTimer(): void {
    const ms = this.o.timeoutMs;
    if (ms === undefined) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      const action = this.pending?.action ?? 'a message';
      this.fail(
        new KinesisKitError(
          'KT_TIMEOUT',
          `the child for ${this.o.shardId} did not answer ${action} within timeoutInSeconds (${ms / 1000} s); killed it`,
          { context: { shardId: this.o.shardId } },
        ),
        true,
      );
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(error: Error, kill: boolean): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.clearTimer();
    if (kill) this.o.transport.kill();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

function protocolError(shardId: string, message: string): KinesisKitError {
  return new KinesisKitError('KT_PROTOCOL', `shard ${shardId}: ${message}`, {
    context: { shardId },
  });
}

function describe(exit: ChildExit): string {
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return exit.code === null ? 'could not start' : `code ${exit.code}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
