/**
 * Tracks which records a flush() waits for: every record accepted before the call. Records are
 * counted in epochs; flush() closes the current epoch and resolves once it and all older epochs
 * have no unsettled records, so a caller who keeps producing cannot starve a flush.
 */

/** @internal */
export interface Epoch {
  outstanding: number;
}

interface FlushWaiter {
  readonly epoch: Epoch;
  readonly resolve: () => void;
}

/** @internal */
export class FlushTracker {
  private epochs: Epoch[] = [{ outstanding: 0 }];
  private waiters: FlushWaiter[] = [];

  /** The epoch a newly accepted record belongs to. */
  get current(): Epoch {
    return this.epochs[this.epochs.length - 1]!;
  }

  /** True while some flush() waits. */
  get flushing(): boolean {
    return this.waiters.length > 0;
  }

  /** Counts a new record in the current epoch and returns it. */
  enter(): Epoch {
    const epoch = this.current;
    epoch.outstanding += 1;
    return epoch;
  }

  /** `count` records of `epoch` settled. */
  leave(epoch: Epoch, count = 1): void {
    epoch.outstanding -= count;
    if (epoch.outstanding === 0 && this.waiters.length > 0) this.settle();
  }

  /** Resolves when every record accepted so far has settled. */
  wait(): Promise<void> {
    const epoch = this.current;
    if (this.epochs.every((e) => e.outstanding === 0)) return Promise.resolve();
    this.epochs.push({ outstanding: 0 });
    return new Promise((resolve) => this.waiters.push({ epoch, resolve }));
  }

  private settle(): void {
    // Drop finished epochs from the front; a waiter is done once its epoch is gone.
    while (this.epochs.length > 1 && this.epochs[0]!.outstanding === 0) this.epochs.shift();
    const oldest = this.epochs[0]!;
    const done = this.epochs.length === 1 && oldest.outstanding === 0;
    const live = new Set(this.epochs);
    const still: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (done || !live.has(w.epoch)) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
