/**
 * A real KinesisClient (the SDK's whole middleware stack: endpoint rules, serialisation,
 * content-length, SigV4, retries, response parsing) whose HTTP handler records each request and
 * answers PutRecords with one success per entry, and whose SHA-256 records what it hashes
 * without a key (SigV4's payload hash). No network.
 */
import { createHash } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';

export interface CapturedRequest {
  readonly headers: Record<string, string>;
  readonly hostname: string;
  readonly body: Uint8Array;
}

/**
 * Records requests and payload hashes; answers each PutRecords with `answer(body)`. `config`
 * is merged into the client's configuration.
 */
export function captureClient(
  answer: (body: unknown) => unknown = successFor,
  config: { readonly cacheMiddleware?: boolean } = {},
): {
  client: KinesisClient;
  requests: CapturedRequest[];
  hashed: Uint8Array[];
} {
  const requests: CapturedRequest[] = [];
  const hashed: Uint8Array[] = [];
  class RecordingSha256 {
    private readonly hash;
    private readonly keyed: boolean;
    constructor(secret?: unknown) {
      this.keyed = secret !== undefined;
      this.hash = createHash('sha256');
    }
    update(data: Uint8Array): void {
      if (!this.keyed) hashed.push(data);
      this.hash.update(data);
    }
    digest(): Promise<Uint8Array> {
      return Promise.resolve(new Uint8Array(this.hash.digest()));
    }
    reset(): void {
      throw new Error('not used by SigV4 payload hashing');
    }
  }
  const requestHandler = {
    handle(request: {
      headers: Record<string, string>;
      hostname: string;
      body: unknown;
    }): Promise<{ response: unknown }> {
      // Kept as sent (not copied): tests check the buffer it is a view of. Read through a plain
      // view: Buffer.from() on the SDK's own body type turns it into a string (and warns).
      const body =
        typeof request.body === 'string' ? Buffer.from(request.body) : (request.body as Uint8Array);
      requests.push({ headers: { ...request.headers }, hostname: request.hostname, body });
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
      return Promise.resolve({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Buffer.from(JSON.stringify(answer(parsed))),
        },
      });
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
  };
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler,
    sha256: RecordingSha256,
    maxAttempts: 1,
    ...config,
  });
  return { client, requests, hashed };
}

function successFor(body: unknown): unknown {
  const records = (body as { Records?: unknown[] }).Records ?? [];
  return {
    FailedRecordCount: 0,
    Records: records.map((_, i) => ({
      ShardId: 'shardId-000000000000',
      SequenceNumber: String(1000 + i),
    })),
  };
}
