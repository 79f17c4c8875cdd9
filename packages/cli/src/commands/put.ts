/**
 * `kinesis-kit put <stream> [data...]`: records from the arguments, or from stdin (one per line,
 * plain or JSON), through KinesisProducer (aggregation, batching, retries). Progress on stderr
 * when it is a terminal and the input is long; a summary on stdout.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { KinesisProducer } from '@kinesis-kit/producer';
import type { PutResult, UserRecordInput } from '@kinesis-kit/producer';
import { kinesisClient } from '../connection.js';
import { describeError } from '../errors.js';
import { InputError, parseInputRecord } from '../core/records.js';
import { formatDuration } from '../core/table.js';
import type { CliIo } from '../io.js';
import { describeStream, intOption, parseCommand, requirePositional } from './common.js';
import { Progress } from './progress.js';

const HELP = `Usage: kinesis-kit put <stream> [data...] [options]
       kinesis-kit produce <stream> [data...] [options]

Puts each argument as one record; without arguments, each line of stdin.
  --partition-key <key>   key of every record (default: a random key per record)
  --json                  each argument/line is JSON: {"partitionKey":"k","data":"text"|{...},
                          "dataBase64":"...","explicitHashKey":"..."}
  --no-aggregation        one Kinesis record per user record (default: KPL aggregation)
  --max-in-flight <n>     records read ahead of the acknowledgements (default 10000)
  --quiet                 no progress

Examples:
  kinesis-kit put events "hello" "world" --partition-key user-1
  seq 1 100000 | kinesis-kit put events
  kinesis-kit put events --json < records.jsonl`;

/** Shows progress only for inputs that take a while. */
const PROGRESS_AFTER_RECORDS = 1000;

/** @returns the exit code */
export async function runPut(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, connection } = parseCommand(
    args,
    {
      'partition-key': { type: 'string' },
      json: { type: 'boolean' },
      'no-aggregation': { type: 'boolean' },
      'max-in-flight': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    io.env,
  );
  if (values.help === true) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const streamName = requirePositional(positionals, 'the stream name');
  const inline = positionals.slice(1);
  const maxInFlight = Math.max(1, intOption(values['max-in-flight'], '--max-in-flight', 10_000));
  const format = { json: values.json === true, partitionKey: values['partition-key'] };

  const kinesis = kinesisClient(connection);
  const producer = new KinesisProducer({
    streamName,
    kinesisClient: kinesis,
    aggregationEnabled: values['no-aggregation'] !== true,
  });
  const started = Date.now();
  const stats = { read: 0, acked: 0, failed: 0, byShard: new Map<string, number>() };
  const errors: string[] = [];
  const results: { line: number; result: PutResult }[] = [];
  const progress = new Progress(io.stderr, values.quiet !== true && io.stderr.isTTY === true);
  let inFlight = 0;
  let room: (() => void) | undefined;
  const fail = (line: number, message: string): void => {
    stats.failed++;
    if (errors.length < 10) errors.push(`line ${line}: ${message}`);
  };

  try {
    await describeStream(kinesis, streamName, connection, io.signal);
    if (inline.length === 0 && io.stdin.isTTY === true) {
      io.stderr.write('reading records from stdin, one per line (Ctrl-D to finish)\n');
    }
    const lines: AsyncIterable<string> =
      inline.length > 0
        ? Readable.from(inline)
        : createInterface({ input: Readable.from(io.stdin), crlfDelay: Infinity });
    const pending = new Set<Promise<void>>();
    for await (const line of lines) {
      if (io.signal.aborted) break;
      if (inline.length === 0 && line.trim() === '') continue;
      const lineNo = ++stats.read;
      let record: UserRecordInput;
      try {
        record = parseInputRecord(line, lineNo, format, randomUUID);
      } catch (error) {
        fail(
          lineNo,
          error instanceof InputError ? error.message.replace(/^line \d+: /, '') : String(error),
        );
        continue;
      }
      inFlight++;
      const p = producer.put(record).then(
        (result) => {
          stats.acked++;
          stats.byShard.set(result.shardId, (stats.byShard.get(result.shardId) ?? 0) + 1);
          if (results.length < 10) results.push({ line: lineNo, result });
        },
        (error: unknown) => fail(lineNo, describeError(error, connection)),
      );
      const tracked = p.finally(() => {
        pending.delete(tracked);
        inFlight--;
        room?.();
      });
      pending.add(tracked);
      if (stats.read >= PROGRESS_AFTER_RECORDS || Date.now() - started > 1000) {
        progress.update(progressText(stats, inline.length || undefined, started));
      }
      // Backpressure: do not read the whole input into memory ahead of the stream.
      while (inFlight >= maxInFlight) {
        await new Promise<void>((resolve) => (room = resolve));
        room = undefined;
      }
    }
    const ticker = setInterval(() => progress.update(progressText(stats, undefined, started)), 200);
    await Promise.all(pending);
    clearInterval(ticker);
  } finally {
    progress.done();
    await producer.close().catch(() => undefined);
    kinesis.destroy();
  }

  const ms = Date.now() - started;
  const rate = ms > 0 ? Math.round((stats.acked * 1000) / ms) : stats.acked;
  if (stats.read <= 10) {
    for (const { line, result } of results.sort((a, b) => a.line - b.line)) {
      const sub = result.subSequenceNumber > 0 ? `/${result.subSequenceNumber}` : '';
      io.stdout.write(`#${line} → ${result.shardId} ${result.sequenceNumber}${sub}\n`);
    }
  }
  io.stdout.write(
    `put ${stats.read} records into ${streamName} in ${formatDuration(ms)} (${rate}/s): ` +
      `${stats.acked} acknowledged, ${stats.failed} failed\n`,
  );
  if (stats.byShard.size > 1) {
    const shards = [...stats.byShard.entries()].sort(([a], [b]) => a.localeCompare(b));
    io.stdout.write(`  by shard: ${shards.map(([s, n]) => `${s} ${n}`).join(', ')}\n`);
  }
  for (const e of errors) io.stderr.write(`  failed: ${e}\n`);
  if (stats.failed > errors.length)
    io.stderr.write(`  … and ${stats.failed - errors.length} more\n`);
  return stats.failed > 0 ? 1 : 0;
}

function progressText(
  s: { read: number; acked: number; failed: number },
  total: number | undefined,
  started: number,
): string {
  const secs = (Date.now() - started) / 1000;
  const rate = secs > 0 ? Math.round(s.acked / secs) : 0;
  const counts = `${s.read} read  ${s.acked} acknowledged  ${s.failed} failed  ${rate}/s`;
  if (total === undefined) return counts;
  const width = 24;
  const filled = Math.round((width * s.acked) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counts}`;
}
