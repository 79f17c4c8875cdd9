/**
 * What a command may touch, injected so that tests run commands in-process with captured output
 * and a scripted stdin.
 */

/** An output stream: `process.stdout` or a test buffer. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The command's world. */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Lines or chunks of standard input. */
  readonly stdin: AsyncIterable<string | Buffer> & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long-running commands (tail, leases --watch) stop cleanly. */
  readonly signal: AbortSignal;
}

/** A test helper and the real one share this: collects what is written. */
export class BufferOutput implements Output {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}
