import { startEmulators } from '../harness/emulators.js';
import type { Emulators } from '../harness/emulators.js';
import {
  DYNAMODB_ENDPOINT_VAR,
  DYNAMODB_ENGINE_VAR,
  EMULATORS_VAR,
  KINESIS_ENDPOINT_VAR,
} from '../harness/env.js';

/** Where globalTeardown finds the running emulators (jest shares globals between the two hooks only). */
export const EMULATORS_GLOBAL = '__kinesisKitEmulators';

/**
 * Starts the emulators once for the whole integration run (or adopts KINESIS_ENDPOINT /
 * DYNAMODB_ENDPOINT) and hands the endpoints to the test workers through the environment, which
 * jest workers inherit because they are forked after this hook.
 */
export default async function globalSetup(): Promise<void> {
  const emulators = await startEmulators();
  (globalThis as Record<string, unknown>)[EMULATORS_GLOBAL] = emulators;
  const { kinesis, dynamodb } = emulators;
  process.env[KINESIS_ENDPOINT_VAR] = kinesis.endpoint;
  process.env[DYNAMODB_ENDPOINT_VAR] = dynamodb.endpoint;
  process.env[DYNAMODB_ENGINE_VAR] = dynamodb.engine;
  process.env[EMULATORS_VAR] = emulatorsMode(emulators);
  console.info(
    `\n[kinesis-kit harness] Kinesis: ${describe(kinesis)}; DynamoDB: ${describe(dynamodb)}`,
  );
}

function emulatorsMode({ kinesis, dynamodb }: Emulators): 'embedded' | 'external' | 'mixed' {
  const external = [kinesis.engine, dynamodb.engine].filter((e) => e === 'external').length;
  return external === 0 ? 'embedded' : external === 2 ? 'external' : 'mixed';
}

function describe(e: { engine: string; endpoint: string; startupMs: number }): string {
  return e.engine === 'external'
    ? `${e.endpoint} (external)`
    : `${e.engine} at ${e.endpoint} (ready in ${e.startupMs} ms)`;
}
