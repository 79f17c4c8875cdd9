/**
 * HTTP plumbing of the proxy: read a request body, forward a request to the target over a
 * keep-alive agent (buffered or piped), and answer in the AWS JSON 1.1 error format.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A buffered response from the target. @internal */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; content-length is recomputed.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
]);

/** Reads a whole request body. @internal */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Forwards requests to one target (kinesis-local or DynamoDB Local) over a keep-alive agent, so
 * the proxy adds no connection setup per call.
 * @internal
 */
export class Upstream {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly url: URL;

  constructor(target: string) {
    this.url = new URL(target);
    if (this.url.protocol !== 'http:') {
      throw new RangeError(`the proxy forwards plain HTTP only, got ${target}`);
    }
  }

  get target(): string {
    return this.url.origin;
  }

  /** Sends the request with `body` and buffers the whole response. */
  async send(req: IncomingMessage, body: Buffer): Promise<UpstreamResponse> {
    const response = await this.open(req, body);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return {
      status: response.statusCode ?? 502,
      headers: response.headers,
      body: Buffer.concat(chunks),
    };
  }

  /**
   * Sends the request and streams the response to `res` as it arrives (SubscribeToShard's event
   * stream, or any operation the proxy does not inspect). Resolves when the response ended or
   * either side went away.
   */
  async pipe(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const response = await this.open(req, body);
    res.writeHead(response.statusCode ?? 502, forwardableHeaders(response.headers));
    res.flushHeaders();
    await new Promise<void>((resolve) => {
      response.pipe(res);
      const done = (): void => resolve();
      response.once('end', done);
      response.once('error', () => {
        res.destroy();
        done();
      });
      // The client hung up (e.g. aborted a subscription): stop reading from the target too.
      res.once('close', () => {
        response.destroy();
        done();
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private open(req: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method: req.method,
          path: req.url,
          headers: {
            ...forwardableHeaders(req.headers),
            host: this.url.host,
            'content-length': String(body.length),
          },
          agent: this.agent,
        },
        resolve,
      );
      upstream.once('error', reject);
      upstream.end(body);
    });
  }
}

/** Headers minus the hop-by-hop ones. @internal */
export function forwardableHeaders(
  headers: IncomingHttpHeaders,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Sends a JSON 1.1 body with the target's headers (or fresh ones). @internal */
export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: IncomingHttpHeaders = {},
): void {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  res.writeHead(status, {
    ...forwardableHeaders(headers),
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(body.length),
    'x-amzn-requestid': headers['x-amzn-requestid'] ?? randomUUID(),
  });
  res.end(body);
}

/** Sends a buffered target response unchanged. @internal */
export function sendUpstream(res: ServerResponse, response: UpstreamResponse): void {
  res.writeHead(response.status, {
    ...forwardableHeaders(response.headers),
    'content-length': String(response.body.length),
  });
  res.end(response.body);
}

/**
 * Answers an AWS JSON error: the type goes in both `__type` and `x-amzn-ErrorType`, which is
 * where the SDK's JSON protocols look for the error code.
 * @internal
 */
export function sendAwsError(
  res: ServerResponse,
  status: number,
  errorType: string,
  message: string,
): void {
  const body = Buffer.from(JSON.stringify({ __type: errorType, message }), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(body.length),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': errorType,
  });
  res.end(body);
}

/** Destroys the client's connection without an answer: the SDK sees ECONNRESET. @internal */
export function resetConnection(req: IncomingMessage, res: ServerResponse): void {
  // resetAndDestroy sends a TCP RST (Node >= 16.17); destroy() alone may close gracefully (FIN).
  const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
  res.destroy();
}
