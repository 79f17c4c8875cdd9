/**
 * The proxy fault rules of a chaos run: a low background rate of every fault all the time, and
 * the heavier rules of an episode while it lasts. Pure; the runner sends the union to the proxies.
 */
import type { FaultRule } from '../../proxy/core/faultRules.js';

/** Kinesis faults present for the whole run. @public */
export const BACKGROUND_KINESIS_FAULTS: readonly FaultRule[] = [
  { id: 'bg-get-500', operations: ['GetRecords'], probability: 0.01, fault: { kind: 'http-500' } },
  {
    id: 'bg-expired',
    operations: ['GetRecords'],
    probability: 0.01,
    fault: { kind: 'expired-iterator' },
  },
  {
    id: 'bg-entry-failure',
    operations: ['PutRecords'],
    probability: 0.01,
    fault: { kind: 'entry-internal-failure' },
  },
  // After the write: the producer cannot know the records landed, retries, and leaves copies.
  {
    id: 'bg-put-reset-after',
    operations: ['PutRecords'],
    probability: 0.005,
    fault: { kind: 'reset', afterForward: true },
  },
  { id: 'bg-latency', probability: 0.02, fault: { kind: 'latency', ms: 300 } },
];

/** DynamoDB faults present for the whole run. @public */
export const BACKGROUND_DYNAMODB_FAULTS: readonly FaultRule[] = [
  { id: 'bg-ddb-throttle', probability: 0.01, fault: { kind: 'throttling' } },
  { id: 'bg-ddb-500', probability: 0.005, fault: { kind: 'http-500' } },
];

/** The Kinesis rules of a `kinesis-faults` episode. @public */
export const EPISODE_KINESIS_FAULTS: readonly FaultRule[] = [
  { id: 'ep-get-500', operations: ['GetRecords'], probability: 0.15, fault: { kind: 'http-500' } },
  {
    id: 'ep-get-reset',
    operations: ['GetRecords', 'GetShardIterator'],
    probability: 0.1,
    fault: { kind: 'reset' },
  },
  {
    id: 'ep-expired',
    operations: ['GetRecords'],
    probability: 0.2,
    fault: { kind: 'expired-iterator' },
  },
  { id: 'ep-put-503', operations: ['PutRecords'], probability: 0.15, fault: { kind: 'http-503' } },
  {
    id: 'ep-put-500-after',
    operations: ['PutRecords'],
    probability: 0.05,
    fault: { kind: 'http-500', afterForward: true },
  },
  {
    id: 'ep-entry-failure',
    operations: ['PutRecords'],
    probability: 0.1,
    fault: { kind: 'entry-internal-failure' },
  },
  { id: 'ep-list-reset', operations: ['ListShards'], probability: 0.2, fault: { kind: 'reset' } },
];

/** The DynamoDB rules of a `dynamodb-throttle` episode. @public */
export const EPISODE_DYNAMODB_FAULTS: readonly FaultRule[] = [
  { id: 'ep-ddb-throttle', probability: 0.3, fault: { kind: 'throttling' } },
  { id: 'ep-ddb-capacity', probability: 0.1, fault: { kind: 'throughput-exceeded' } },
  { id: 'ep-ddb-500-after', probability: 0.05, fault: { kind: 'http-500', afterForward: true } },
];
