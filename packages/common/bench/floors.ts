/**
 * Lower bounds for the aggregation benchmark: the work any encoder or decoder of the KPL format
 * must do, timed in the same interleaved rounds as the real codecs so their ratios to
 * aws-kinesis-agg are ceilings for what an implementation on this Node can reach.
 *
 * - MD5 alone: the format requires an MD5 of the whole protobuf body, on encode and on a
 *   checked decode (the KCL and aws-kinesis-agg both check it).
 * - Encode floor: MD5, plus the per-record work no encoder can skip: a hash-table lookup of the
 *   partition key (the KPL dedups keys, so byte compatibility needs it) and an insert for each new
 *   one, its UTF-8 length (for the length prefix), and copying every key and data byte into the
 *   output (keys with one native latin1 write per aggregate, the fastest way we measured). It
 *   leaves out what a real encoder also does: validation, tags and varints, the exact size
 *   bookkeeping, the routing hash key. It is not a valid encoder; it only bounds one from below.
 */
import { hash } from 'node:crypto';

interface Input {
  partitionKey: string;
  data: Buffer;
}

/** MD5 of each aggregate's protobuf body (between the 4-byte magic and the 16-byte digest). */
export function md5Only(aggregates: readonly Buffer[]): () => number {
  return () => {
    let x = 0;
    for (const a of aggregates) x ^= hash('md5', a.subarray(4, a.length - 16), 'buffer')[0]!;
    return x;
  };
}

/** The unavoidable part of encoding `groups` (one aggregate each); see the file comment. */
export function encodeFloor(groups: readonly (readonly Input[])[]): () => number {
  const out = Buffer.allocUnsafe(1 << 20);
  return () => {
    let x = 0;
    for (const g of groups) {
      const seen = new Map<string, number>();
      let keys = '';
      let keyBytes = 0;
      let o = 0;
      for (const r of g) {
        const pk = r.partitionKey;
        if (seen.get(pk) === undefined) {
          seen.set(pk, seen.size);
          keyBytes += Buffer.byteLength(pk, 'utf8');
          keys += pk;
        }
        out.set(r.data, o);
        o += r.data.length;
      }
      o += out.write(keys, o, 'latin1');
      x ^= hash('md5', out.subarray(0, o), 'buffer')[0]! ^ keyBytes;
    }
    return x;
  };
}
