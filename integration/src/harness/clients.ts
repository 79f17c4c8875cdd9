import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DYNAMODB_ENDPOINT_VAR, KINESIS_ENDPOINT_VAR, readEnv } from './env.js';

/**
 * The SDK client configuration the harness uses; assignable to both SDK clients' configs.
 * @public
 */
export interface TestClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly requestHandler: NodeHttpHandler;
  readonly maxAttempts: number;
}

/** Which endpoint a {@link TestClientConfig} points at. @public */
export type TestService = 'kinesis' | 'dynamodb';

/** The region every harness client uses (and kinesis-local's default). @public */
export const TEST_REGION = 'us-east-1';

/**
 * Dummy credentials. The emulators check that a SigV4 header exists, not its signature; a 12-digit
 * access key id selects kinesis-mock's account, and this one is its default account.
 * @public
 */
export const TEST_CREDENTIALS = { accessKeyId: '000000000000', secretAccessKey: 'test' } as const;

/**
 * A plain client configuration for the emulators, e.g. for a producer's or consumer's
 * `clientConfig` option. The endpoint comes from `KINESIS_ENDPOINT` / `DYNAMODB_ENDPOINT`, which
 * the integration project's globalSetup (or the harness CLI) sets. The request handler is
 * HTTP/1.1: kinesis-local fails a few percent of calls over the SDK's default HTTP/2 handler.
 * Three attempts with the SDK's standard (sub-second at first) backoff: the emulators do not
 * throttle, so more would only slow down a failing test.
 * @public
 * @example
 * const producer = new KinesisProducer({ streamName, clientConfig: testClientConfig() });
 */
export function testClientConfig(service: TestService = 'kinesis'): TestClientConfig {
  return {
    endpoint: endpointFor(service),
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: 3,
  };
}

/**
 * A Kinesis client for the emulator; `overrides` win (e.g. `{ maxAttempts: 1 }`).
 * @public
 * @example
 * const kinesis = createKinesisClient();
 */
export function createKinesisClient(overrides: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({ ...testClientConfig('kinesis'), ...overrides });
}

/**
 * A DynamoDB client for the emulator; `overrides` win.
 * @public
 * @example
 * const dynamodb = createDynamoDBClient();
 */
export function createDynamoDBClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...testClientConfig('dynamodb'), ...overrides });
}

// The helpers' default clients, one per endpoint, so a test file does not open a connection pool
// per helper call. Keyed by endpoint because a process may switch emulators (the harness tests do).
let sharedKinesis: { endpoint: string; client: KinesisClient } | undefined;
let sharedDynamoDB: { endpoint: string; client: DynamoDBClient } | undefined;

/** The Kinesis client the helpers use when none is passed. @internal */
export function sharedKinesisClient(): KinesisClient {
  const endpoint = endpointFor('kinesis');
  if (sharedKinesis?.endpoint !== endpoint) {
    sharedKinesis?.client.destroy();
    sharedKinesis = { endpoint, client: createKinesisClient() };
  }
  return sharedKinesis.client;
}

/** The DynamoDB client the helpers use when none is passed. @internal */
export function sharedDynamoDBClient(): DynamoDBClient {
  const endpoint = endpointFor('dynamodb');
  if (sharedDynamoDB?.endpoint !== endpoint) {
    sharedDynamoDB?.client.destroy();
    sharedDynamoDB = { endpoint, client: createDynamoDBClient() };
  }
  return sharedDynamoDB.client;
}

/**
 * Closes the helpers' shared clients (their idle sockets). Call it in `afterAll` when a test file
 * must not leave handles open; the next helper call creates fresh clients.
 * @public
 */
export function destroySharedClients(): void {
  sharedKinesis?.client.destroy();
  sharedDynamoDB?.client.destroy();
  sharedKinesis = undefined;
  sharedDynamoDB = undefined;
}

function endpointFor(service: TestService): string {
  const name = service === 'kinesis' ? KINESIS_ENDPOINT_VAR : DYNAMODB_ENDPOINT_VAR;
  const endpoint = readEnv(name);
  if (endpoint === undefined) {
    throw new Error(
      `${name} is not set. Run the test under the jest "integration" project (its globalSetup ` +
        'starts the emulators), or start them with `npx tsx integration/src/harness/cli.ts` and ' +
        'export the variables it prints.',
    );
  }
  return endpoint;
}
