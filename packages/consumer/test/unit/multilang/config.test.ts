import { MultiLangConfigError, mapProperties } from '../../../src/multilang/config.js';
import type { MultiLangConfig } from '../../../src/multilang/config.js';
import { parseProperties } from '../../../src/multilang/properties.js';

const BASE = [
  'executableName = node  sample_kcl_app.js --flag',
  'streamName = orders',
  'applicationName = order-indexer',
];

function map(lines: readonly string[], requireExecutable = true): MultiLangConfig {
  return mapProperties(parseProperties(lines.join('\n')), {
    source: 'app.properties',
    requireExecutable,
  });
}

function problems(lines: readonly string[]): string {
  try {
    map(lines);
  } catch (error) {
    expect(error).toBeInstanceOf(MultiLangConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a MultiLangConfigError');
}

describe('mapProperties', () => {
  it('maps the required keys and splits executableName on runs of spaces', () => {
    const config = map(BASE);
    expect(config).toMatchObject({
      executable: ['node', 'sample_kcl_app.js', '--flag'],
      streamName: 'orders',
      applicationName: 'order-indexer',
      initialPosition: 'LATEST',
      childTimeoutMs: undefined,
    });
  });

  it('maps every supported KCL key to the consumer options', () => {
    const config = map([
      ...BASE,
      'streamArn = arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
      'tableName = leases',
      'workerId = worker-1',
      'regionName = eu-west-1',
      'kinesisEndpoint = http://localhost:4567',
      'dynamoDBEndpoint = localhost:8000',
      'initialPositionInStream = trim_horizon',
      'failoverTimeMillis = 20000',
      'maxRecords = 500',
      'idleTimeBetweenReadsInMillis = 250',
      'callProcessRecordsEvenForEmptyRecordList = TRUE',
      'shutdownGraceMillis = 5000',
      'maxLeasesForWorker = 7',
      'maxLeasesToStealAtOneTime = 2',
      'shardSyncIntervalMillis = 30000',
      'parentShardPollIntervalMillis = 1000',
      'timeoutInSeconds = 3',
      'retrievalMode = POLLING',
    ]);
    expect(config).toMatchObject({
      streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
      tableName: 'leases',
      workerId: 'worker-1',
      region: 'eu-west-1',
      kinesisEndpoint: 'http://localhost:4567',
      dynamoDBEndpoint: 'https://localhost:8000',
      initialPosition: 'TRIM_HORIZON',
      childTimeoutMs: 3000,
      tunables: {
        failoverTimeMs: 20000,
        maxRecords: 500,
        idleTimeBetweenReadsMs: 250,
        callProcessRecordsEvenForEmptyRecordList: true,
        shutdownGraceMs: 5000,
        maxLeasesForWorker: 7,
        maxLeasesToStealAtOneTime: 2,
        shardSyncIntervalMs: 30000,
        parentPollIntervalMs: 1000,
      },
    });
    expect(config.warnings).toEqual([]);
  });

  it('reads callProcessRecordsEvenForEmptyRecordList as Java’s Boolean.parseBoolean', () => {
    expect(map([...BASE, 'callProcessRecordsEvenForEmptyRecordList = yes']).tunables).toEqual({
      callProcessRecordsEvenForEmptyRecordList: false,
    });
  });

  it('takes initialPositionInStreamExtended as AT_TIMESTAMP in epoch seconds', () => {
    const config = map([...BASE, 'initialPositionInStreamExtended = 1700000000']);
    expect(config.initialPosition).toEqual({ timestamp: new Date(1_700_000_000_000) });
  });

  it('lists every missing required key in one line', () => {
    const message = problems(['# nothing here']);
    expect(message).toBe(
      'app.properties: executableName is required (the command to run per shard); ' +
        'streamName (or streamArn) is required; applicationName is required (it names the lease table)',
    );
  });

  it('needs no executableName when the caller runs its own script', () => {
    expect(map(BASE.slice(1), false).executable).toBeUndefined();
  });

  it.each([
    [
      'initialPositionInStream = BEGINNING',
      'initialPositionInStream must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got "BEGINNING"',
    ],
    [
      'initialPositionInStream = AT_TIMESTAMP',
      'initialPositionInStream = AT_TIMESTAMP needs initialPositionInStreamExtended',
    ],
    [
      'initialPositionInStreamExtended = yesterday',
      'initialPositionInStreamExtended must be a time in epoch seconds',
    ],
    ['failoverTimeMillis = 10s', 'failoverTimeMillis must be a non-negative integer, got "10s"'],
    ['maxRecords = -1', 'maxRecords must be a non-negative integer'],
    ['timeoutInSeconds = 0', 'timeoutInSeconds must be a positive number of seconds'],
    ['retrievalMode = PUSH', 'retrievalMode must be POLLING, FANOUT or DEFAULT'],
  ])('rejects %s', (line, message) => {
    expect(problems([...BASE, line])).toContain(message);
  });

  it('maps FANOUT to enhanced fan-out, with consumerName and consumerArn', () => {
    const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1';
    const plain = map([...BASE, 'retrievalMode = FANOUT']);
    const named = map([
      ...BASE,
      'retrievalMode = fanout',
      'consumerName = c',
      `consumerArn = ${arn}`,
    ]);

    expect(plain.warnings).toEqual([]);
    expect(plain.tunables).toEqual({ retrieval: 'fanout' });
    expect(named.tunables).toEqual({ retrieval: 'fanout', consumerName: 'c', consumerArn: arn });
    expect(named.notes.join('\n')).not.toContain('consumer');
  });

  it('ignores consumerName and consumerArn with a note unless FANOUT, as the Java daemon', () => {
    const config = map([...BASE, 'retrievalMode = POLLING', 'consumerName = c']);

    expect(config.tunables).toEqual({});
    expect(config.notes).toContain('consumerName is ignored: retrievalMode is not FANOUT');
  });

  it('notes that DEFAULT would be fan-out in Java unless a polling key is set', () => {
    expect(map(BASE).notes.join('\n')).toContain('retrievalMode DEFAULT');
    expect(map([...BASE, 'idleTimeBetweenReadsInMillis = 250']).notes.join('\n')).not.toContain(
      'retrievalMode DEFAULT',
    );
  });

  it('notes known KCL keys it does not use and warns about unknown ones', () => {
    const config = map([
      ...BASE,
      'idleTimeBetweenReadsInMillis = 250',
      'AWSCredentialsProvider = DefaultAWSCredentialsProviderChain',
      'processingLanguage = nodejs/0.10',
      'clientVersionConfig = CLIENT_VERSION_CONFIG_3X',
      'coordinatorStateTableName = x',
      'metricsLevel = NONE',
      'failoverTimeMilis = 1000',
    ]);
    expect(config.notes).toEqual([
      "AWSCredentialsProvider is ignored: the AWS SDK's default credential chain is used",
      'processingLanguage is ignored: only a user-agent suffix in the Java daemon',
      expect.stringContaining(
        'clientVersionConfig is ignored: kinesis-kit workers take leases themselves',
      ),
      expect.stringContaining(
        'coordinatorStateTableName is ignored: kinesis-kit workers take leases',
      ),
      'metricsLevel is ignored: the daemon publishes no CloudWatch metrics',
    ]);
    expect(config.warnings).toEqual(['unknown property failoverTimeMilis ignored']);
  });

  it('trims values, as a trailing blank in the file is invisible to users', () => {
    expect(map([...BASE, 'maxRecords = 100   ']).tunables.maxRecords).toBe(100);
  });
});
