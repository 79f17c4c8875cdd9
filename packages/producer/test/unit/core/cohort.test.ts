import fc from 'fast-check';

import { Cohort } from '../../../src/core/cohort.js';
import type { PutResult } from '../../../src/core/records.js';

const result = (i: number): PutResult => ({
  shardId: `shard-${i % 3}`,
  sequenceNumber: String(1000 + i),
  subSequenceNumber: i,
  attempts: 1 + (i % 2),
});

/** Where each promise stands after the microtasks queued so far have run. */
async function states(promises: readonly Promise<PutResult>[]): Promise<unknown[]> {
  const seen: unknown[] = promises.map(() => 'pending');
  promises.forEach((p, i) => {
    p.then(
      (r) => (seen[i] = r),
      (e: unknown) => (seen[i] = e),
    );
  });
  await new Promise((r) => setImmediate(r));
  return seen;
}

describe('Cohort', () => {
  it('gives every member its own outcome, whatever order they settle in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.array(fc.boolean(), { minLength: n, maxLength: n }),
              fc.integer({ min: 0, max: n }),
            ),
          ),
        async ([order, fails, sealAfter]) => {
          // Prepare: members join in index order, each asking for its promise at once.
          const cohort = new Cohort();
          const promises = order.map(() => {
            cohort.join();
            return cohort.promise();
          });
          const errors = order.map((i) => new Error(`record ${i} failed`));
          // Act: settle in a random order, sealing somewhere along the way.
          order.forEach((member, k) => {
            if (k === sealAfter) cohort.seal();
            if (fails[member]) cohort.reject(member, errors[member]!);
            else cohort.resolve(member, result(member));
          });
          if (sealAfter === order.length) cohort.seal();
          // Assess
          expect(await states(promises)).toEqual(
            promises.map((_, i) => (fails[i] ? errors[i] : result(i))),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('settles no member before the cohort is sealed and all have outcomes', async () => {
    const cohort = new Cohort();
    const promises = [0, 1, 2].map(() => {
      cohort.join();
      return cohort.promise();
    });
    cohort.resolve(0, result(0));
    cohort.resolve(2, result(2));
    cohort.seal();
    // Member 1 has no outcome yet: nobody settles.
    expect(await states(promises)).toEqual(['pending', 'pending', 'pending']);
    cohort.resolve(1, result(1));
    expect(await states(promises)).toEqual([result(0), result(1), result(2)]);
  });

  it('waits for the seal even when every member has settled', async () => {
    const cohort = new Cohort();
    cohort.join();
    const first = cohort.promise();
    cohort.resolve(0, result(0));
    expect(await states([first])).toEqual(['pending']);
    // A member may still join (the aggregate was not sealed): it is served in its turn.
    cohort.join();
    const second = cohort.promise();
    cohort.seal();
    expect(await states([first, second])).toEqual(['pending', 'pending']);
    cohort.reject(1, new Error('expired'));
    expect(await states([first, second])).toEqual([result(0), new Error('expired')]);
  });
});
