/**
 * A long-running loop as an abortable task: `start()` runs `tick(signal)` until stopped, reports
 * errors and backs off; `stop()` aborts and *awaits* the loop, and concurrent `stop()` calls share
 * one promise (kafkajs style). A tick that returns a number asks to sleep that long before the
 * next one.
 */
import { computeBackoff } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { isAbortError } from './errors.js';

/** @public */
export interface TaskOptions {
  readonly name: string;
  /** One iteration. Return a delay in ms to wait before the next, or nothing to run again at once. */
  readonly tick: (signal: AbortSignal) => Promise<number | undefined>;
  /** Called with every error a tick throws (not for aborts). */
  readonly onError?: (error: unknown, consecutiveFailures: number) => void;
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  readonly random?: () => number;
}

/** @public */
export class Task {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: TaskOptions) {}

  get running(): boolean {
    return this.loop !== undefined && !this.controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    if (this.loop || this.controller.signal.aborted) return;
    this.loop = this.run();
  }

  /** Aborts the loop and waits until the iteration in flight has finished. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.controller.abort();
      await this.loop;
    })();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const { tick, onError, clock = systemClock, random = Math.random } = this.options;
    const backoff = this.options.backoff ?? { baseMs: 200, capMs: 10_000 };
    const signal = this.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const delay = await tick(signal);
        failures = 0;
        if (typeof delay === 'number' && delay > 0) await clock.sleep(delay, signal);
      } catch (error) {
        if (signal.aborted && isAbortError(error)) break;
        if (isAbortError(error) && signal.aborted) break;
        failures += 1;
        try {
          onError?.(error, failures);
        } catch {
          // A faulty error listener must not kill the loop.
        }
        try {
          await clock.sleep(computeBackoff(failures - 1, backoff, random), signal);
        } catch {
          break;
        }
      }
    }
  }
}
