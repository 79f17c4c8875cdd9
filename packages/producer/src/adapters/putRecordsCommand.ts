/**
 * A PutRecordsCommand whose HTTP body is written by putRecordsBody.ts instead of the SDK's JSON
 * serialiser (why: see there), while the SDK still does everything else: endpoint rules (which
 * read StreamARN from the input), credentials, SigV4, retries, the HTTP handler, response
 * parsing and error mapping.
 *
 * Two middlewares on the command's own stack (the client's, which may be the caller's, is never
 * touched), around the SDK's `serializerMiddleware`:
 * - before it, the input the serialiser sees has no records (`Records: []`), so the SDK writes
 *   only a small `{"Records":[],"StreamName":…}` and builds the request as usual;
 * - after it, the request body is replaced with ours. Later steps (content-length in `build`,
 *   the payload hash of SigV4 in `finalizeRequest`, retries, the handler) all see our body.
 *
 * The command's `input` stays the complete PutRecordsInput, so anything inspecting the command
 * (aws-sdk-client-mock, the SDK's logger) sees the real request.
 *
 * A Uint8Array body costs no further copy in this SDK (@smithy/core 3.41): SigV4 hashes it as
 * is, content-length is its byteLength, and @smithy/node-http-handler writes a Buffer body to the
 * socket as is.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type {
  KinesisClient,
  PutRecordsCommandInput,
  PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import type { SerializeMiddleware } from '@smithy/types';
import { encodePutRecordsBody } from './putRecordsBody.js';
import type { BodyEntry, BodyTarget } from './putRecordsBody.js';

type Middleware = SerializeMiddleware<PutRecordsCommandInput, PutRecordsCommandOutput>;

/** The JSON protocol this body is written for; its requests carry this content type. */
const AWS_JSON_1_1 = 'application/x-amz-json-1.1';

/** Names of our middlewares, for stack listings and tests. @internal */
export const PUT_RECORDS_BODY_MIDDLEWARE = {
  stripRecords: 'kinesisKitPutRecordsStripRecords',
  writeBody: 'kinesisKitPutRecordsBody',
} as const;

/**
 * Whether `client` speaks awsJson1_1, the protocol whose body we write. Clients configured with
 * another protocol (the SDK lets a caller pass one) get the SDK's own serialisation.
 * @internal
 */
export function speaksAwsJson11(client: KinesisClient): boolean {
  // A test double may have no config; its send() runs no middleware and reads the full input.
  const protocol = (client.config as { protocol?: unknown } | undefined)?.protocol;
  if (protocol === undefined || protocol === null) return true; // SDKs before schema serde
  const shapeId = (protocol as { getShapeId?: () => string }).getShapeId?.();
  return shapeId === undefined || shapeId === 'aws.protocols#awsJson1_1';
}

/**
 * The SDK input for `entries`: what the SDK serialises when it writes the body itself, and what
 * mocks and fakes read from a command either way.
 * @internal
 */
export function putRecordsInput(
  target: BodyTarget,
  entries: readonly BodyEntry[],
): PutRecordsCommandInput {
  return {
    // The ARN wins when both are known: it is unambiguous across accounts.
    ...(target.streamArn !== undefined
      ? { StreamARN: target.streamArn }
      : { StreamName: target.streamName }),
    Records: entries.map((e) => ({
      Data: e.data,
      PartitionKey: e.partitionKey,
      ExplicitHashKey: e.explicitHashKey,
    })),
  };
}

/**
 * A PutRecordsCommand for `entries` sent with the body from putRecordsBody.ts.
 * @internal
 */
export function putRecordsCommand(
  target: BodyTarget,
  entries: readonly BodyEntry[],
): PutRecordsCommand {
  const command = new PutRecordsCommand(putRecordsInput(target, entries));
  const stripRecords: Middleware = (next) => (args) =>
    next({ ...args, input: { ...args.input, Records: [] } });
  const writeBody: Middleware = (next) => (args) => {
    const request = args.request as { headers?: Record<string, string>; body?: unknown };
    const contentType = request.headers?.['content-type'];
    if (contentType !== AWS_JSON_1_1) {
      // Never send a request whose records were stripped: fail loudly instead.
      throw new Error(`PutRecords body: expected ${AWS_JSON_1_1}, got ${String(contentType)}`);
    }
    request.body = encodePutRecordsBody(target, entries);
    return next(args);
  };
  command.middlewareStack.addRelativeTo(stripRecords, {
    relation: 'before',
    toMiddleware: 'serializerMiddleware',
    name: PUT_RECORDS_BODY_MIDDLEWARE.stripRecords,
  });
  command.middlewareStack.addRelativeTo(writeBody, {
    relation: 'after',
    toMiddleware: 'serializerMiddleware',
    name: PUT_RECORDS_BODY_MIDDLEWARE.writeBody,
  });
  return command;
}
