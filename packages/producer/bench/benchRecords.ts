/**
 * The CPU benchmarks' input: records of 100 random bytes with unique 36-character random keys,
 * as the issue defines them, built the same way for every bench that compares with the baseline.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomKey(): string {
  let key = '';
  for (const b of randomBytes(36)) key += ALPHABET.charAt(b % ALPHABET.length);
  return key;
}

/** `count` records of `dataBytes` random bytes, each with its own random 36-character key. */
export function benchRecords(
  count: number,
  dataBytes = 100,
): { partitionKey: string; data: Buffer }[] {
  return Array.from({ length: count }, () => ({
    partitionKey: randomKey(),
    data: randomBytes(dataBytes),
  }));
}
