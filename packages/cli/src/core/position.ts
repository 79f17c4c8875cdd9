/** Parsing of `--from` / `--to` positions. */
import { UsageError } from '../errors.js';

/** A place in a shard to start reading from. */
export type StreamPosition =
  | { readonly type: 'LATEST' | 'TRIM_HORIZON' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/**
 * `LATEST`, `TRIM_HORIZON` (any case), a sequence number (digits only), or an ISO-8601 timestamp
 * (`2024-05-01T12:00:00Z`, a date alone, or `-5m`/`-2h`/`-1d` relative to `now`).
 */
export function parsePosition(value: string, flag: string, now: number): StreamPosition {
  const v = value.trim();
  const upper = v.toUpperCase();
  if (upper === 'LATEST' || upper === 'TRIM_HORIZON') return { type: upper };
  if (/^\d{10,}$/.test(v)) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: v };
  const relative = /^-(\d+)(s|m|h|d)$/.exec(v);
  if (relative) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's'];
    return { type: 'AT_TIMESTAMP', timestamp: new Date(now - Number(relative[1]) * unit) };
  }
  // Date.parse accepts too much (e.g. "1"); require something that starts like an ISO date.
  const ms = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag}: expected LATEST, TRIM_HORIZON, an ISO timestamp (2024-05-01T12:00:00Z), -5m/-2h/-1d or a sequence number; got "${value}"`,
    );
  }
  return { type: 'AT_TIMESTAMP', timestamp: new Date(ms) };
}
