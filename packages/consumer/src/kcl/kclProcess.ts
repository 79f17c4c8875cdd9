/**
 * `kcl(recordProcessor[, inputFile, outputFile, errorFile])`, aws-kcl's entry point, in two
 * modes chosen by `run()`:
 * - **protocol** (default, and always when streams are passed): speak the MultiLang protocol on
 *   stdin/stdout, as a child of `kcl-bootstrap`, of the Java MultiLangDaemon, or of this
 *   package's in-process daemon;
 * - **in-process**: when the script is started directly with a properties file
 *   (`node app.js --properties app.properties`, or `KCL_PROPERTIES=app.properties node app.js`),
 *   `run()` starts the daemon in this process and re-executes this same script once per leased
 *   shard as its protocol child, so each shard gets its own processor object (aws-kcl apps keep
 *   per-shard state in one object per process) and the same code path as under kcl-bootstrap.
 *   The children are marked with `KINESIS_KIT_KCL_CHILD=1`.
 */
import { KclManager } from './manager.js';
import type { KclProcess, KclRecordProcessor } from './types.js';

/** aws-kcl's exact validation message. @internal */
export const INVALID_PROCESSOR_MESSAGE =
  'Record processor must implement initialize, processRecords, and shutdown functions.';

/** Set by the in-process daemon on the children it starts. @public */
export const KCL_CHILD_ENV = 'KINESIS_KIT_KCL_CHILD';
/** Names the properties file for the in-process mode (as `--properties <file>` does). @public */
export const KCL_PROPERTIES_ENV = 'KCL_PROPERTIES';

/**
 * aws-kcl's `kcl(recordProcessor)`: validates the processor (throwing aws-kcl's error) and returns
 * `{ run(), cleanup() }`.
 * @public
 * @example
 * ```js
 * const kcl = require('@kinesis-kit/consumer/kcl');
 * kcl({
 *   initialize(input, done) { this.shardId = input.shardId; done(); },
 *   processRecords(input, done) {
 *     const last = input.records.at(-1);
 *     if (!last) return done();
 *     input.checkpointer.checkpoint(last.sequenceNumber, () => done());
 *   },
 *   leaseLost(input, done) { done(); },
 *   shardEnded(input, done) { input.checkpointer.checkpoint(() => done()); },
 * }).run();
 * ```
 */
export function kcl(
  recordProcessor: KclRecordProcessor,
  inputFile?: NodeJS.ReadableStream,
  outputFile?: NodeJS.WritableStream,
  errorFile?: NodeJS.WritableStream,
): KclProcess & { readonly _kclManager: KclManager } {
  const p = recordProcessor as Partial<Record<keyof KclRecordProcessor, unknown>> | null;
  const valid =
    typeof p?.initialize === 'function' &&
    typeof p.processRecords === 'function' &&
    ((typeof p.leaseLost === 'function' && typeof p.shardEnded === 'function') ||
      typeof p.shutdown === 'function');
  if (!valid) throw new Error(INVALID_PROCESSOR_MESSAGE);
  const usesProcessStdio = inputFile === undefined && outputFile === undefined;
  const manager = new KclManager({
    processor: recordProcessor,
    version: typeof p.shutdown === 'function' ? 1 : 2,
    input: inputFile ?? process.stdin,
    output: outputFile ?? process.stdout,
    error: errorFile ?? process.stderr,
    onFatal: () => {
      // A child whose processor failed must end so its daemon fails the shard; with streams
      // passed in (tests, embedding) the caller owns the process.
      manager.cleanup();
      if (usesProcessStdio) process.exit(1);
    },
  });
  let started = false;
  return {
    _kclManager: manager,
    run() {
      if (started) return;
      started = true;
      const properties = usesProcessStdio ? inProcessProperties() : undefined;
      if (properties === undefined) {
        manager.run();
        return;
      }
      void startInProcess(properties.file, properties.args);
    },
    cleanup() {
      manager.cleanup();
    },
  };
}

/** The properties file of the in-process mode and the script's other arguments, if that mode applies. */
function inProcessProperties(): { file: string; args: string[] } | undefined {
  if (process.env[KCL_CHILD_ENV] === '1') return undefined;
  const argv = process.argv.slice(2);
  const args: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--properties' && i + 1 < argv.length) file = argv[++i];
    else if (arg.startsWith('--properties=')) file = arg.slice('--properties='.length);
    else args.push(arg);
  }
  file ??= process.env[KCL_PROPERTIES_ENV];
  return file === undefined || file === '' ? undefined : { file, args };
}

async function startInProcess(file: string, args: string[]): Promise<void> {
  try {
    // Loaded only here: a protocol child (one per shard) never pays for the AWS SDK.
    const { runInProcess } = await import('../multilang/inProcess.js');
    process.exit(await runInProcess({ propertiesFile: file, scriptArgs: args }));
  } catch (error) {
    process.stderr.write(`kcl: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
