import { resolveConnection } from '../../src/connection.js';
import { CliError, describeError } from '../../src/errors.js';

describe('resolveConnection', () => {
  it('uses one --endpoint for both services, us-east-1 by default', () => {
    const c = resolveConnection({ endpoint: 'http://localhost:4566' }, {});
    expect(c).toMatchObject({
      kinesisEndpoint: 'http://localhost:4566',
      dynamodbEndpoint: 'http://localhost:4566',
      region: 'us-east-1',
      where: 'http://localhost:4566',
    });
  });

  it('lets per-service flags win over --endpoint and the SDK variables', () => {
    const c = resolveConnection(
      { endpoint: 'http://a', 'dynamodb-endpoint': 'http://d' },
      { AWS_ENDPOINT_URL_KINESIS: 'http://env-k', AWS_REGION: 'eu-west-1' },
    );
    expect([c.kinesisEndpoint, c.dynamodbEndpoint, c.region]).toEqual([
      'http://a',
      'http://d',
      'eu-west-1',
    ]);
    expect(c.where).toBe('http://a and http://d');
  });

  it('talks to AWS (no endpoint) with the region from the environment or the profile', () => {
    expect(resolveConnection({}, { AWS_DEFAULT_REGION: 'ap-south-1' })).toMatchObject({
      kinesisEndpoint: undefined,
      region: 'ap-south-1',
      where: 'AWS region ap-south-1',
    });
    expect(resolveConnection({}, {}).region).toBeUndefined();
  });
});

describe('describeError', () => {
  const ctx = { where: 'http://localhost:4566' };
  const sdkError = (name: string, message = 'm', extra: object = {}): Error =>
    Object.assign(new Error(message), { name, ...extra });

  it.each([
    [sdkError('CredentialsProviderError'), /^no AWS credentials found/],
    [
      sdkError('AccessDeniedException', 'not allowed'),
      /^access denied \(AccessDeniedException\) at http:\/\/localhost:4566: not allowed$/,
    ],
    [sdkError('UnrecognizedClientException'), /^access denied/],
    [
      sdkError('ResourceNotFoundException', 'Stream x not found'),
      /^not found at http:\/\/localhost:4566: Stream x not found$/,
    ],
    [
      sdkError('Error', 'connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      /^cannot reach http:\/\/localhost:4566: ECONNREFUSED$/,
    ],
    [sdkError('TimeoutError'), /^cannot reach .*: timed out$/],
    [new Error('Region is missing'), /^no AWS region: pass --region/],
    [new CliError('stream "s" not found'), /^stream "s" not found$/],
    [sdkError('ThrottlingException', 'slow down'), /^ThrottlingException: slow down$/],
  ])('describes %p in one line', (error, expected) => {
    const line = describeError(error, ctx);
    expect(line).toMatch(expected);
    expect(line).not.toContain('\n');
  });

  it('looks through our wrappers to the SDK error', () => {
    const wrapped = Object.assign(new Error('lease table listLeases failed'), {
      name: 'LeaseStoreError',
      cause: sdkError('AccessDeniedException', 'no scan'),
    });
    expect(describeError(wrapped, ctx)).toMatch(/^access denied \(AccessDeniedException\)/);
  });
});
