/**
 * The MultiLang daemon: a {@link KinesisConsumer} whose processors are child processes (one per
 * leased shard) speaking the MultiLang protocol. It adds what the Java daemon's process owns: the
 * client configurations from the properties, a hard deadline on graceful shutdown (children still
 * busy after `shutdownGraceMillis` are killed so the leases can be released), and start-up errors
 * in KCL terms.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { ConfigurationError } from '@kinesis-kit/common';
import type { Logger } from '@kinesis-kit/common';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisConsumer } from '../KinesisConsumer.js';
import type { KinesisConsumerBaseOptions, KinesisConsumerOptions } from '../options.js';
import type { ChildSpawner } from './childTransport.js';
import { INTEGER_KEYS, MultiLangConfigError } from './config.js';
import type { MultiLangConfig } from './config.js';
import { MultiLangShardProcessor } from './shardProcessor.js';

/** Options of a {@link MultiLangDaemon}. @internal */
export interface MultiLangDaemonOptions {
  readonly config: MultiLangConfig;
  /** Names the properties file in error messages. */
  readonly source: string;
  readonly spawn: ChildSpawner;
  readonly logger: Logger;
  /** Receives child stderr lines, already prefixed with the shard id. */
  readonly writeChildStderr: (line: string) => void;
  /** For tests: options merged over the ones from the properties. */
  readonly overrides?: Partial<KinesisConsumerBaseOptions>;
}

/** The shard-worker policy for children: resending a batch to a dead child cannot help. */
const CHILD_FAILURE_POLICY = {
  maxProcessorAttempts: 1,
  processorErrorPolicy: 'stop-shard',
} as const satisfies Partial<KinesisConsumerBaseOptions>;

/** Our option names → the KCL keys users wrote, for configuration errors. */
const KEY_FOR_FIELD: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(INTEGER_KEYS).map(([key, field]) => [field, key])),
  initialPosition: 'initialPositionInStream',
  initialPositionTimestamp: 'initialPositionInStreamExtended',
};

/** @internal */
export class MultiLangDaemon {
  readonly consumer: KinesisConsumer;
  /** The processor of each shard being worked on, until the consumer reports it finished. */
  private readonly processors = new Map<string, MultiLangShardProcessor>();
  private readonly graceMs: number;
  private stopping: Promise<void> | undefined;

  constructor(private readonly o: MultiLangDaemonOptions) {
    const c = o.config;
    const stream =
      c.streamArn !== undefined
        ? {
            streamArn: c.streamArn,
            ...(c.streamName !== undefined && { streamName: c.streamName }),
          }
        : { streamName: c.streamName ?? '' };
    const options: KinesisConsumerOptions = {
      ...stream,
      applicationName: c.applicationName,
      ...(c.tableName !== undefined && { tableName: c.tableName }),
      ...(c.workerId !== undefined && { workerId: c.workerId }),
      initialPosition: c.initialPosition,
      ...c.tunables,
      ...CHILD_FAILURE_POLICY,
      kinesisClientConfig: clientConfig(c.region, c.kinesisEndpoint),
      dynamoDBClientConfig: clientConfig(c.region, c.dynamoDBEndpoint),
      processorFactory: (shardId) => this.createProcessor(shardId),
      logger: o.logger,
      ...o.overrides,
    };
    try {
      this.consumer = new KinesisConsumer(options);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      throw new MultiLangConfigError(
        o.source,
        error.problems.map((p) => `${KEY_FOR_FIELD[p.field] ?? p.field} ${p.message}`),
      );
    }
    this.graceMs = options.shutdownGraceMs ?? 30_000;
    this.consumer.events.on('shardFinished', ({ shardId }) => this.processors.delete(shardId));
  }

  /** Starts the consumer; rejects (e.g. FleetConflictError) when it cannot run. */
  async start(): Promise<void> {
    await this.consumer.start();
  }

  /**
   * Graceful stop: `shutdownRequested` to every child, then leases released. Children still busy
   * after `shutdownGraceMillis` are killed so the stop completes. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // The consumer gives processors shutdownGraceMs; the kill is a backstop just after it.
      const deadline = setTimeout(
        () => this.killAll('shutdownGraceMillis elapsed'),
        this.graceMs + 1000,
      );
      try {
        await this.consumer.stop();
      } finally {
        clearTimeout(deadline);
      }
      this.killAll('the daemon stopped');
      await Promise.all([...this.processors.values()].map((p) => p.closed()));
    })();
    return this.stopping;
  }

  /** Kills every child at once (a second signal). */
  killAll(reason: string): void {
    for (const p of this.processors.values()) p.kill(reason);
  }

  /** Shards with a running child processor. */
  activeShardIds(): string[] {
    return [...this.processors.keys()];
  }

  private createProcessor(shardId: string): MultiLangShardProcessor {
    const { logger } = this.o;
    const processor = new MultiLangShardProcessor({
      shardId,
      spawn: this.o.spawn,
      ...(this.o.config.childTimeoutMs !== undefined && {
        timeoutMs: this.o.config.childTimeoutMs,
      }),
      onStderr: (id, line) => this.o.writeChildStderr(`[${id}] ${line}`),
      logger: logger.child?.({ shardId }) ?? logger,
    });
    this.processors.set(shardId, processor);
    return processor;
  }
}

/**
 * SDK client settings from the properties. With an endpoint (an emulator) the HTTP/1.1 handler is
 * used: kinesis-local fails a few percent of calls over the SDK's default HTTP/2 handler
 * (peers-and-emulators.md §0 #7). Against AWS the SDK's defaults are right.
 * @internal
 */
export function clientConfig(
  region: string | undefined,
  endpoint: string | undefined,
): KinesisClientConfig & DynamoDBClientConfig {
  return {
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && {
      endpoint,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 }),
    }),
  };
}
