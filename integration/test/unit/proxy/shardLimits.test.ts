import {
  DEFAULT_PROXY_LIMITS,
  ShardLimitModel,
  resolveProxyLimits,
} from '../../../src/proxy/core/shardLimits.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SHARD = 'acct/stream/shardId-000000000000';
const OTHER = 'acct/stream/shardId-000000000001';

/** Offers `perTick` writes of `bytes` every `tickMs` for `seconds`; returns how many were admitted. */
function offerWrites(
  model: ShardLimitModel,
  shard: string,
  opts: { perTick: number; bytes: number; tickMs: number; seconds: number; start?: number },
): number {
  let admitted = 0;
  const start = opts.start ?? 0;
  for (let t = start; t < start + opts.seconds * 1000; t += opts.tickMs) {
    for (let i = 0; i < opts.perTick; i++) {
      if (model.admitWrite(shard, opts.bytes, t) === undefined) admitted++;
    }
  }
  return admitted;
}

describe('resolveProxyLimits', () => {
  it('defaults to the documented per-shard limits', () => {
    expect(resolveProxyLimits()).toEqual({
      writeRecordsPerSecond: 1000,
      writeBytesPerSecond: MiB,
      writeBurstSeconds: 1,
      readCallsPerSecond: 5,
      readCallsBurst: 5,
      readBytesPerSecond: 2 * MiB,
      readBytesBurst: 0,
      maxPutRecordsEntries: 500,
      maxPutRecordsBytes: 5 * MiB,
    });
  });

  it('merges overrides and ignores undefined ones', () => {
    const limits = resolveProxyLimits({ writeRecordsPerSecond: 100, readCallsBurst: undefined });
    expect(limits.writeRecordsPerSecond).toBe(100);
    expect(limits.readCallsBurst).toBe(DEFAULT_PROXY_LIMITS.readCallsBurst);
  });

  it('lists every invalid field', () => {
    expect(() =>
      resolveProxyLimits({
        writeBytesPerSecond: -1,
        maxPutRecordsEntries: 0,
        readCallsPerSecond: NaN,
      }),
    ).toThrow(/writeBytesPerSecond.*readCallsPerSecond.*maxPutRecordsEntries/);
  });
});

