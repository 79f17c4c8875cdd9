/** The KCL's figures for the fleet scenarios, from its algorithm (kclModel.ts). */
import { seededRandom } from '@kinesis-kit/common';
import { kclChildStartDelay, kclFailoverDelay, kclTimings } from './kclModel.js';
import type { DelayStats } from './kclModel.js';
import { ms } from './report.js';

interface Baseline {
  /** A line under the table. */
  readonly text: string;
  /** The summary table's baseline cell. */
  readonly summary: string;
}

function describe(s: DelayStats): string {
  return `${ms(s.min)}–${ms(s.max)}, mean ${ms(s.mean)}, p95 ${ms(s.p95)}`;
}

/** KCL 2.x baselines at `failoverMs`, and at its defaults (10 s) for the SIGKILL case. */
export function fleetBaselines(failoverMs: number): {
  kill: Baseline;
  stop: Baseline;
  child: Baseline;
} {
  const random = seededRandom(11);
  const t = kclTimings(failoverMs);
  // After the kill two workers survive; after the stop one does (and takes everything).
  const kill = kclFailoverDelay(failoverMs, 2, random);
  const stop = kclFailoverDelay(failoverMs, 1, random);
  const defaults = kclFailoverDelay(10_000, 2, random);
  const child = kclChildStartDelay(failoverMs, 1, random);
  const intervals = `renew ${ms(t.renewIntervalMs)}, taker every ${ms(t.takerIntervalMs)}, dispatch loop 1 s`;
  return {
    kill: {
      text:
        `KCL 2.x at this failover (${intervals}; 2 survivors): ${describe(kill)}.\n` +
        `KCL 2.x at its defaults (failover 10 s + up to 2 × 20 050 ms taker interval, the "10–40 s"): ${describe(defaults)}.\n`,
      summary: `KCL ${ms(kill.mean)} mean (${ms(kill.min)}–${ms(kill.max)}); at defaults ${ms(defaults.mean)} (${ms(defaults.min)}–${ms(defaults.max)})`,
    },
    stop: {
      text: `KCL 2.x never releases leases on shutdown, so a stop hands over like a crash (1 survivor): ${describe(stop)}.\n`,
      summary: `KCL ${ms(stop.mean)} mean (${ms(stop.min)}–${ms(stop.max)}), no release`,
    },
    child: {
      text:
        `KCL 2.x: the child lease is created unowned and taken at the next taker run (every ${ms(t.takerIntervalMs)}), ` +
        `then dispatched within 1 s (a child taken before its parent ends polls every 10 s): ${describe(child)}.\n`,
      summary: `KCL ${ms(child.mean)} mean (up to ${ms(child.max)})`,
    },
  };
}
