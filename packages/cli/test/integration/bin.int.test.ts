/**
 * The `kinesis-kit` executable as a user runs it (bin → tsx → main): help, and errors as one line
 * on stderr with a non-zero exit code and no stack trace. Run as a child process because inside
 * jest the SDK loses the error codes of Node's socket errors (they are not `instanceof Error`
 * across jest's realms).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'kinesis-kit.js');

function kinesisKit(
  args: readonly string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // No credentials in the environment: the CLI must still work against an endpoint.
      { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...extraEnv }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the kinesis-kit executable', () => {
  it('prints its help', async () => {
    const run = await kinesisKit(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: kinesis-kit <command> [options]');
    for (const command of ['put', 'tail', 'leases', 'reset', 'bench']) {
      expect(run.stdout).toContain(`  ${command} `);
    }
  });

  it('says an endpoint cannot be reached, in one line', async () => {
    const run = await kinesisKit(['tail', 'events', '--endpoint', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('kinesis-kit tail: cannot reach http://127.0.0.1:9: ECONNREFUSED\n');
  });

  it('says a stream is missing, in one line, without credentials in the environment', async () => {
    const endpoint = process.env.KINESIS_ENDPOINT!;
    const run = await kinesisKit(['put', 'no-such-stream', 'x', '--kinesis-endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`kinesis-kit put: stream "no-such-stream" not found at ${endpoint}\n`);
  });

  it('says there are no credentials when it talks to AWS without any', async () => {
    // The instance-metadata provider would otherwise try a link-local address.
    const run = await kinesisKit(['tail', 'events', '--region', 'eu-west-1'], {
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kinesis-kit tail: no AWS credentials found: .*\n$/);
  });

  it('rejects an unknown option as a usage error (exit 2)', async () => {
    const run = await kinesisKit(['leases', 'app', '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("Unknown option '--bogus'");
  });
});
