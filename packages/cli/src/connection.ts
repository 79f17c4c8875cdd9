/**
 * The options every command shares (where to connect) and the SDK client configs built from them.
 * Against AWS the standard credential chain and region resolution apply. With an endpoint the
 * request handler is HTTP/1.1 (`NodeHttpHandler`: kinesis-local fails a share of HTTP/2 calls),
 * the region defaults to us-east-1, and when the chain finds no credentials, dummy ones are used:
 * emulators only check that a signature is there.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** parseArgs option specs shared by every command. */
export const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  'kinesis-endpoint': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  region: { type: 'string' },
} as const;

/** Help text for {@link CONNECTION_OPTIONS}. */
export const CONNECTION_HELP = `Connection:
  --endpoint <url>            one endpoint for Kinesis and DynamoDB (LocalStack: http://localhost:4566)
  --kinesis-endpoint <url>    Kinesis only (default: AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL)
  --dynamodb-endpoint <url>   DynamoDB only (default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL)
  --region <name>             default: AWS_REGION / the profile's region; us-east-1 with an endpoint
Credentials come from the standard chain (environment, AWS_PROFILE, SSO, instance role).`;

/** Where to connect, resolved from flags and environment. */
export interface Connection {
  readonly kinesisEndpoint: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly region: string | undefined;
  /** For messages: the endpoint(s) or the region. */
  readonly where: string;
  /** For messages about Kinesis / DynamoDB alone. */
  readonly kinesisWhere: string;
  readonly dynamodbWhere: string;
}

/** Resolves flags (which win) and the SDK's endpoint variables. */
export function resolveConnection(
  values: Partial<Record<keyof typeof CONNECTION_OPTIONS, string>>,
  env: NodeJS.ProcessEnv,
): Connection {
  const blank = (s: string | undefined): string | undefined =>
    s === undefined || s.trim() === '' ? undefined : s.trim();
  const shared = blank(values.endpoint) ?? blank(env.AWS_ENDPOINT_URL);
  const kinesisEndpoint =
    blank(values['kinesis-endpoint']) ??
    blank(values.endpoint) ??
    blank(env.AWS_ENDPOINT_URL_KINESIS) ??
    shared;
  const dynamodbEndpoint =
    blank(values['dynamodb-endpoint']) ??
    blank(values.endpoint) ??
    blank(env.AWS_ENDPOINT_URL_DYNAMODB) ??
    shared;
  const region =
    blank(values.region) ??
    blank(env.AWS_REGION) ??
    blank(env.AWS_DEFAULT_REGION) ??
    (kinesisEndpoint !== undefined || dynamodbEndpoint !== undefined ? 'us-east-1' : undefined);
  const endpoints = [
    ...new Set([kinesisEndpoint, dynamodbEndpoint].filter((e) => e !== undefined)),
  ];
  const where =
    endpoints.length > 0 ? endpoints.join(' and ') : `AWS region ${region ?? '(from the profile)'}`;
  const regionText = `AWS region ${region ?? '(from the profile)'}`;
  return {
    kinesisEndpoint,
    dynamodbEndpoint,
    region,
    where,
    kinesisWhere: kinesisEndpoint ?? regionText,
    dynamodbWhere: dynamodbEndpoint ?? regionText,
  };
}

const DUMMY = { accessKeyId: '000000000000', secretAccessKey: 'test' };

/** The SDK config shared by both clients for one endpoint (or none). */
function clientConfig(connection: Connection, endpoint: string | undefined) {
  if (endpoint === undefined) {
    return { ...(connection.region !== undefined && { region: connection.region }) };
  }
  const chain = defaultProvider();
  return {
    endpoint,
    region: connection.region ?? 'us-east-1',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 30_000 }),
    // An emulator needs a signature, not a real key: fall back to a dummy one.
    credentials: () => chain().catch(() => DUMMY),
  };
}

/** A Kinesis client for `connection`; the caller destroys it. */
export function kinesisClient(connection: Connection): KinesisClient {
  return new KinesisClient(clientConfig(connection, connection.kinesisEndpoint));
}

/** A DynamoDB client for `connection`; the caller destroys it. */
export function dynamoDBClient(connection: Connection): DynamoDBClient {
  return new DynamoDBClient(clientConfig(connection, connection.dynamodbEndpoint));
}
