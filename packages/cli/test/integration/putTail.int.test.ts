/**
 * `put` and `tail` against the emulators: stdin lines and JSON lines go through the producer
 * (aggregated), tail prints them deaggregated, follows child shards after a split, and a missing
 * stream is one line on stderr.
 */
import {
  createTestStream,
  deleteStream,
  destroySharedClients,
  splitShardAndWait,
} from '@kinesis-kit/integration';
import { jsonLines, runCli } from '../support/runCli.js';

interface TailJson {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  aggregated: boolean;
  partitionKey: string;
  data?: string;
  dataBase64?: string;
}

describe('kinesis-kit put and tail', () => {
  const streams: string[] = [];
  afterAll(async () => {
    await Promise.all(streams.map((s) => deleteStream(s).catch(() => undefined)));
    destroySharedClients();
  });

  it('puts stdin lines through the producer and tail prints them deaggregated', async () => {
    // Prepare
    const { streamName } = await createTestStream(2);
    streams.push(streamName);
    const lines = Array.from({ length: 300 }, (_, i) => `line-${i}`);
    // Act
    const put = await runCli(['put', streamName], { stdin: lines });
    const tail = await runCli([
      'tail',
      streamName,
      '--from',
      'TRIM_HORIZON',
      '--until-tip',
      '--json',
    ]);
    // Assess
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/put 300 records into .*: 300 acknowledged, 0 failed/);
    expect(tail.code).toBe(0);
    const records = jsonLines<TailJson>(tail.stdout);
    expect(records.map((r) => r.data).sort()).toEqual([...lines].sort());
    // The producer aggregated them: sub-records share a sequence number.
    expect(records.some((r) => r.aggregated && r.subSequenceNumber > 0)).toBe(true);
    expect(new Set(records.map((r) => r.shardId)).size).toBe(2);
  });

  it('puts JSON lines with their keys, reports bad lines, and tail --shard/--max limit the output', async () => {
    const { streamName } = await createTestStream(1);
    streams.push(streamName);
    const put = await runCli(['put', streamName, '--json'], {
      stdin: [
        '{"partitionKey":"user-1","data":"plain text"}',
        '{"partitionKey":"user-2","data":{"n":2}}',
        'not json',
        '{"partitionKey":"user-3","dataBase64":"AAEC"}',
      ],
    });
    expect(put.code).toBe(1);
    expect(put.stdout).toContain('3 acknowledged, 1 failed');
    expect(put.stderr).toContain('line 3: not JSON');

    const tail = await runCli([
      'tail',
      streamName,
      '--from',
      'TRIM_HORIZON',
      '--shard',
      'shardId-000000000000',
      '--max',
      '3',
      '--json',
    ]);
    const records = jsonLines<TailJson>(tail.stdout);
    expect(records.map((r) => [r.partitionKey, r.data ?? r.dataBase64])).toEqual([
      ['user-1', 'plain text'],
      ['user-2', '{"n":2}'],
      ['user-3', 'AAEC'],
    ]);
  });

  it('puts arguments and follows the children of a split shard, parent first', async () => {
    const { streamName } = await createTestStream(1);
    streams.push(streamName);
    const before = Array.from({ length: 20 }, (_, i) => `a${i}`);
    const after = Array.from({ length: 20 }, (_, i) => `b${i}`);
    expect((await runCli(['put', streamName, ...before, '--partition-key', 'k'])).code).toBe(0);
    await splitShardAndWait(streamName, 'shardId-000000000000');
    expect((await runCli(['put', streamName, ...after, '--partition-key', 'k'])).code).toBe(0);

    const tail = await runCli([
      'tail',
      streamName,
      '--from',
      'TRIM_HORIZON',
      '--until-tip',
      '--json',
    ]);

    const records = jsonLines<TailJson>(tail.stdout);
    expect(records.map((r) => r.data)).toEqual([...before, ...after]);
    expect(records[0]!.shardId).toBe('shardId-000000000000');
    expect(records.at(-1)!.shardId).not.toBe('shardId-000000000000');
  });

  it('starts at a timestamp', async () => {
    const { streamName } = await createTestStream(1);
    streams.push(streamName);
    expect((await runCli(['put', streamName, 'old-1', 'old-2'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const from = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 200));
    expect((await runCli(['put', streamName, 'new-1', 'new-2'])).code).toBe(0);

    const tail = await runCli(['tail', streamName, '--from', from, '--until-tip']);

    const data = tail.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').at(-1));
    expect(data).toEqual(['new-1', 'new-2']);
  });

  it.each([
    ['put', ['put', 'no-such-stream', 'x']],
    ['tail', ['tail', 'no-such-stream']],
  ])('%s on a missing stream prints one line and exits 1', async (_, args) => {
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `kinesis-kit ${args[0]}: stream "no-such-stream" not found at ${process.env.KINESIS_ENDPOINT}\n`,
    );
  });
});
