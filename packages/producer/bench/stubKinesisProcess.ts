/**
 * Runs the benchmark's stub Kinesis endpoint (stubKinesisServer.ts) in a child process of its
 * own, so its work (reading and parsing every PutRecords body) is neither CPU nor memory of the
 * producer process the load benchmarks measure: in AWS that work happens on the service's side.
 */
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { StubKinesis } from './stubKinesisServer.js';

/** Starts the stub in a child process; resolves with its endpoint. */
export async function startStubKinesisProcess(
  streamName: string,
  shardCount: number,
): Promise<StubKinesis> {
  const child = fork(__filename, ['--child', streamName, String(shardCount)], {
    execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(m as string));
    child.once('exit', (code) => reject(new Error(`stub Kinesis exited with ${String(code)}`)));
  });
  return {
    endpoint,
    streamName,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

if (process.argv[2] === '--child') {
  void (async () => {
    const { startStubKinesis } = await import('./stubKinesisServer.js');
    const stub = await startStubKinesis(process.argv[3]!, Number(process.argv[4]));
    process.send?.(stub.endpoint);
  })();
}
