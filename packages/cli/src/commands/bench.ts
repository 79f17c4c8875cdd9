/**
 * `kinesis-kit bench`: runs the workspace packages' `bench` scripts (producer, consumer) with the
 * connection passed as KINESIS_ENDPOINT / DYNAMODB_ENDPOINT, which the benchmarks and the emulator
 * harness read. Benchmarks live in the repository, not in the published package.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliIo } from '../io.js';
import { parseCommand } from './common.js';

const HELP = `Usage: kinesis-kit bench [--package producer|consumer] [connection options]

Runs the benchmarks of @kinesis-kit/producer and @kinesis-kit/consumer (their "bench" npm scripts,
from a clone of the repository). With --endpoint / --kinesis-endpoint / --dynamodb-endpoint they
run against that endpoint; without, the benchmarks start the embedded emulators themselves.`;

const PACKAGES = ['producer', 'consumer'] as const;

/** @returns the exit code */
export async function runBench(args: string[], io: CliIo): Promise<number> {
  const { values, connection } = parseCommand(
    args,
    { package: { type: 'string', multiple: true } },
    io.env,
  );
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const root = findRepositoryRoot(__dirname);
  if (root === undefined) {
    io.stderr.write(
      'kinesis-kit bench: the benchmarks ship with the repository; run this from a clone\n',
    );
    return 1;
  }
  const wanted = values.package ?? [...PACKAGES];
  const env: NodeJS.ProcessEnv = { ...io.env };
  if (connection.kinesisEndpoint !== undefined) env.KINESIS_ENDPOINT = connection.kinesisEndpoint;
  if (connection.dynamodbEndpoint !== undefined)
    env.DYNAMODB_ENDPOINT = connection.dynamodbEndpoint;
  let failed = 0;
  let ran = 0;
  for (const name of wanted) {
    const dir = join(root, 'packages', name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) {
      io.stderr.write(`no package "${name}" in this repository\n`);
      failed++;
      continue;
    }
    const scripts = (
      JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }
    ).scripts;
    if (scripts?.bench === undefined) {
      io.stdout.write(
        `@kinesis-kit/${name}: no benchmark yet (no "bench" script in its package.json)\n`,
      );
      continue;
    }
    io.stdout.write(`── @kinesis-kit/${name}: ${scripts.bench}\n`);
    ran++;
    const code = await run('npm', ['run', 'bench', '--silent'], dir, env, io);
    if (code !== 0) {
      io.stderr.write(`@kinesis-kit/${name}: benchmark failed (exit ${code})\n`);
      failed++;
    }
  }
  if (ran === 0 && failed === 0) io.stdout.write('no benchmark ran\n');
  return failed > 0 ? 1 : 0;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString('utf8')));
    const onAbort = (): void => void child.kill('SIGINT');
    io.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', () => resolve(127));
    child.once('exit', (code) => {
      io.signal.removeEventListener('abort', onAbort);
      resolve(code ?? 1);
    });
  });
}

/** The nearest folder above `from` whose package.json declares workspaces. */
function findRepositoryRoot(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (pkg.workspaces !== undefined) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
