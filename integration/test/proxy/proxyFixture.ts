/**
 * The set-up the proxy's integration tests share: an in-process proxy in front of the Kinesis
 * engine, an SDK client that makes one attempt (so the proxy's answers are seen, not retried
 * away), limits and faults cleared before each test, and streams deleted at the end.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  KINESIS_ENDPOINT_VAR,
  createKinesisClient,
  createTestStream,
  deleteStream,
  destroySharedClients,
} from '../../src/index.js';
import { startProxy } from '../../src/proxy/index.js';
import type { ProxyServer } from '../../src/proxy/index.js';

/** What a test file uses; valid inside tests (after `beforeAll`). */
export interface ProxyFixture {
  readonly proxy: ProxyServer;
  readonly kinesis: KinesisClient;
  /** A fresh stream with `shards` shards, deleted after the file's tests. */
  newStream(shards: number): Promise<string>;
  /**
   * Stops the proxy's limit clock until the next test, so a test about a burst sees exactly the
   * burst however slowly a loaded machine sends it.
   */
  freezeLimitClock(): void;
  /** {@link newStream} with the stream's ARN too. */
  newStreamWithArn(shards: number): Promise<{ streamName: string; streamArn: string }>;
}

/** Registers the jest hooks and returns the fixture they fill in. */
export function useProxyFixture(): ProxyFixture {
  let proxy: ProxyServer | undefined;
  let kinesis: KinesisClient | undefined;
  const streams: string[] = [];
  let frozenAt: number | undefined;

  beforeAll(async () => {
    proxy = await startProxy({
      target: process.env[KINESIS_ENDPOINT_VAR]!,
      now: () => frozenAt ?? performance.now(),
    });
    kinesis = createKinesisClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
  });

  afterAll(async () => {
    await Promise.all(streams.map((name) => deleteStream(name)));
    kinesis?.destroy();
    destroySharedClients();
    await proxy?.close();
  });

  beforeEach(() => {
    frozenAt = undefined;
    proxy?.setLimits({});
    proxy?.setFaults([]);
    proxy?.reset();
  });

  const newStreamWithArn = async (
    shards: number,
  ): Promise<{ streamName: string; streamArn: string }> => {
    const { streamName, streamArn } = await createTestStream(shards);
    streams.push(streamName);
    return { streamName, streamArn };
  };
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used before beforeAll ran`);
    return value;
  };
  return {
    get proxy() {
      return ready(proxy, 'proxy');
    },
    get kinesis() {
      return ready(kinesis, 'kinesis');
    },
    newStreamWithArn,
    freezeLimitClock: () => {
      frozenAt = performance.now();
    },
    newStream: async (shards) => (await newStreamWithArn(shards)).streamName,
  };
}
