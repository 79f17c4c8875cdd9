/**
 * Maps the MultiLangDaemon's `.properties` keys (peers-and-emulators.md §1.7) to the consumer's
 * options. Keys are case-sensitive camelCase as in the Java daemon, except the
 * `AwsCredentialsProvider*` prefix, which it normalises too. Values are trimmed (Java keeps
 * trailing blanks and then fails to convert them). Every problem is collected and reported in one
 * line; notes explain accepted differences, warnings flag keys that do nothing.
 */
import { KinesisKitError } from '@kinesis-kit/common';
import type { InitialPosition } from '../core/shardSync.js';
import { ignoredReason } from './ignoredKeys.js';
import type { PropertyEntry } from './properties.js';

/** Consumer options set from the tuning keys (numbers, booleans, fan-out), by our option name. @internal */
export interface MappedTunables {
  retrieval?: 'polling' | 'fanout';
  consumerName?: string;
  consumerArn?: string;
  failoverTimeMs?: number;
  maxRecords?: number;
  idleTimeBetweenReadsMs?: number;
  callProcessRecordsEvenForEmptyRecordList?: boolean;
  shutdownGraceMs?: number;
  maxLeasesForWorker?: number;
  maxLeasesToStealAtOneTime?: number;
  shardSyncIntervalMs?: number;
  parentPollIntervalMs?: number;
}

