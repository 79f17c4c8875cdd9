import { NodeHttpHandler } from '@smithy/node-http-handler';
import { clientConfig } from '../../../src/multilang/daemon.js';

describe('clientConfig (SDK settings from the properties)', () => {
  it('uses the HTTP/1.1 handler with an endpoint (emulators), as kinesis-local needs', () => {
    const config = clientConfig('us-east-1', 'http://localhost:4566');
    expect(config.region).toBe('us-east-1');
    expect(config.endpoint).toBe('http://localhost:4566');
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it('leaves the SDK defaults alone for AWS', () => {
    expect(clientConfig(undefined, undefined)).toEqual({});
    expect(clientConfig('eu-west-1', undefined)).toEqual({ region: 'eu-west-1' });
  });
});