describe('ShardLimitModel writes', () => {
  it.each([
    // offered per second, seconds, expected admitted = 1 s burst + rate x seconds (capped by demand)
    { perTick: 20, tickMs: 10, seconds: 5, expected: 1000 + 5000 }, // 2000/s offered
    { perTick: 50, tickMs: 10, seconds: 3, expected: 1000 + 3000 }, // 5000/s offered
    { perTick: 9, tickMs: 10, seconds: 5, expected: 4500 }, // 900/s: under the limit, nothing refused
    { perTick: 10, tickMs: 10, seconds: 5, expected: 5000 }, // exactly the limit
  ])('record limit: $perTick per $tickMs ms for $seconds s admits $expected', (c) => {
    const model = new ShardLimitModel(resolveProxyLimits());
    const admitted = offerWrites(model, SHARD, { ...c, bytes: 10 });
    // The last tick's refill lands 10 ms before the end: allow that much slack.
    expect(admitted).toBeGreaterThanOrEqual(c.expected - 10);
    expect(admitted).toBeLessThanOrEqual(c.expected);
  });

  it('byte limit: 100 KiB entries at 2 MiB/s are admitted at 1 MiB/s after a 1 MiB burst', () => {
    const model = new ShardLimitModel(resolveProxyLimits());
    // 2 entries of 100 KiB every 100 ms = 2 MiB/s offered, for 10 s.
    const admitted = offerWrites(model, SHARD, {
      perTick: 2,
      bytes: 100 * KiB,
      tickMs: 50,
      seconds: 10,
    });
    const admittedBytes = admitted * 100 * KiB;
    expect(admittedBytes).toBeLessThanOrEqual(MiB + 10 * MiB);
    expect(admittedBytes).toBeGreaterThanOrEqual(MiB + 10 * MiB - 200 * KiB);
  });

  it('says which budget ran out, and a refused entry takes nothing', () => {
    const model = new ShardLimitModel(resolveProxyLimits({ writeRecordsPerSecond: 2 }));
    expect(model.admitWrite(SHARD, 1, 0)).toBeUndefined();
    expect(model.admitWrite(SHARD, 1, 0)).toBeUndefined();
    expect(model.admitWrite(SHARD, 1, 0)).toBe('records');

    const bytes = new ShardLimitModel(resolveProxyLimits({ writeBytesPerSecond: 1000 }));
    expect(bytes.admitWrite(SHARD, 600, 0)).toBeUndefined();
    expect(bytes.admitWrite(SHARD, 600, 0)).toBe('bytes');
    // The refused 600 bytes took neither bytes nor a record: 400 bytes are still there.
    expect(bytes.admitWrite(SHARD, 400, 0)).toBeUndefined();
  });

  it('keeps shards independent', () => {
    const model = new ShardLimitModel(resolveProxyLimits({ writeRecordsPerSecond: 1 }));
    expect(model.admitWrite(SHARD, 1, 0)).toBeUndefined();
    expect(model.admitWrite(SHARD, 1, 0)).toBe('records');
    expect(model.admitWrite(OTHER, 1, 0)).toBeUndefined();
  });

  it('burstSeconds 0 spreads admissions evenly: one record per 1/rate', () => {
    const model = new ShardLimitModel(
      resolveProxyLimits({ writeRecordsPerSecond: 10, writeBurstSeconds: 0.1 }),
    );
    const admittedAt: number[] = [];
    for (let t = 0; t < 1000; t += 1)
      if (model.admitWrite(SHARD, 1, t) === undefined) admittedAt.push(t);
    expect(admittedAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('setLimits and reset give every shard a full bucket again', () => {
    const model = new ShardLimitModel(resolveProxyLimits({ writeRecordsPerSecond: 1 }));
    model.admitWrite(SHARD, 1, 0);
    model.reset();
    expect(model.admitWrite(SHARD, 1, 0)).toBeUndefined();
    model.setLimits(resolveProxyLimits({ writeRecordsPerSecond: 3 }));
    expect(offerWrites(model, SHARD, { perTick: 10, bytes: 1, tickMs: 1000, seconds: 1 })).toBe(3);
    expect(model.current.writeRecordsPerSecond).toBe(3);
  });
});

describe('ShardLimitModel reads', () => {
  it('admits 5 calls at once, then one every 200 ms', () => {
    const model = new ShardLimitModel(resolveProxyLimits());
    const results = Array.from({ length: 7 }, () => model.admitRead(SHARD, 0));
    expect(results).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'calls',
      'calls',
    ]);
    expect(model.admitRead(SHARD, 199)).toBe('calls');
    expect(model.admitRead(SHARD, 200)).toBeUndefined();
  });

  it('sustains 5 calls/s under a 20 calls/s demand', () => {
    const model = new ShardLimitModel(resolveProxyLimits());
    let admitted = 0;
    for (let t = 0; t < 10_000; t += 50) if (model.admitRead(SHARD, t) === undefined) admitted++;
    expect(admitted).toBe(5 + 50 - 1);
  });

  it('blocks the shard for 5 s after a 10 MiB read, as the GetRecords reference says', () => {
    const model = new ShardLimitModel(resolveProxyLimits());
    expect(model.admitRead(SHARD, 0)).toBeUndefined();
    model.chargeRead(SHARD, 10 * MiB, 0);
    expect(model.admitRead(SHARD, 1000)).toBe('bytes');
    expect(model.admitRead(SHARD, 4999)).toBe('bytes');
    expect(model.admitRead(SHARD, 5000)).toBeUndefined();
    expect(model.admitRead(OTHER, 1000)).toBeUndefined();
  });

  it('lets a reader that returns 400 KiB per call keep 5 calls/s (exactly 2 MiB/s)', () => {
    const model = new ShardLimitModel(resolveProxyLimits());
    let refused = 0;
    for (let t = 0; t < 10_000; t += 200) {
      if (model.admitRead(SHARD, t) === undefined) model.chargeRead(SHARD, 0.4 * MiB, t);
      else refused++;
    }
    expect(refused).toBe(0);
  });
});
