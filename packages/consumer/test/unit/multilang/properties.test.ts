import { PropertiesSyntaxError, parseProperties } from '../../../src/multilang/properties.js';

function values(text: string): Record<string, string> {
  return Object.fromEntries([...parseProperties(text)].map(([k, e]) => [k, e.value]));
}

describe('parseProperties (java.util.Properties format)', () => {
  it.each([
    ['key = value', { key: 'value' }],
    ['key=value', { key: 'value' }],
    ['key: value', { key: 'value' }],
    ['key:value', { key: 'value' }],
    ['key value', { key: 'value' }],
    ['key\tvalue', { key: 'value' }],
    ['   key   =   value', { key: 'value' }],
    ['key = value with = and : inside', { key: 'value with = and : inside' }],
    ['key =  : value', { key: ': value' }],
    ['key', { key: '' }],
    ['key =', { key: '' }],
    ['key = trailing  ', { key: 'trailing  ' }],
  ])('reads %j', (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it('skips # and ! comments and blank lines, also indented', () => {
    const text = '# comment\n! also a comment\n\n   \n  # indented = comment\na = 1\n';
    expect(values(text)).toEqual({ a: '1' });
  });

  it('joins continuation lines and drops the next line’s leading blanks', () => {
    const text = 'executableName = node \\\n    sample_kcl_app.js\nnext = 2';
    expect(values(text)).toEqual({ executableName: 'node sample_kcl_app.js', next: '2' });
  });

  it('does not treat a # on a continuation line as a comment', () => {
    expect(values('a = x\\\n  # not a comment')).toEqual({ a: 'x# not a comment' });
  });

  it('keeps an even number of trailing backslashes as escaped backslashes', () => {
    expect(values('path = C:\\\\dir\\\\\nb = 1')).toEqual({ path: 'C:\\dir\\', b: '1' });
  });

  it('ignores a continuation at the end of the file', () => {
    expect(values('a = 1\\')).toEqual({ a: '1' });
  });

  it('decodes escapes in keys and values', () => {
    const text = 'my\\ key\\=x = tab\\there\\nnl \\u00e9\\u0041 \\: \\= \\q';
    expect(values(text)).toEqual({ 'my key=x': 'tab\there\nnl éA : = q' });
  });

  it('accepts \\r\\n and \\r line ends and a UTF-8 byte order mark', () => {
    expect(values('\uFEFFa = 1\r\nb = 2\rc = 3')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('keeps the last value of a repeated key, with its line number', () => {
    const parsed = parseProperties('a = 1\n\nb = x\na = 2\n');
    expect(parsed.get('a')).toEqual({ key: 'a', value: '2', lineNumber: 4 });
  });

  it('rejects a malformed \\u escape with the line number', () => {
    expect(() => parseProperties('ok = 1\nbad = \\u12g4')).toThrow(PropertiesSyntaxError);
    expect(() => parseProperties('ok = 1\nbad = \\u12g4')).toThrow(/line 2: malformed/);
  });

  it('reads the aws-kcl sample properties file', () => {
    const sample = [
      '# The script that abides by the multi-language protocol.',
      'executableName = node sample_kcl_app.js',
      'streamName = kclnodejssample',
      'applicationName = kclnodejssample',
      'AWSCredentialsProvider = DefaultAWSCredentialsProviderChain',
      'processingLanguage = nodejs/0.10',
      'initialPositionInStream = TRIM_HORIZON',
      'regionName = us-east-1',
      '# failoverTimeMillis = 10000',
    ].join('\n');
    expect(values(sample)).toEqual({
      executableName: 'node sample_kcl_app.js',
      streamName: 'kclnodejssample',
      applicationName: 'kclnodejssample',
      AWSCredentialsProvider: 'DefaultAWSCredentialsProviderChain',
      processingLanguage: 'nodejs/0.10',
      initialPositionInStream: 'TRIM_HORIZON',
      regionName: 'us-east-1',
    });
  });
});
