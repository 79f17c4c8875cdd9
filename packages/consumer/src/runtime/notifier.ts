/**
 * A wake-up signal between two loops of one shard (prefetcher and processor): `wait(signal)`
 * resolves at the next `notify()` and rejects with an AbortError when `signal` aborts, so a
 * stopped worker never hangs on an empty queue. Callers re-check their condition after waking.
 */
import { AbortError } from '@kinesis-kit/common';

/** @internal */
export class Notifier {
  private waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new AbortError());
        return;
      }
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(new AbortError());
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
