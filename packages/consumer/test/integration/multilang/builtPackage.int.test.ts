/**
 * The published shape: after the real build (two tsc passes), `require('@kinesis-kit/consumer/kcl')`
 * is the kcl function (as `require('aws-kcl')` is), `import` works, the `kcl-bootstrap` bin runs
 * with plain node, and the in-process mode of the built library consumes from the emulators.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import {} from '@kinesis-kit/integration';
import { startInProcessApp, terminate, waitUntil, workspace } from './daemonHarness.js';
import { useMultiLangTestContext } from './multilangTestContext.js';

const PACKAGES = resolve(__dirname, '../../../..');
const CONSUMER = resolve(PACKAGES, 'consumer');
const BUILD = resolve(PACKAGES, '../scripts/build-package.mjs');
const BIN = resolve(CONSUMER, 'bin/kcl-bootstrap');

const ctx = useMultiLangTestContext();
const { kinesis } = ctx;

beforeAll(() => {
  // The consumer's build type-checks against the common package's built declarations.
  for (const pkg of ['common', 'consumer']) {
    execFileSync(process.execPath, [BUILD], { cwd: resolve(PACKAGES, pkg), stdio: 'pipe' });
  }
}, 300_000);

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: CONSUMER, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built @kinesis-kit/consumer', () => {
  it('require("@kinesis-kit/consumer/kcl") is the kcl function, as require("aws-kcl") is', () => {
    const r = node([
      '-e',
      `const kcl = require('@kinesis-kit/consumer/kcl');
       const aws = require('aws-kcl');
       let ours, theirs;
       try { kcl({}); } catch (e) { ours = e.message; }
       try { aws({}); } catch (e) { theirs = e.message; }
       console.log(JSON.stringify([typeof kcl, typeof aws, kcl.kcl === kcl, kcl.default === kcl, ours === theirs, ours]));`,
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      'function',
      'function',
      true,
      true,
      true,
      'Record processor must implement initialize, processRecords, and shutdown functions.',
    ]);
  });

  it('import of @kinesis-kit/consumer/kcl gives the function as default and named export', () => {
    const r = node([
      '--input-type=module',
      '-e',
      `import kcl, { kcl as named, KCL_CHILD_ENV } from '@kinesis-kit/consumer/kcl';
       console.log(JSON.stringify([typeof kcl, kcl === named, KCL_CHILD_ENV]));`,
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['function', true, 'KINESIS_KIT_KCL_CHILD']);
  });

  it('runs the kcl-bootstrap bin with plain node: dry run and a one-line error', () => {
    const ws = workspace({
      executableName: 'node app.js',
      streamName: 's',
      applicationName: 'app',
    });
    const dry = node([BIN, '-p', ws.propertiesFile]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe(`${process.execPath} ${BIN} -e -p ${ws.propertiesFile}\n`);
    const bad = node([BIN, '-e', '-p', `${ws.dir}/missing.properties`]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      `kcl-bootstrap: cannot read properties file ${ws.dir}/missing.properties: no such file\n`,
    );
  });

  it('consumes in-process with the built library (plain node, no TypeScript loader)', async () => {
    // Prepare
    const { streamName, applicationName } = await ctx.streamAndApp(1, 'kclbuilt');
    const ws = workspace({
      streamName,
      applicationName,
      initialPositionInStream: 'TRIM_HORIZON',
      idleTimeBetweenReadsInMillis: '200',
    });
    await kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: 'k',
        Data: Buffer.from('built'),
      }),
    );

    // Act
    const app = startInProcessApp(ws, 'recorderApp.js', '@kinesis-kit/consumer/kcl');
    await waitUntil(
      'the record',
      () => ws.events().some((e) => e.records?.some((r) => r.data === 'built')),
      60_000,
      () => app.stderr(),
    );
    const code = await terminate(app);

    // Assess
    expect(code).toBe(0);
    expect(ws.events().map((e) => e.event)).toEqual([
      'initialize',
      'records',
      'checkpoint',
      'shutdownRequested',
      'leaseLost',
    ]);
  }, 120_000);
});
