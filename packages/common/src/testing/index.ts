/**
 * Test doubles for code built on kinesis-kit, published as `@kinesis-kit/common/testing`.
 * @packageDocumentation
 */
export { FakeClock, flushMicrotasks } from './fakeClock.js';
export { MemoryLogger } from './memoryLogger.js';
export type { LogLine } from './memoryLogger.js';
export { MemoryMetricsSink } from './memoryMetrics.js';