/** The daemon's configuration, read from a properties file. @internal */
export interface MultiLangConfig {
  /** `executableName` split on blanks; undefined only where the caller supplies the command. */
  readonly executable: readonly string[] | undefined;
  readonly streamName: string | undefined;
  readonly streamArn: string | undefined;
  readonly applicationName: string;
  readonly tableName: string | undefined;
  readonly workerId: string | undefined;
  readonly region: string | undefined;
  readonly kinesisEndpoint: string | undefined;
  readonly dynamoDBEndpoint: string | undefined;
  readonly initialPosition: InitialPosition;
  readonly tunables: MappedTunables;
  /** `timeoutInSeconds` in ms: a child silent for longer is killed and its shard failed. */
  readonly childTimeoutMs: number | undefined;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** A properties file the daemon cannot run with. The message is one line. @internal */
export class MultiLangConfigError extends KinesisKitError {
  constructor(
    source: string,
    readonly problems: readonly string[],
  ) {
    super('KT_CONFIG', `${source}: ${problems.join('; ')}`, { context: { source } });
  }
}

/** Properties key → our option, for integer keys; the inverse names KCL keys in our errors. */
export const INTEGER_KEYS = {
  failoverTimeMillis: 'failoverTimeMs',
  maxRecords: 'maxRecords',
  idleTimeBetweenReadsInMillis: 'idleTimeBetweenReadsMs',
  shutdownGraceMillis: 'shutdownGraceMs',
  maxLeasesForWorker: 'maxLeasesForWorker',
  maxLeasesToStealAtOneTime: 'maxLeasesToStealAtOneTime',
  shardSyncIntervalMillis: 'shardSyncIntervalMs',
  parentShardPollIntervalMillis: 'parentPollIntervalMs',
} as const satisfies Record<string, keyof MappedTunables>;

const STRING_KEYS = new Set([
  'executableName',
  'streamName',
  'streamArn',
  'applicationName',
  'tableName',
  'workerId',
  'regionName',
  'kinesisEndpoint',
  'dynamoDBEndpoint',
]);
const OTHER_KEYS = new Set([
  'initialPositionInStream',
  'initialPositionInStreamExtended',
  'callProcessRecordsEvenForEmptyRecordList',
  'retrievalMode',
  'consumerArn',
  'consumerName',
  'timeoutInSeconds',
]);

/** Options of {@link mapProperties}. @internal */
export interface MapPropertiesOptions {
  /** Names the file in error messages. */
  readonly source: string;
  /** False when the caller runs its own script per shard (the in-process `kcl().run()`). */
  readonly requireExecutable?: boolean;
}

/**
 * Validates and maps parsed properties.
 * @internal
 * @throws MultiLangConfigError listing every problem.
 */
export function mapProperties(
  entries: ReadonlyMap<string, PropertyEntry>,
  options: MapPropertiesOptions,
): MultiLangConfig {
  const problems: string[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const get = (key: string): string | undefined => {
    const value = entries.get(key)?.value.trim();
    return value === '' ? undefined : value;
  };
  const executableName = get('executableName');
  if (executableName === undefined && options.requireExecutable !== false) {
    problems.push('executableName is required (the command to run per shard)');
  }
  const streamName = get('streamName');
  const streamArn = get('streamArn');
  if (streamName === undefined && streamArn === undefined) {
    problems.push('streamName (or streamArn) is required');
  }
  const applicationName = get('applicationName');
  if (applicationName === undefined) {
    problems.push('applicationName is required (it names the lease table)');
  }
  const tunables: MappedTunables = {};
  for (const [key, field] of Object.entries(INTEGER_KEYS)) {
    const n = integer(key, get(key), problems);
    if (n !== undefined) tunables[field] = n;
  }
  const emptyList = get('callProcessRecordsEvenForEmptyRecordList');
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
  if (emptyList !== undefined) {
    tunables.callProcessRecordsEvenForEmptyRecordList = emptyList.toLowerCase() === 'true';
  }
  const timeout = integer('timeoutInSeconds', get('timeoutInSeconds'), problems);
  if (timeout === 0) problems.push('timeoutInSeconds must be a positive number of seconds');
  const initialPosition = mapInitialPosition(get, problems, notes);
  mapRetrievalMode(get, entries, tunables, notes, problems);
  for (const [key] of entries) {
    if (STRING_KEYS.has(key) || OTHER_KEYS.has(key) || key in INTEGER_KEYS) continue;
    if (key.toLowerCase().startsWith('awscredentialsprovider')) {
      notes.push(`${key} is ignored: the AWS SDK's default credential chain is used`);
      continue;
    }
    const reason = ignoredReason(key);
    if (reason !== undefined) notes.push(`${key} is ignored: ${reason}`);
    else warnings.push(`unknown property ${key} ignored`);
  }
  if (problems.length > 0) throw new MultiLangConfigError(options.source, problems);
  return {
    executable: executableName?.split(/ +/),
    streamName,
    streamArn,
    applicationName: applicationName ?? '',
    tableName: get('tableName'),
    workerId: get('workerId'),
    region: get('regionName'),
    kinesisEndpoint: endpoint(get('kinesisEndpoint')),
    dynamoDBEndpoint: endpoint(get('dynamoDBEndpoint')),
    initialPosition,
    tunables,
    childTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    notes,
    warnings,
  };
}

function integer(key: string, value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    problems.push(`${key} must be a non-negative integer, got "${value}"`);
    return undefined;
  }
  return Number(value);
}

function mapInitialPosition(
  get: (key: string) => string | undefined,
  problems: string[],
  notes: string[],
): InitialPosition {
  const position = get('initialPositionInStream')?.toUpperCase();
  const extended = get('initialPositionInStreamExtended');
  if (position !== undefined && !['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP'].includes(position)) {
    problems.push(
      `initialPositionInStream must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got "${get('initialPositionInStream') ?? ''}"`,
    );
    return 'LATEST';
  }
  if (extended !== undefined) {
    // Java's decoder reads epoch seconds.
    const seconds = Number(extended);
    if (!/^\d+(\.\d+)?$/.test(extended) || !Number.isFinite(seconds)) {
      problems.push(
        `initialPositionInStreamExtended must be a time in epoch seconds, got "${extended}"`,
      );
      return 'LATEST';
    }
    if (position !== undefined && position !== 'AT_TIMESTAMP') {
      notes.push(`initialPositionInStreamExtended wins over initialPositionInStream = ${position}`);
    }
    return { timestamp: new Date(seconds * 1000) };
  }
  if (position === 'AT_TIMESTAMP') {
    problems.push(
      'initialPositionInStream = AT_TIMESTAMP needs initialPositionInStreamExtended (epoch seconds)',
    );
    return 'LATEST';
  }
  return position === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST';
}

/** Properties that make the Java daemon's DEFAULT mode poll (RetrievalMode.decideForDefault). */
const POLLING_KEYS = [
  'maxRecords',
  'idleTimeBetweenReadsInMillis',
  'retryGetRecordsInSeconds',
  'maxGetRecordsThreadPool',
];

function mapRetrievalMode(
  get: (key: string) => string | undefined,
  entries: ReadonlyMap<string, PropertyEntry>,
  tunables: MappedTunables,
  notes: string[],
  problems: string[],
): void {
  const value = get('retrievalMode');
  const mode = (value ?? 'DEFAULT').toUpperCase();
  const fanOutKeys = ['consumerArn', 'consumerName'].filter((k) => get(k) !== undefined);
  if (mode === 'FANOUT') {
    tunables.retrieval = 'fanout';
    const consumerArn = get('consumerArn');
    const consumerName = get('consumerName');
    if (consumerArn !== undefined) tunables.consumerArn = consumerArn;
    if (consumerName !== undefined) tunables.consumerName = consumerName;
    return;
  }
  if (mode === 'DEFAULT') {
    if (!POLLING_KEYS.some((k) => entries.has(k))) {
      notes.push(
        'retrievalMode DEFAULT: the Java daemon would use enhanced fan-out here (no polling key is set); kinesis-kit polls unless retrievalMode = FANOUT',
      );
    }
  } else if (mode !== 'POLLING') {
    problems.push(`retrievalMode must be POLLING, FANOUT or DEFAULT, got "${value ?? ''}"`);
    return;
  }
  // As the Java daemon, which reads them only for fan-out.
  for (const key of fanOutKeys) notes.push(`${key} is ignored: retrievalMode is not FANOUT`);
}

/** The Java daemon takes a URI; a bare host:port gets https, as the SDK needs a scheme. */
function endpoint(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
}
