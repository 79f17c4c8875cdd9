import type { Emulators } from '../harness/emulators.js';
import { EMULATORS_GLOBAL } from './globalSetup.js';

/**
 * Stops what globalSetup started. Runs after failing tests too; for interrupted or killed runs the
 * harness's exit/signal handlers and pid files take over.
 */
export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const emulators = store[EMULATORS_GLOBAL] as Emulators | undefined;
  store[EMULATORS_GLOBAL] = undefined;
  await emulators?.stop();
}
