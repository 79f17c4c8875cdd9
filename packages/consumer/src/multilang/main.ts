/**
 * The `kcl-bootstrap` process: runs the CLI with the real process and exits with its code. The
 * only module here with side effects; `bin/kcl-bootstrap` loads it from the build.
 */
import { readFile } from 'node:fs/promises';
import { runCli } from './cli.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (path) => readFile(path, 'utf8'),
  onSignal: (handler) => {
    for (const s of SIGNALS) process.on(s, handler);
    return () => {
      for (const s of SIGNALS) process.off(s, handler);
    };
  },
  self: [process.execPath, process.argv[1] ?? 'kcl-bootstrap'],
}).then(
  (code) => {
    // Exit explicitly: an SDK socket or a child's pipe must not keep a stopped daemon alive.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`kcl-bootstrap: unexpected failure: ${String(error)}\n`);
    process.exit(70);
  },
);
