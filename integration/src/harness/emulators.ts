import type { Logger } from '@kinesis-kit/common';
import { startDynamoDB } from './dynamoDB.js';
import type { DynamoDBEngineChoice } from './dynamoDB.js';
import {
  DYNAMODB_ENDPOINT_VAR,
  DYNAMODB_ENGINE_VAR,
  KINESIS_ENDPOINT_VAR,
  readEnv,
} from './env.js';
import { startKinesisLocal } from './kinesisLocal.js';
import { killOrphans } from './pidFiles.js';
import type { DynamoDBEmulator, KinesisEmulator } from './types.js';

/** Both emulators; `stop()` stops whichever the harness started. @public */
export interface Emulators {
  readonly kinesis: KinesisEmulator;
  readonly dynamodb: DynamoDBEmulator;
  /** Stops both (in parallel) and waits until they are gone. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startEmulators}. @public */
export interface StartEmulatorsOptions {
  /** Where `KINESIS_ENDPOINT` / `DYNAMODB_ENDPOINT` are read. @defaultValue process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @defaultValue from `KINESIS_KIT_DYNAMODB_ENGINE`, else 'auto' */
  readonly dynamodbEngine?: DynamoDBEngineChoice;
  /** @defaultValue console, info and warn */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** @defaultValue 50 */
  readonly kinesisOperationDurationMs?: number;
}

const consoleLogger: Pick<Logger, 'info' | 'warn'> = {
  info: (message) => console.info(`[kinesis-kit harness] ${message}`),
  warn: (message) => console.warn(`[kinesis-kit harness] ${message}`),
};

/**
 * Starts kinesis-local and DynamoDB Local (or dynalite) in parallel on free loopback ports. An
 * endpoint given in `KINESIS_ENDPOINT` / `DYNAMODB_ENDPOINT` (e.g. LocalStack's
 * `http://localhost:4566`) is used as is and nothing is started for it. Emulators left behind by
 * an earlier run that was killed are cleaned up first. If one emulator fails to start, the other
 * is stopped before the error is thrown.
 * @public
 * @example
 * const emulators = await startEmulators();
 * console.log(emulators.kinesis.endpoint, emulators.dynamodb.engine);
 * await emulators.stop();
 */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<Emulators> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? consoleLogger;
  for (const orphan of killOrphans()) logger.warn(`killed an emulator left behind: ${orphan}`);

  const kinesisEndpoint = readEnv(KINESIS_ENDPOINT_VAR, env);
  const dynamodbEndpoint = readEnv(DYNAMODB_ENDPOINT_VAR, env);
  const [kinesis, dynamodb] = await Promise.allSettled([
    kinesisEndpoint !== undefined
      ? Promise.resolve(external(kinesisEndpoint))
      : startKinesisLocal({
          logger,
          ...(options.kinesisOperationDurationMs !== undefined && {
            operationDurationMs: options.kinesisOperationDurationMs,
          }),
        }),
    dynamodbEndpoint !== undefined
      ? Promise.resolve(external(dynamodbEndpoint))
      : startDynamoDB({ logger, engine: options.dynamodbEngine ?? engineFromEnv(env) }),
  ]);
  if (kinesis.status === 'rejected' || dynamodb.status === 'rejected') {
    const started = [kinesis, dynamodb].filter((r) => r.status === 'fulfilled');
    await Promise.all(started.map((r) => r.value.stop()));
    const failed = kinesis.status === 'rejected' ? kinesis : dynamodb;
    throw (failed as PromiseRejectedResult).reason;
  }
  let stopping: Promise<void> | undefined;
  return {
    kinesis: kinesis.value,
    dynamodb: dynamodb.value,
    stop: () => {
      stopping ??= Promise.all([kinesis.value.stop(), dynamodb.value.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

/** An endpoint from the environment: the harness neither started it nor stops it. */
function external(endpoint: string): KinesisEmulator & DynamoDBEmulator {
  return { engine: 'external', endpoint, startupMs: 0, stop: () => Promise.resolve() };
}

function engineFromEnv(env: NodeJS.ProcessEnv): DynamoDBEngineChoice {
  const value = readEnv(DYNAMODB_ENGINE_VAR, env);
  if (value === 'dynalite' || value === 'dynamodb-local') return value;
  return 'auto';
}
