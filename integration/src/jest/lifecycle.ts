import { startEmulators } from '../harness/emulators.js';
import type { Emulators } from '../harness/emulators.js';
import {
  DYNAMODB_ENDPOINT_VAR,
  DYNAMODB_ENGINE_VAR,
  EMULATORS_VAR,
  KINESIS_ENDPOINT_VAR,
} from '../harness/env.js';

// jest shares globals between globalSetup and globalTeardown only; this is where the running
// emulators wait for the teardown.
const EMULATORS_GLOBAL = '__kinesisKitEmulators';

/**
 * Starts the emulators once for the whole integration run (or adopts KINESIS_ENDPOINT /
 * DYNAMODB_ENDPOINT) and hands the endpoints to the test workers through the environment, which
 * jest workers inherit because they are forked after this hook.
 * @internal
 */
export async function setupEmulators(): Promise<void> {
  // The SDK warns once per module registry (so once per test file) that Node 20 support ends;
  // our engines field says >=20 on purpose. Set the variable to 'false' to see the warning.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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

/**
 * Stops what {@link setupEmulators} started. Runs after failing tests too; for interrupted or
 * killed runs the harness's exit/signal handlers and pid files take over.
 * @internal
 */
export async function teardownEmulators(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const emulators = store[EMULATORS_GLOBAL] as Emulators | undefined;
  store[EMULATORS_GLOBAL] = undefined;
  await emulators?.stop();
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
