/**
 * Reading what an SDK request is about: the operation (X-Amz-Target), the account (the access
 * key id in the SigV4 Authorization header, which is how kinesis-local picks an account), and
 * the stream or table in the JSON body.
 */
import type { IncomingMessage } from 'node:http';

/** kinesis-local's default account, used when the access key id is not a 12-digit number. */
export const DEFAULT_ACCOUNT = '000000000000';

/** `Kinesis_20131202.PutRecords` → `PutRecords`; undefined without the header. @internal */
export function operationOf(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string') return undefined;
  const dot = target.lastIndexOf('.');
  return dot < 0 ? target : target.slice(dot + 1);
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;

/** The account kinesis-local serves this request from. @internal */
export function accountOf(req: IncomingMessage): string {
  const match = CREDENTIAL.exec(req.headers.authorization ?? '');
  const keyId = match?.[1];
  return keyId !== undefined && /^\d{12}$/.test(keyId) ? keyId : DEFAULT_ACCOUNT;
}

/** The parsed JSON body, or undefined (CBOR from the Java SDK, or no body). @internal */
export function parseJsonBody(
  req: IncomingMessage,
  body: Buffer,
): Record<string, unknown> | undefined {
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json') || body.length === 0) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

// arn:aws:kinesis:<region>:<account>:stream/<name>[/consumer/<consumer>:<ts>]
const STREAM_ARN = /^arn:[^:]+:kinesis:[^:]*:(\d{12}):stream\/([^/]+)/;

/**
 * The stream a Kinesis request names (StreamName, StreamARN, or a ConsumerARN for
 * SubscribeToShard) and its account: the ARN's account wins over the credentials'.
 * @internal
 */
export function streamOf(
  json: Record<string, unknown> | undefined,
  account: string,
): { account: string; streamName: string } | undefined {
  if (json === undefined) return undefined;
  for (const field of ['StreamARN', 'ConsumerARN']) {
    const arn = json[field];
    if (typeof arn === 'string') {
      const match = STREAM_ARN.exec(arn);
      if (match !== null) return { account: match[1]!, streamName: match[2]! };
    }
  }
  const name = json.StreamName;
  return typeof name === 'string' ? { account, streamName: name } : undefined;
}

/** The table a DynamoDB request names (the first one for batch operations). @internal */
export function tableOf(json: Record<string, unknown> | undefined): string | undefined {
  if (json === undefined) return undefined;
  if (typeof json.TableName === 'string') return json.TableName;
  const items = json.RequestItems;
  if (typeof items === 'object' && items !== null) return Object.keys(items)[0];
  return undefined;
}
