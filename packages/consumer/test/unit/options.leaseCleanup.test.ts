/**
 * `leaseCleanup`: when finished leases are judged and deleted, validated with the other options
 * (one error naming every bad field), the KCL's cadence available as a preset.
 */
import { ConfigurationError } from '@kinesis-kit/common';
import {
  KCL_LEASE_CLEANUP_TIMINGS,
  KinesisConsumer,
  LEASE_CLEANUP_DEFAULTS,
} from '@kinesis-kit/consumer';
import { resolveConsumerOptions } from '../../src/options.js';

const base = { streamName: 's', applicationName: 'my-app', handler: () => undefined } as const;

describe('leaseCleanup option', () => {
  it('defaults to judging at every scan and takes the KCL preset or single fields', () => {
    expect(resolveConsumerOptions(base).leaseCleanup).toEqual(LEASE_CLEANUP_DEFAULTS);
    expect(
      resolveConsumerOptions({ ...base, leaseCleanup: KCL_LEASE_CLEANUP_TIMINGS }).leaseCleanup,
    ).toEqual(KCL_LEASE_CLEANUP_TIMINGS);
    expect(
      resolveConsumerOptions({ ...base, leaseCleanup: { intervalMs: 5_000 } }).leaseCleanup,
    ).toEqual({ ...LEASE_CLEANUP_DEFAULTS, intervalMs: 5_000 });
  });

  it('refuses bad timings with the other bad options, naming each field', () => {
    let caught: unknown;
    try {
      new KinesisConsumer({
        ...base,
        failoverTimeMs: -1,
        leaseCleanup: { intervalMs: -5, garbageLeaseIntervalMs: 1.5 },
      });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(ConfigurationError);
    const fields = (caught as ConfigurationError).problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'failoverTimeMs',
        'leaseCleanup.intervalMs',
        'leaseCleanup.garbageLeaseIntervalMs',
      ]),
    );
  });
});
