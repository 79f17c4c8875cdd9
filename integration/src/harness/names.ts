import { randomBytes } from 'node:crypto';

let counter = 0;
const VALID_PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A name no other test (in this or a parallel worker, or an earlier run against a long-lived
 * LocalStack) uses: `<prefix>-<time>-<random>-<counter>`, valid as a stream and a table name.
 * @public
 * @example
 * const streamName = uniqueName('orders'); // 'orders-m3k2x9a1-5f0c1d2e-1'
 */
export function uniqueName(prefix: string): string {
  if (!VALID_PREFIX.test(prefix)) {
    throw new RangeError(
      `prefix must be 1-64 characters of [A-Za-z0-9_.-], got ${JSON.stringify(prefix)}`,
    );
  }
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${counter}`;
}

/**
 * A unique lease-table name (the KCL names its table after the application).
 * @public
 */
export function createLeaseTableName(): string {
  return uniqueName('leases');
}
