/**
 * `kcl-bootstrap`: the command line around the daemon. Everything the user can get wrong (flags,
 * an unreadable or invalid properties file, a lease table owned by a Java KCL 3.x fleet, a stream
 * that does not exist) ends with one `kcl-bootstrap: …` line on stderr and exit code 1, never a
 * stack trace. SIGTERM/SIGINT stop the daemon gracefully; a second signal kills the children.
 */
import { resolve } from 'node:path';
import { isKinesisKitError } from '@kinesis-kit/common';
import type { Logger } from '@kinesis-kit/common';
import { parseBootstrapArgs, USAGE } from './args.js';
import { processSpawner } from './childTransport.js';
import type { ChildSpawner } from './childTransport.js';
import { MultiLangConfigError, mapProperties } from './config.js';
import type { MultiLangConfig } from './config.js';
import { MultiLangDaemon } from './daemon.js';
import { createLineLogger, parseLogLevel } from './logger.js';
import { PropertiesSyntaxError, parseProperties } from './properties.js';

/** What the CLI touches of its process, injected for tests. @internal */
export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  /** Calls `handler` on SIGTERM/SIGINT; returns a function removing it. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  /** The command that re-runs this CLI (node and the script), for the dry-run output. */
  readonly self: readonly string[];
}

/** Runs the CLI; resolves with the exit code. @internal */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseBootstrapArgs(argv);
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.errors.length > 0 || args.properties === undefined) {
    const problem = args.errors[0] ?? 'missing -p/--properties <file>';
    io.err(`kcl-bootstrap: ${problem} (see kcl-bootstrap --help)`);
    return 1;
  }
  const logger = createLineLogger(io.err, parseLogLevel(io.env.KCL_LOG_LEVEL) ?? 'info');
  if (args.ignored.length > 0) {
    logger.info(`${args.ignored.join(', ')} ignored: kinesis-kit runs without Java`);
  }
  const file = resolve(io.cwd, args.properties);
  const loaded = await loadConfig(file, io, { requireExecutable: true });
  if (typeof loaded === 'string') {
    io.err(`kcl-bootstrap: ${loaded}`);
    return 1;
  }
  reportConfig(loaded, logger);
  if (!args.execute) {
    io.out([...io.self, '-e', '-p', file].map(shellQuote).join(' '));
    io.err(
      `kcl-bootstrap: would run the kinesis-kit MultiLang daemon for stream ${describeStream(loaded)}, ` +
        `spawning "${loaded.executable!.join(' ')}" per shard in ${io.cwd}; add -e to run it`,
    );
    return 0;
  }
  const spawn = processSpawner({ command: loaded.executable!, cwd: io.cwd, env: io.env });
  return runDaemon(loaded, file, spawn, io, logger);
}

/**
 * Reads and maps a properties file; a one-line problem instead of an exception.
 * @internal
 */
export async function loadConfig(
  file: string,
  io: Pick<CliIo, 'readFile'>,
  options: { readonly requireExecutable: boolean },
): Promise<MultiLangConfig | string> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (code ?? String(error));
    return `cannot read properties file ${file}: ${reason}`;
  }
  try {
    return mapProperties(parseProperties(text), { source: file, ...options });
  } catch (error) {
    if (error instanceof PropertiesSyntaxError) return `${file}: ${error.message}`;
    if (error instanceof MultiLangConfigError) return error.message;
    throw error;
  }
}

/**
 * Runs the daemon until a signal, then stops it gracefully; resolves with the exit code.
 * @internal
 */
export async function runDaemon(
  config: MultiLangConfig,
  source: string,
  spawn: ChildSpawner,
  io: Pick<CliIo, 'err' | 'onSignal'>,
  logger: Logger,
): Promise<number> {
  let daemon: MultiLangDaemon;
  try {
    daemon = new MultiLangDaemon({
      config,
      source,
      spawn,
      logger,
      writeChildStderr: io.err,
    });
  } catch (error) {
    io.err(`kcl-bootstrap: ${oneLine(error)}`);
    return 1;
  }
  let signals = 0;
  let stopRequested!: () => void;
  const stopped = new Promise<void>((r) => (stopRequested = r));
  const removeHandler = io.onSignal((signal) => {
    signals++;
    if (signals === 1) {
      logger.info(
        `${signal}: stopping (children get shutdownRequested, then the leases are released)`,
      );
      stopRequested();
    } else {
      logger.warn(`${signal} again: killing the children`);
      daemon.killAll(`${signal} received twice`);
    }
  });
  try {
    logger.info(
      `starting: stream ${describeStream(config)}, lease table ${daemon.consumer.tableName}, ` +
        `worker ${daemon.consumer.workerId}`,
    );
    const starting = daemon.start();
    // A signal during start-up wins the race; the start then rejects (aborted) unobserved.
    starting.catch(() => undefined);
    await Promise.race([starting, stopped]);
    if (signals === 0) logger.info('running');
    await stopped;
    await daemon.stop();
    logger.info('stopped');
    return 0;
  } catch (error) {
    io.err(`kcl-bootstrap: ${oneLine(error)}`);
    await daemon.stop().catch(() => undefined);
    return 1;
  } finally {
    removeHandler();
  }
}

function reportConfig(config: MultiLangConfig, logger: Logger): void {
  for (const note of config.notes) logger.info(`note: ${note}`);
  for (const warning of config.warnings) logger.warn(warning);
}

function describeStream(config: MultiLangConfig): string {
  return `${config.streamArn ?? config.streamName ?? ''} (application ${config.applicationName})`;
}

/** A start-up error as one line: our errors by message, SDK errors by name and message. */
function oneLine(error: unknown): string {
  if (isKinesisKitError(error)) return error.message;
  if (error instanceof Error) {
    const text = error.message === '' ? error.name : `${error.name}: ${error.message}`;
    return `could not start: ${text}`.replace(/\s*\n\s*/g, ' ');
  }
  return `could not start: ${String(error)}`;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
