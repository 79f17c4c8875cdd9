/** Starts staticKinesisServer.ts as a child process and stops it again. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface StaticKinesis {
  readonly endpoint: string;
  readonly kinesisRecords: number;
  /** Forgets every shard's past reads (real-shard mode), so a run starts unthrottled. */
  resetReadLimits(): Promise<void>;
  stop(): Promise<void>;
}

const TSX_CLI = join(__dirname, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

export async function startStaticKinesis(options: {
  readonly shards: number;
  readonly records: number;
  readonly aggregated: boolean;
  readonly recordBytes: number;
  readonly maxResponseBytes: number;
  /** Read limits of a real shard (shardLimits.ts). */
  readonly shardLimits?: boolean;
}): Promise<StaticKinesis> {
  const child = spawn(process.execPath, [TSX_CLI, join(__dirname, 'staticKinesisServer.ts')], {
    env: {
      ...process.env,
      STATIC_SHARDS: String(options.shards),
      STATIC_RECORDS: String(options.records),
      STATIC_AGGREGATED: options.aggregated ? '1' : '0',
      STATIC_RECORD_BYTES: String(options.recordBytes),
      STATIC_MAX_RESPONSE_BYTES: String(options.maxResponseBytes),
      STATIC_SHARD_LIMITS: options.shardLimits === true ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`static Kinesis server exited (${code})`)));
  });
  const { port, kinesisRecords } = JSON.parse(line) as { port: number; kinesisRecords: number };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    kinesisRecords,
    resetReadLimits: async () => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Kinesis_20131202.ResetReadLimits',
        },
        body: '{}',
      });
      if (!response.ok) throw new Error(`ResetReadLimits: HTTP ${response.status}`);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
