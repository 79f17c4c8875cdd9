/**
 * The daemon's end of a MultiLang conversation over in-memory streams: send actions, read what
 * the child wrote (raw text kept, to compare two child libraries byte for byte).
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';

export class LineDriver {
  /** The child's stdin, stdout and stderr. */
  readonly childIn = new PassThrough();
  readonly childOut = new PassThrough();
  readonly childErr = new PassThrough();
  /** Everything the child wrote to stdout / stderr. */
  raw = '';
  errText = '';
  private readonly queue: string[] = [];
  private waiter: (() => void) | undefined;

  constructor() {
    this.childOut.on('data', (chunk: Buffer) => (this.raw += chunk.toString()));
    this.childErr.on('data', (chunk: Buffer) => (this.errText += chunk.toString()));
    createInterface({ input: this.childOut }).on('line', (line) => {
      if (line === '') return;
      this.queue.push(line);
      this.waiter?.();
    });
  }

  send(message: Record<string, unknown>): void {
    this.childIn.write(`${JSON.stringify(message)}\n`);
  }

  /** The next non-blank line the child wrote, parsed. */
  async next(timeoutMs = 2000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (Date.now() > deadline) throw new Error(`no message from the child in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 20);
      });
    }
    return JSON.parse(this.queue.shift()!) as Record<string, unknown>;
  }

  /** True when the child has written nothing more within `ms`. */
  async quietFor(ms: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.queue.length === 0;
  }
}
