/**
 * The set-up every MultiLang integration test file repeats: emulator clients, a cleanup list run
 * after the file (after killing any daemon or app still running), and a fresh stream plus a
 * unique application name (its lease table) registered for cleanup.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createDynamoDBClient,
  createKinesisClient,
  createTestStream,
  deleteStream,
  deleteTable,
  uniqueName,
} from '@kinesis-kit/integration';
import { killStarted } from './daemonHarness.js';
import type { RunningProcess } from './daemonHarness.js';

/** What a test file uses. */
export interface MultiLangTestContext {
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  /** Run after the file's tests, failures ignored. */
  readonly cleanups: (() => Promise<unknown>)[];
  /** A new stream and application (lease table) name, both removed after the file. */
  streamAndApp(
    shards: number,
    appPrefix: string,
  ): Promise<{ streamName: string; applicationName: string }>;
}

/** Creates the clients and registers the `afterAll` that cleans up. */
export function useMultiLangTestContext(): MultiLangTestContext {
  const kinesis = createKinesisClient();
  const dynamo = createDynamoDBClient();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    killStarted();
    for (const c of cleanups) await c().catch(() => undefined);
    kinesis.destroy();
    dynamo.destroy();
  });
  return {
    kinesis,
    dynamo,
    cleanups,
    async streamAndApp(shards, appPrefix) {
      const { streamName } = await createTestStream(shards, { kinesis });
      const applicationName = uniqueName(appPrefix);
      cleanups.push(
        () => deleteStream(streamName),
        () => deleteTable(applicationName),
      );
      return { streamName, applicationName };
    },
  };
}

/** The daemon's own one-line messages on stderr (`kcl-bootstrap: …`). */
export function bootstrapLines(p: RunningProcess): string[] {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('kcl-bootstrap: '));
}
