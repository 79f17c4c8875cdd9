/**
 * A {@link ShardRecordProcessor} that forwards every call to a child process over the MultiLang
 * protocol, as the Java daemon's `MultiLangShardRecordProcessor` does. A child that crashes,
 * breaks the protocol or stays silent past `timeoutInSeconds` makes the call reject, and the
 * consumer's error policy fails the shard (its lease is released and retried later) while the
 * other shards go on.
 *
 * Lifecycle, as the Java daemon: `initialize` starts a child; `leaseLost` and `shardEnded` are the
 * last actions, after which the child's stdin is closed. A graceful `shutdownRequested` is followed
 * by `leaseLost` (the Java KCL drops the lease after the notification and then reports it lost).
 * `shardEnded` after a crash starts a fresh child (initialized at the last checkpoint) so the shard
 * can still finish and its children start.
 */
import type { Logger } from '@kinesis-kit/common';
import type {
  InitializeInput,
  ProcessRecordsInput,
  ShardEndedInput,
  ShardRecordProcessor,
  ShutdownRequestedInput,
} from '../processor.js';
import { ChildSession } from './childSession.js';
import type { ChildSpawner } from './childTransport.js';
import { initializeMessage, toWireRecord } from './protocol.js';

/** Options of a {@link MultiLangShardProcessor}. @internal */
export interface MultiLangProcessorOptions {
  readonly shardId: string;
  readonly spawn: ChildSpawner;
  /** `timeoutInSeconds` in ms. @defaultValue no limit (as the Java daemon) */
  readonly timeoutMs?: number;
  /** Wait for a child to exit after its stdin is closed. @defaultValue 10 000 */
  readonly exitTimeoutMs?: number;
  /** Child stderr lines; the daemon prefixes them with the shard id. */
  readonly onStderr: (shardId: string, line: string) => void;
  readonly logger: Logger;
}

/** @internal */
export class MultiLangShardProcessor implements ShardRecordProcessor {
  private session: ChildSession | undefined;
  private done = false;

  constructor(private readonly o: MultiLangProcessorOptions) {}

  /** The shard this processor serves. */
  get shardId(): string {
    return this.o.shardId;
  }

  async initialize(input: InitializeInput): Promise<void> {
    // The consumer retries a failed initialize: each attempt gets a fresh child.
    await this.start(input.extendedSequenceNumber);
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    await this.live('processRecords').exchange(
      {
        action: 'processRecords',
        records: input.records.map(toWireRecord),
        millisBehindLatest: input.millisBehindLatest ?? null,
      },
      input.checkpointer,
    );
  }

  async leaseLost(): Promise<void> {
    const session = this.session;
    this.done = true;
    // A dead child has nothing to be told; its failure was reported when it happened.
    if (session === undefined || !session.alive) return;
    await this.finish(session, () => session.exchange({ action: 'leaseLost' }));
  }

  async shardEnded({ checkpointer }: ShardEndedInput): Promise<void> {
    if (this.session === undefined || !this.session.alive) {
      await this.start(checkpointer.lastCheckpoint);
    }
    const session = this.session!;
    this.done = true;
    await this.finish(session, () => session.exchange({ action: 'shardEnded' }, checkpointer));
  }

  async shutdownRequested({ checkpointer }: ShutdownRequestedInput): Promise<void> {
    const session = this.session;
    this.done = true;
    if (session === undefined || !session.alive) return;
    await this.finish(session, async () => {
      await session.exchange({ action: 'shutdownRequested' }, checkpointer);
      await session.exchange({ action: 'leaseLost' });
    });
  }

  /** Kills the child at once (a hard stop); a call in flight rejects. */
  kill(reason: string): void {
    this.done = true;
    this.session?.kill(reason);
  }

  /** Resolves once the child (if any) has exited. */
  async closed(): Promise<void> {
    await this.session?.finished;
  }

  private async start(checkpoint: InitializeInput['extendedSequenceNumber']): Promise<void> {
    this.session?.kill('replaced by a new child');
    const { shardId, logger } = this.o;
    const transport = this.o.spawn(shardId);
    const session = new ChildSession({
      shardId,
      transport,
      timeoutMs: this.o.timeoutMs,
      exitTimeoutMs: this.o.exitTimeoutMs ?? 10_000,
      onStderr: (line) => this.o.onStderr(shardId, line),
      logger,
    });
    this.session = session;
    logger.debug('started a child', { child: transport.label });
    void session.finished.then(() => {
      if (!this.done && this.session === session) {
        logger.warn('the child exited while it still had the shard', { child: transport.label });
      }
    });
    await session.exchange(initializeMessage(shardId, checkpoint));
  }

  private live(action: string): ChildSession {
    const session = this.session;
    if (session === undefined || !session.alive) {
      throw new Error(`shard ${this.o.shardId}: no running child for ${action}`);
    }
    return session;
  }

  /** Runs the last exchanges, then closes stdin and waits for the exit, even when they fail. */
  private async finish(session: ChildSession, last: () => Promise<void>): Promise<void> {
    try {
      await last();
    } finally {
      await session.close();
    }
  }
}
