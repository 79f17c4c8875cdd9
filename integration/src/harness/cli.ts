/**
 * Starts the emulators for manual runs and the demo:
 *   npx tsx integration/src/harness/cli.ts [--dynalite]
 * prints `KINESIS_ENDPOINT=… DYNAMODB_ENDPOINT=…` (paste it after `export` in another shell) and
 * stays up until Ctrl-C.
 * Endpoints already set in the environment are printed as they are and nothing is started for
 * them.
 */
import { startEmulators } from './emulators.js';

async function main(): Promise<void> {
  const emulators = await startEmulators({
    ...(process.argv.includes('--dynalite') && { dynamodbEngine: 'dynalite' as const }),
  });
  const { kinesis, dynamodb } = emulators;
  console.error(
    `[kinesis-kit harness] ${kinesis.engine} (${kinesis.startupMs} ms), ` +
      `${dynamodb.engine} (${dynamodb.startupMs} ms). Ctrl-C to stop.`,
  );
  // stdout carries only the assignment line, so `eval "$(… | head -1)"`-style use works.
  console.log(`KINESIS_ENDPOINT=${kinesis.endpoint} DYNAMODB_ENDPOINT=${dynamodb.endpoint}`);
  // No SIGINT handler of our own: the harness's handler kills the emulator processes and
  // re-raises the signal (dynalite runs in this process and dies with it).
  // Keeps the process alive when both endpoints are external (nothing else would).
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
