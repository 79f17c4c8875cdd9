/**
 * Test doubles for code built on the consumer, published as `@kinesis-kit/consumer/testing`.
 * @packageDocumentation
 */
export { InMemoryLeaseStore } from './inMemoryLeaseStore.js';
export type {
  FaultOptions,
  InMemoryLeaseStoreOptions,
  LeaseStoreOperation,
} from './inMemoryLeaseStore.js';
