/**
 * The `kinesis-kit` command line: dispatch, Ctrl-C, and the one-line error policy (no stack
 * traces; exit 2 for usage errors, 1 for failures, 3 when reset refuses).
 */
import { parseArgs } from 'node:util';
import { runBench } from './commands/bench.js';
import { runLeases } from './commands/leases.js';
import { runPut } from './commands/put.js';
import { runReset } from './commands/reset.js';
import { runTail } from './commands/tail.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, resolveConnection } from './connection.js';
import { UsageError, describeError } from './errors.js';
import type { CliIo } from './io.js';

const HELP = `kinesis-kit: everyday tools for Kinesis Data Streams and KCL lease tables

Usage: kinesis-kit <command> [options]

Commands:
  put <stream> [data...]       put records (arguments, or stdin lines / JSON lines) through the producer
  produce <stream> [data...]   same as put
  tail <stream>                print records as they arrive, deaggregated, following reshards
  leases <application>         the lease table: owner, checkpoint, lag, parents/children, counter
  reset <application> --to P   move checkpoints (dry run unless --apply; refuses while leases are held)
  bench                        run the producer and consumer benchmarks

Run "kinesis-kit <command> --help" for a command's options.

${CONNECTION_HELP}`;

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  put: runPut,
  produce: runPut,
  tail: runTail,
  leases: runLeases,
  reset: runReset,
  bench: runBench,
};

/**
 * Runs one command line; resolves with the exit code and never rejects.
 * @example
 * const code = await main(['tail', 'events', '--from', 'TRIM_HORIZON'], io);
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout.write('0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`kinesis-kit: unknown command "${name}" (see kinesis-kit --help)\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (io.signal.aborted && (error as { name?: unknown }).name === 'AbortError') return 130;
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr.write(
        `kinesis-kit ${name}: ${(error as Error).message} (see kinesis-kit ${name} --help)\n`,
      );
      return 2;
    }
    const connection = safeConnection(rest, io.env);
    io.stderr.write(`kinesis-kit ${name}: ${describeError(error, { where: connection })}\n`);
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    return typeof exitCode === 'number' ? exitCode : 1;
  }
}

/** The process entry used by `bin/kinesis-kit.js`. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await main(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** The connection described for an error message, from whatever the arguments say. */
function safeConnection(args: string[], env: NodeJS.ProcessEnv): string {
  try {
    const { values } = parseArgs({ args, options: CONNECTION_OPTIONS, strict: false });
    return resolveConnection(values as Record<string, string>, env).where;
  } catch {
    return 'the endpoint';
  }
}
