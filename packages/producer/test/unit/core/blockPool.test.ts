import fc from 'fast-check';
import { BlockPool } from '../../../src/core/blockPool.js';

const MAX = 51_200;

describe('BlockPool', () => {
  it('hands out exactly the size asked, in a block of the smallest class that holds it', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 1 << 20 });
    for (const size of [4096, 5000, 20_000, 43_000, 51_199, MAX]) {
      const bytes = pool.acquire(size);
      expect(bytes).toBeInstanceOf(Buffer);
      expect(bytes.length).toBe(size);
      expect(bytes.byteOffset).toBe(0);
      // Classes are about 19% apart, so a block wastes at most that (and 64 bytes of rounding).
      expect(bytes.buffer.byteLength).toBeGreaterThanOrEqual(size);
      expect(bytes.buffer.byteLength).toBeLessThanOrEqual(Math.ceil(size * 2 ** 0.25) + 64);
      expect(pool.owns(bytes)).toBe(true);
    }
    // The top class is the aggregate limit to the byte: a full aggregate wastes nothing.
    expect(pool.acquire(MAX).buffer.byteLength).toBe(MAX);
  });

  it('gives sizes outside its classes a plain buffer that it does not own', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 1 << 20 });
    for (const size of [0, 100, 4095, MAX + 1, 1 << 20]) {
      const bytes = pool.acquire(size);
      expect(bytes.length).toBe(size);
      expect(pool.owns(bytes)).toBe(false);
      expect(pool.release(bytes)).toBe(false);
    }
    expect(pool.inUseBytes).toBe(0);
    expect(pool.idleBytes).toBe(0);
  });

  it('reuses a released block for the next request of its class', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 1 << 20 });
    const a = pool.acquire(MAX);
    const block = a.buffer;
    expect(pool.inUseBytes).toBe(MAX);
    expect(pool.release(a)).toBe(true);
    expect(pool.owns(a)).toBe(false);
    expect(pool.inUseBytes).toBe(0);
    expect(pool.idleBytes).toBe(MAX);
    const b = pool.acquire(MAX - 10);
    expect(b.buffer).toBe(block);
    expect(pool.idleBytes).toBe(0);
  });

  it('ignores a second release, so one block is never handed out twice', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 1 << 20 });
    const a = pool.acquire(MAX);
    expect(pool.release(a)).toBe(true);
    expect(pool.release(a)).toBe(false);
    const b = pool.acquire(MAX);
    const c = pool.acquire(MAX);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
    // A stale buffer is no key to its block's next use: b keeps it.
    expect(pool.release(a)).toBe(false);
    expect(pool.owns(b)).toBe(true);
    expect(pool.acquire(MAX).buffer).not.toBe(b.buffer);
  });

  it('ignores buffers it did not hand out, other views of its blocks included', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 1 << 20 });
    expect(pool.release(Buffer.from('small'))).toBe(false);
    expect(pool.release(new Uint8Array(MAX))).toBe(false);
    const a = pool.acquire(MAX);
    expect(pool.release(new Uint8Array(a.buffer))).toBe(false);
    expect(pool.owns(a)).toBe(true);
    expect(pool.idleBytes).toBe(0);
  });

  it('keeps at most maxIdleBytes of free blocks and leaves the rest to the GC', () => {
    const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 3 * MAX });
    const held = Array.from({ length: 10 }, () => pool.acquire(MAX));
    expect(pool.inUseBytes).toBe(10 * MAX);
    for (const b of held) pool.release(b);
    expect(pool.inUseBytes).toBe(0);
    expect(pool.idleBytes).toBe(3 * MAX);
    const again = Array.from({ length: 10 }, () => pool.acquire(MAX));
    const reused = again.filter((b) => held.some((h) => h.buffer === b.buffer));
    expect(reused).toHaveLength(3);
  });

  it('never lets two unreleased buffers share memory, whatever the order of calls', () => {
    type Op = { acquire: number } | { release: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ acquire: fc.integer({ min: 1, max: MAX + 100 }) }),
      fc.record({ release: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const pool = new BlockPool({ maxBlockBytes: MAX, maxIdleBytes: 4 * MAX });
        const live: { bytes: Buffer; fill: number }[] = [];
        let fill = 0;
        let pooledBytes = 0;
        for (const o of ops) {
          if ('acquire' in o) {
            const bytes = pool.acquire(o.acquire);
            fill = (fill + 1) % 256;
            bytes.fill(fill);
            live.push({ bytes, fill });
            if (pool.owns(bytes)) pooledBytes += bytes.buffer.byteLength;
          } else if (live.length > 0) {
            const [gone] = live.splice(o.release % live.length, 1);
            if (pool.owns(gone!.bytes)) pooledBytes -= gone!.bytes.buffer.byteLength;
            pool.release(gone!.bytes);
          }
          // Every live buffer still holds what its owner wrote: no other acquire wrote over it.
          for (const l of live) expect(l.bytes.every((b) => b === l.fill)).toBe(true);
          expect(pool.inUseBytes).toBe(pooledBytes);
          expect(pool.idleBytes).toBeLessThanOrEqual(4 * MAX);
        }
      }),
      { numRuns: 150 },
    );
  });
});
