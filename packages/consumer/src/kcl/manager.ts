/**
 * The child side of the MultiLang protocol, as aws-kcl's `KCLManager`: reads one JSON action per
 * line, calls the processor method with `this` bound and `(input, completeCallback)`, and writes
 * `"\n" + json + "\n"` for each status and checkpoint request. Differences, none visible to a
 * correct processor: a line that is not JSON is reported on the error stream instead of
 * crashing, a second `completeCallback` call is ignored instead of sending a second status, and
 * a full output buffer is not treated as fatal.
 */
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { format } from 'node:util';
import { ProtocolCheckpointer } from './checkpointer.js';
import type { KclCompleteCallback, KclRecordProcessor } from './types.js';

type Method = (this: KclRecordProcessor, input: unknown, done: KclCompleteCallback) => unknown;

/** @internal */
export interface KclManagerOptions {
  readonly processor: KclRecordProcessor;
  /** V1 when the processor has `shutdown` (it wins, as in aws-kcl). */
  readonly version: 1 | 2;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly error: NodeJS.WritableStream;
  /** A processor's promise rejected (async extension): the default reports it and exits. */
  readonly onFatal: (error: unknown) => void;
}

/** @internal */
export class KclManager {
  private readonly checkpointer: ProtocolCheckpointer;
  private lines: Interface | undefined;

  constructor(private readonly o: KclManagerOptions) {
    this.checkpointer = new ProtocolCheckpointer((m) => this.send(m));
  }

  /** Starts reading actions; idempotent. */
  run(): void {
    if (this.lines !== undefined) return;
    this.lines = createInterface({ input: this.o.input, crlfDelay: Infinity });
    this.lines.on('line', (line) => this.onLine(line));
    // Input closed (the daemon is done with this shard): stop listening so the process can exit.
    this.lines.on('close', () => this.cleanup());
  }

  /** Stops reading actions. */
  cleanup(): void {
    const lines = this.lines;
    if (lines === undefined) return;
    lines.removeAllListeners('line');
    lines.close();
  }

  private onLine(line: string): void {
    if (line === '') return;
    let action: Record<string, unknown> | undefined;
    try {
      action = JSON.parse(line) as Record<string, unknown> | undefined;
    } catch {
      action = undefined;
    }
    if (typeof action !== 'object' || action === null || !action.action) {
      this.writeError(format('Invalid action received: %s', line));
      return;
    }
    this.dispatch(action);
  }

  private dispatch(action: Record<string, unknown>): void {
    const { processor, version } = this.o;
    const input = withoutAction(action);
    switch (action.action) {
      case 'initialize':
        this.call('initialize', method(processor, 'initialize'), input);
        return;
      case 'processRecords':
        this.call('processRecords', method(processor, 'processRecords'), {
          ...input,
          checkpointer: this.checkpointer,
        });
        return;
      case 'leaseLost':
        if (version === 1)
          this.call('leaseLost', method(processor, 'shutdown'), { ...input, reason: 'ZOMBIE' });
        else this.call('leaseLost', method(processor, 'leaseLost'), input);
        return;
      case 'shardEnded': {
        const withCheckpointer = { ...input, checkpointer: this.checkpointer };
        if (version === 1) {
          this.call('shardEnded', method(processor, 'shutdown'), {
            ...withCheckpointer,
            reason: 'TERMINATE',
          });
        } else {
          this.call('shardEnded', method(processor, 'shardEnded'), withCheckpointer);
        }
        return;
      }
      case 'shutdownRequested':
        if (typeof processor.shutdownRequested === 'function') {
          this.call('shutdownRequested', method(processor, 'shutdownRequested'), {
            ...input,
            checkpointer: this.checkpointer,
          });
        } else {
          this.sendStatus('shutdownRequested');
        }
        return;
      case 'checkpoint':
        this.checkpointer.onResponse(
          action.error as string | null | undefined,
          action.sequenceNumber as string | null | undefined,
        );
        return;
      default:
        this.writeError(format('Invalid action received: %j', action));
    }
  }

  private call(responseFor: string, method: Method, input: unknown): void {
    let completed = false;
    const done: KclCompleteCallback = () => {
      if (completed) return;
      completed = true;
      this.sendStatus(responseFor);
    };
    const result = method.call(this.o.processor, input, done);
    // Extension: `async processRecords(input)` (no callback parameter) completes on resolution.
    if (method.length < 2 && isThenable(result)) {
      result.then(done, (error: unknown) => {
        this.writeError(format('Record processor %s failed: %s', responseFor, stackOf(error)));
        this.o.onFatal(error);
      });
    }
  }

  private sendStatus(responseFor: string): void {
    this.send({ action: 'status', responseFor });
  }

  private send(message: Record<string, unknown>): void {
    this.o.output.write(format('\n%s\n', JSON.stringify(message)), 'utf8');
  }

  private writeError(text: string): void {
    this.o.error.write(format('%s\n', text));
  }
}

/** The processor's method by name; it is called with `this` bound (aws-kcl's `apply`). */
function method(processor: KclRecordProcessor, name: keyof KclRecordProcessor): Method {
  return Reflect.get(processor, name) as Method;
}

function withoutAction(action: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(action)) if (key !== 'action') input[key] = action[key];
  return input;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
