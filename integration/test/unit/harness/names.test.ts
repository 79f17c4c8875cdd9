import { createLeaseTableName, uniqueName } from '../../../src/harness/names.js';

// Kinesis stream names: 1-128 of [a-zA-Z0-9_.-]; DynamoDB table names: 3-255 of the same.
const VALID_RESOURCE_NAME = /^[A-Za-z0-9_.-]{3,128}$/;

describe('uniqueName', () => {
  it('gives distinct names that keep the prefix and are valid stream and table names', () => {
    // Act
    const names = Array.from({ length: 1000 }, () => uniqueName('orders'));
    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.startsWith('orders-')).toBe(true);
      expect(name).toMatch(VALID_RESOURCE_NAME);
    }
  });

  it('is still a valid name with the longest prefix', () => {
    expect(uniqueName('p'.repeat(64))).toMatch(VALID_RESOURCE_NAME);
  });

  it.each(['', 'has space', 'slash/no', 'x'.repeat(65)])('rejects the prefix %j', (prefix) => {
    expect(() => uniqueName(prefix)).toThrow(/prefix must be/);
  });

  it('names lease tables distinctly', () => {
    const a = createLeaseTableName();
    const b = createLeaseTableName();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^leases-/);
  });
});
