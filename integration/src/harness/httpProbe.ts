import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Resolves with the status code of a GET, or rejects on a connection error. TLS certificates are
 * not checked: kinesis-local serves a self-signed one. A fresh connection per probe (no agent),
 * so a probe never reuses a socket of a process that is going away.
 * @internal
 */
export async function httpGetStatus(url: string, timeoutMs = 1000): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', agent: false, rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/**
 * POSTs a DynamoDB JSON-protocol call with a syntactically valid (but unsigned) SigV4 header, which
 * is all DynamoDB Local and dynalite check, and resolves with the status code.
 * @internal
 */
export async function dynamoDBCallStatus(
  endpoint: string,
  operation: string,
  body: unknown,
  timeoutMs = 1000,
): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      endpoint,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': `DynamoDB_20120810.${operation}`,
          'X-Amz-Date': '20200101T000000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=000000000000/20200101/us-east-1/dynamodb/aws4_request, ' +
            'SignedHeaders=host;x-amz-date, Signature=0',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${operation} on ${endpoint} timed out`)));
    req.once('error', reject);
    req.end(payload);
  });
}
