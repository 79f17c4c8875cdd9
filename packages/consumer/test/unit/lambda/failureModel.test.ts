/**
 * Property: for random events (several shards interleaved, plain records and aggregates) and a
 * random set of user records that fail, both handler forms behave like a simple model: each
 * shard runs in order up to and including its first failure, and the response names, per failed
 * shard, the Kinesis record holding that failure.
 */
import fc from 'fast-check';
import { kinesisBatchHandler, kinesisHandler } from '@kinesis-kit/consumer/lambda';
import { MemoryLogger } from '@kinesis-kit/common/testing';

import { aggregateOf, fakeContext, sequenceNumber, shardName, toEvent } from './lambdaEvents';
import type { StoredRecord } from './lambdaEvents';

interface Plan {
  /** Per shard, per Kinesis record, how many user records it holds (1 = plain). */
  readonly shards: number[][];
  /** Event order: shard indexes, each used as many times as it has records. */
  readonly order: number[];
  /** Per user record (by global label), whether it fails. */
  readonly failing: Set<string>;
}

const planArb: fc.Arbitrary<Plan> = fc
  .array(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), {
    minLength: 1,
    maxLength: 3,
  })
  .chain((shards) => {
    const slots = shards.flatMap((records, s) => records.map(() => s));
    const labels = shards.flatMap((records, s) =>
      records.flatMap((n, k) => Array.from({ length: n }, (_, sub) => `${s}.${k}.${sub}`)),
    );
    return fc.record({
      shards: fc.constant(shards),
      order: fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }),
      failing: fc
        .subarray(labels, { maxLength: Math.min(3, labels.length) })
        .map((l) => new Set(l)),
    });
  });

/** Builds the event; user record data is its label "<shard>.<record>.<sub>". */
function eventOf(plan: Plan) {
  const next = plan.shards.map(() => 0);
  const stored: StoredRecord[] = plan.order.map((s) => {
    const k = next[s]!++;
    const n = plan.shards[s]![k]!;
    const users = Array.from({ length: n }, (_, sub) => ({
      partitionKey: `pk-${s}-${k}-${sub}`,
      data: `${s}.${k}.${sub}`,
    }));
    const body =
      n === 1
        ? { partitionKey: users[0]!.partitionKey, data: Buffer.from(users[0]!.data) }
        : aggregateOf(users);
    return { shardId: shardName(s), sequenceNumber: sequenceNumber(s, k + 1), ...body };
  });
  return toEvent(stored);
}

/** The model: calls (labels) per shard and the expected failures in shard first-appearance order. */
function expected(plan: Plan) {
  const calls: string[][] = [];
  const failures: { itemIdentifier: string }[] = [];
  const shardOrder = [...new Set(plan.order)];
  for (const s of shardOrder) {
    const ran: string[] = [];
    let failedAt: number | undefined;
    plan.shards[s]!.forEach((n, k) => {
      for (let sub = 0; sub < n && failedAt === undefined; sub++) {
        ran.push(`${s}.${k}.${sub}`);
        if (plan.failing.has(`${s}.${k}.${sub}`)) failedAt = k;
      }
    });
    calls[s] = ran;
    if (failedAt !== undefined) failures.push({ itemIdentifier: sequenceNumber(s, failedAt + 1) });
  }
  return { calls, failures };
}

describe('failure semantics match the model', () => {
  it('kinesisHandler', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        // Prepare
        const calls: string[][] = plan.shards.map(() => []);
        const handler = kinesisHandler(
          (r) => {
            const label = r.data.toString();
            calls[Number(label.split('.')[0])]!.push(label);
            if (plan.failing.has(label)) throw new Error(label);
          },
          { logger: new MemoryLogger() },
        );
        // Act
        const response = await handler(eventOf(plan), fakeContext());
        // Assess
        const model = expected(plan);
        expect(response.batchItemFailures).toEqual(model.failures);
        expect(calls).toEqual(model.calls);
      }),
      { numRuns: 200 },
    );
  });

  it('kinesisBatchHandler returning the first failed record', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        // Prepare
        const calls: string[][] = plan.shards.map(() => []);
        const handler = kinesisBatchHandler(
          (records) => {
            for (const r of records) {
              const label = r.data.toString();
              calls[Number(label.split('.')[0])]!.push(label);
              if (plan.failing.has(label)) return { failedRecord: r };
            }
            return undefined;
          },
          { logger: new MemoryLogger() },
        );
        // Act
        const response = await handler(eventOf(plan), fakeContext());
        // Assess
        const model = expected(plan);
        expect(response.batchItemFailures).toEqual(model.failures);
        expect(calls).toEqual(model.calls);
      }),
      { numRuns: 200 },
    );
  });
});
