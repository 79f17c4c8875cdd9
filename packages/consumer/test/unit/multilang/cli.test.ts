/**
 * kcl-bootstrap's command line with an injected process: every mistake ends with one
 * `kcl-bootstrap: …` line and exit code 1; without -e it prints the command that would run.
 */
import { runCli } from '../../../src/multilang/cli.js';
import type { CliIo } from '../../../src/multilang/cli.js';

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

const GOOD = [
  'executableName = node sample_kcl_app.js',
  'streamName = kclnodejssample',
  'applicationName = kclnodejssample',
  'regionName = us-east-1',
  'idleTimeBetweenReadsInMillis = 250',
].join('\n');

async function cli(argv: string[], files: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    cwd: '/apps/consumer',
    env: {},
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) {
        return Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));
      }
      return Promise.resolve(text);
    },
    onSignal: () => () => undefined,
    self: ['/usr/bin/node', '/apps/node_modules/.bin/kcl-bootstrap'],
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('kcl-bootstrap command line', () => {
  it('prints the command that would run without -e, like aws-kcl’s bootstrap', async () => {
    const run = await cli(['--java', '/usr/bin/java', '-p', 'sample.properties'], {
      '/apps/consumer/sample.properties': GOOD,
    });
    expect(run.code).toBe(0);
    expect(run.out).toEqual([
      '/usr/bin/node /apps/node_modules/.bin/kcl-bootstrap -e -p /apps/consumer/sample.properties',
    ]);
    expect(run.err).toContain('kcl-bootstrap INFO --java ignored: kinesis-kit runs without Java');
    expect(run.err[run.err.length - 1]).toBe(
      'kcl-bootstrap: would run the kinesis-kit MultiLang daemon for stream kclnodejssample ' +
        '(application kclnodejssample), spawning "node sample_kcl_app.js" per shard in /apps/consumer; add -e to run it',
    );
  });

  it.each([
    [[], {}, 'kcl-bootstrap: missing -p/--properties <file> (see kcl-bootstrap --help)'],
    [['-e', '-q'], {}, "kcl-bootstrap: unknown option '-q' (see kcl-bootstrap --help)"],
    [
      ['-e', '-p', 'missing.properties'],
      {},
      'kcl-bootstrap: cannot read properties file /apps/consumer/missing.properties: no such file',
    ],
    [
      ['-e', '-p', '/etc/kcl/app.properties'],
      { '/etc/kcl/app.properties': 'regionName = us-east-1' },
      'kcl-bootstrap: /etc/kcl/app.properties: executableName is required (the command to run per shard); ' +
        'streamName (or streamArn) is required; applicationName is required (it names the lease table)',
    ],
    [
      ['-e', '-p', 'a.properties'],
      { '/apps/consumer/a.properties': `${GOOD}\ninitialPositionInStream = OLDEST` },
      'kcl-bootstrap: /apps/consumer/a.properties: initialPositionInStream must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got "OLDEST"',
    ],
    [
      ['-e', '-p', 'a.properties'],
      { '/apps/consumer/a.properties': `${GOOD}\nbad = \\uXYZW` },
      'kcl-bootstrap: /apps/consumer/a.properties: line 6: malformed \\uXXXX escape',
    ],
    [
      ['-e', '-p', 'a.properties'],
      { '/apps/consumer/a.properties': `${GOOD}\nfailoverTimeMillis = 50\nmaxRecords = 20000` },
      'kcl-bootstrap: /apps/consumer/a.properties: failoverTimeMillis must be an integer in [100, 86400000], got 50; ' +
        'maxRecords must be an integer in [1, 10000], got 20000',
    ],
  ])('exits 1 for %j with one line', async (argv, files, line) => {
    const run = await cli(argv, files);
    expect(run.code).toBe(1);
    expect(run.err.filter((l) => l.startsWith('kcl-bootstrap: '))).toEqual([line]);
    expect(run.out).toEqual([]);
  });

  it('warns about unknown keys and notes ignored ones', async () => {
    const run = await cli(['-p', 'a.properties'], {
      '/apps/consumer/a.properties': `${GOOD}\nretrievalMode = POLLING\nconsumerName = c\nmetricsLevel = NONE\nstreamname = typo`,
    });
    expect(run.code).toBe(0);
    expect(run.err).toEqual(
      expect.arrayContaining([
        'kcl-bootstrap INFO note: metricsLevel is ignored: the daemon publishes no CloudWatch metrics',
        'kcl-bootstrap INFO note: consumerName is ignored: retrievalMode is not FANOUT',
        'kcl-bootstrap WARN unknown property streamname ignored',
      ]),
    );
  });

  it('prints the usage for --help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^Usage: kcl-bootstrap -p <properties file> \[-e\]/);
  });
});
