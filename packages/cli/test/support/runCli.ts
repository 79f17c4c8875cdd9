/**
 * Runs the CLI's main() in-process with captured output, a scripted stdin and the emulators'
 * endpoints (from the integration project's globalSetup).
 */
import { Readable } from 'node:stream';
import { main } from '../../src/main.js';
import { BufferOutput } from '../../src/io.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `--kinesis-endpoint … --dynamodb-endpoint …` for the emulators. */
export function endpointArgs(): string[] {
  return [
    '--kinesis-endpoint',
    process.env.KINESIS_ENDPOINT!,
    '--dynamodb-endpoint',
    process.env.DYNAMODB_ENDPOINT!,
  ];
}

/** Runs `kinesis-kit <args> <endpoints>` with `stdin` lines; `signal` can stop a long command. */
export async function runCli(
  args: readonly string[],
  options: { stdin?: readonly string[]; signal?: AbortSignal; endpoints?: boolean } = {},
): Promise<CliRun> {
  const stdout = new BufferOutput();
  const stderr = new BufferOutput();
  const input = (options.stdin ?? []).map((l) => `${l}\n`);
  const code = await main([...args, ...(options.endpoints === false ? [] : endpointArgs())], {
    stdout,
    stderr,
    stdin: Readable.from(input),
    env: { ...process.env, AWS_ENDPOINT_URL: '' },
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The JSON lines of a run's stdout. */
export function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}
