/**
 * The daemon run from inside an aws-kcl app (`node app.js --properties app.properties`): the app's
 * process hosts the consumer, and each leased shard gets a re-execution of the same script (same
 * node, same flags, same arguments minus `--properties`) as its MultiLang child. Started by
 * `kcl(processor).run()`; see `kcl/kclProcess.ts`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KCL_CHILD_ENV, KCL_PROPERTIES_ENV } from '../kcl/kclProcess.js';
import { processSpawner } from './childTransport.js';
import { loadConfig, runDaemon } from './cli.js';
import { createLineLogger, parseLogLevel } from './logger.js';

/** @internal */
export interface InProcessOptions {
  readonly propertiesFile: string;
  /** The script's arguments other than `--properties`, passed on to each child. */
  readonly scriptArgs: readonly string[];
}

/** Runs the daemon until SIGTERM/SIGINT; resolves with the exit code. @internal */
export async function runInProcess(options: InProcessOptions): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  const file = resolve(options.propertiesFile);
  const config = await loadConfig(
    file,
    { readFile: (p) => readFile(p, 'utf8') },
    {
      requireExecutable: false,
    },
  );
  if (typeof config === 'string') {
    err(`kcl: ${config}`);
    return 1;
  }
  const logger = createLineLogger(err, parseLogLevel(process.env.KCL_LOG_LEVEL) ?? 'info');
  for (const note of config.notes) logger.info(`note: ${note}`);
  for (const warning of config.warnings) logger.warn(warning);
  const script = process.argv[1];
  if (script === undefined) {
    err('kcl: cannot tell which script to run per shard (process.argv[1] is empty)');
    return 1;
  }
  if (config.executable !== undefined) {
    logger.info('note: executableName is ignored: each shard runs this script');
  }
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== KCL_PROPERTIES_ENV)),
    [KCL_CHILD_ENV]: '1',
  };
  // A debugger flag would make every child fight for the same inspector port.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const spawn = processSpawner({
    command: [process.execPath, ...execArgv, script, ...options.scriptArgs],
    env,
  });
  return runDaemon(config, file, spawn, { err, onSignal }, logger);
}

function onSignal(handler: (signal: string) => void): () => void {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
