import { parseBootstrapArgs } from '../../../src/multilang/args.js';

describe('parseBootstrapArgs (aws-kcl kcl-bootstrap flags)', () => {
  it.each([
    [['-e', '-p', 'a.properties']],
    [['--execute', '--properties', 'a.properties']],
    [['--properties=a.properties', '-e']],
    [['-ep', 'a.properties']],
    [['-e', '-pa.properties']],
  ])('reads %j', (argv) => {
    expect(parseBootstrapArgs(argv)).toEqual({
      properties: 'a.properties',
      execute: true,
      help: false,
      ignored: [],
      errors: [],
    });
  });

  it('accepts the Java-only options and reports them as ignored', () => {
    const args = parseBootstrapArgs([
      '--java',
      '/usr/bin/java',
      '-c',
      './jars',
      '-l',
      'logback.xml',
      '-p',
      'x.properties',
    ]);
    expect(args).toMatchObject({
      properties: 'x.properties',
      execute: false,
      ignored: ['--java', '--jar-path', '--log-configuration'],
      errors: [],
    });
  });

  it.each([
    [['-p'], 'option --properties needs a value'],
    [['--nope'], "unknown option '--nope'"],
    [['-x'], "unknown option '-x'"],
    [['stray'], "unexpected argument 'stray'"],
  ])('reports %j', (argv, error) => {
    expect(parseBootstrapArgs(argv).errors).toEqual([error]);
  });

  it('reads --help', () => {
    expect(parseBootstrapArgs(['-h']).help).toBe(true);
  });
});
