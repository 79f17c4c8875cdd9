import { activeOwners, decideFleetMode } from '../../../src/core/leaseMode.js';
import type { FleetModeInput } from '../../../src/core/leaseMode.js';

const NOW = 1_800_000_000_000;
const cv = (clientVersion: string) => ({ clientVersion, source: 'lease-table' as const });
const beat = (workerId: string, agoMs: number) => ({
  workerId,
  lastUpdateEpochSeconds: (NOW - agoMs) / 1000,
});
const base: FleetModeInput = {
  clientVersion: undefined,
  heartbeats: [],
  nowEpochMs: NOW,
  workerId: 'ts-1',
};

describe('decideFleetMode', () => {
  it.each<[string, Partial<FleetModeInput>, string]>([
    ['no Migration3.0 item: a 2.x (or new) table', {}, 'join'],
    ['CLIENT_VERSION_2X', { clientVersion: cv('CLIENT_VERSION_2X') }, 'join'],
    [
      'CLIENT_VERSION_2x as KclMigrationTool.py writes it',
      { clientVersion: cv('CLIENT_VERSION_2x') },
      'join',
    ],
    [
      'CLIENT_VERSION_INIT (3.x in phase-1 compatible mode)',
      { clientVersion: cv('CLIENT_VERSION_INIT') },
      'join',
    ],
    [
      'upgrading from 2.x (the fleet still runs the 2.x taker)',
      { clientVersion: cv('CLIENT_VERSION_UPGRADE_FROM_2X') },
      'join',
    ],
    [
      '3.x with a live heartbeat',
      { clientVersion: cv('CLIENT_VERSION_3X'), heartbeats: [beat('java-1', 20_000)] },
      'refuse',
    ],
    [
      '3.x with rollback and moving lease counters',
      { clientVersion: cv('CLIENT_VERSION_3X_WITH_ROLLBACK'), activeLeaseOwners: ['java-2'] },
      'refuse',
    ],
    [
      '3.x with stale heartbeats only: observe counters first',
      { clientVersion: cv('CLIENT_VERSION_3X'), heartbeats: [beat('java-1', 61_000)] },
      'observe',
    ],
    [
      '3.x, stale heartbeats, counters still: stopped fleet, take over',
      {
        clientVersion: cv('CLIENT_VERSION_3X'),
        heartbeats: [beat('java-1', 3_600_000)],
        activeLeaseOwners: [],
      },
      'join',
    ],
    [
      '3.x where the only live worker is this one',
      {
        clientVersion: cv('CLIENT_VERSION_3X'),
        heartbeats: [beat('ts-1', 1_000)],
        activeLeaseOwners: ['ts-1'],
      },
      'join',
    ],
    [
      'an unknown future version with live workers',
      { clientVersion: cv('CLIENT_VERSION_4X'), activeLeaseOwners: ['java-9'] },
      'refuse',
    ],
  ])('%s → %s', (_name, input, decision) => {
    expect(decideFleetMode({ ...base, ...input }).decision).toBe(decision);
  });

  it('explains how to migrate, and that a 3X fleet cannot roll back', () => {
    const withRollback = decideFleetMode({
      ...base,
      clientVersion: cv('CLIENT_VERSION_3X_WITH_ROLLBACK'),
      activeLeaseOwners: ['java-1'],
    });
    const final = decideFleetMode({
      ...base,
      clientVersion: cv('CLIENT_VERSION_3X'),
      activeLeaseOwners: ['java-1'],
    });

    expect(withRollback).toMatchObject({ decision: 'refuse', liveWorkers: ['java-1'] });
    const m1 = withRollback.decision === 'refuse' ? withRollback.message : '';
    const m2 = final.decision === 'refuse' ? final.message : '';
    expect(m1).toContain('stop the Java fleet');
    expect(m1).toContain('CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X');
    expect(m2).toContain('can no longer be rolled back');
  });
});

describe('activeOwners', () => {
  it('names owners whose counters moved between two scans', () => {
    const first = [
      { leaseKey: 'a', leaseCounter: 1, leaseOwner: 'w1' },
      { leaseKey: 'b', leaseCounter: 5, leaseOwner: 'w2' },
      { leaseKey: 'c', leaseCounter: 2 },
    ];
    const second = [
      { leaseKey: 'a', leaseCounter: 4, leaseOwner: 'w1' },
      { leaseKey: 'b', leaseCounter: 5, leaseOwner: 'w2' },
      { leaseKey: 'c', leaseCounter: 3 },
      { leaseKey: 'd', leaseCounter: 9, leaseOwner: 'w3' },
    ];

    expect(activeOwners(first, second)).toEqual(['w1']);
  });
});
