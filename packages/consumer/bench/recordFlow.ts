/**
 * Keeps records flowing into a stream while the fleet benchmarks kill, stop and split: every
 * tick writes one record to each sixteenth of the hash-key space (explicit hash keys), so every
 * shard, and after a split every child, receives records every tick.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@kinesis-kit/integration';
import { sleep } from './wait.js';

const SLICES = 16n;
const SLICE = 2n ** 128n / SLICES;

export class RecordFlow {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly kinesis = createKinesisClient();
  written = 0;
  failures = 0;

  constructor(
    private readonly streamName: string,
    private readonly tickMs = 100,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.kinesis.destroy();
  }

  private async run(): Promise<void> {
    for (let tick = 0; this.running; tick++) {
      const Records = Array.from({ length: Number(SLICES) }, (_, i) => ({
        PartitionKey: `slice-${i}`,
        ExplicitHashKey: (SLICE * BigInt(i) + SLICE / 2n).toString(),
        Data: Buffer.from(`${i}:${tick}`),
      }));
      try {
        const out = await this.kinesis.send(
          new PutRecordsCommand({ StreamName: this.streamName, Records }),
        );
        this.written += Records.length - (out.FailedRecordCount ?? 0);
        this.failures += out.FailedRecordCount ?? 0;
      } catch {
        // A reshard in progress may refuse writes for a moment; the next tick writes again.
        this.failures += Records.length;
      }
      await sleep(this.tickMs);
    }
  }
}
