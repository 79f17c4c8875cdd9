/**
 * aws-kcl's checkpointer, byte-compatible: `checkpoint(cb)` sends `"sequenceNumber":null`,
 * `checkpoint(seq, cb)` sends `seq` (omitted when undefined, as JSON.stringify does there), one
 * request in flight at a time, and the same error string for a second one. Extensions that old
 * callers never reach: `checkpoint(seq, subSeq, cb)` and, without a callback, a promise.
 */
import type { KclCheckpointCallback, KclCheckpointer } from './types.js';

/** aws-kcl's exact message for a checkpoint while one is pending. @internal */
export const CHECKPOINT_IN_PROGRESS =
  'Cannot checkpoint while another checkpoint is already in progress.';

type Send = (message: Record<string, unknown>) => void;

/** An error carrying a checkpoint error string, for the promise form. @public */
export class KclCheckpointError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'KclCheckpointError';
  }
}

/** @internal */
export class ProtocolCheckpointer implements KclCheckpointer {
  private callback: KclCheckpointCallback | undefined;

  constructor(private readonly send: Send) {}

  checkpoint(callback: KclCheckpointCallback): void;
  checkpoint(sequenceNumber: string | null | undefined, callback: KclCheckpointCallback): void;
  checkpoint(
    sequenceNumber: string,
    subSequenceNumber: number,
    callback: KclCheckpointCallback,
  ): void;
  checkpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<string | null>;
  checkpoint(a?: unknown, b?: unknown, c?: unknown): void | Promise<string | null> {
    if (typeof a === 'function') return this.request(null, undefined, a as KclCheckpointCallback);
    if (typeof c === 'function') return this.request(a, b, c as KclCheckpointCallback);
    if (typeof b === 'function') return this.request(a, undefined, b as KclCheckpointCallback);
    return new Promise((resolve, reject) => {
      this.request(a ?? null, typeof b === 'number' ? b : undefined, (err, seq) => {
        if (err) reject(new KclCheckpointError(err));
        else resolve(seq ?? null);
      });
    });
  }

  /** The daemon answered the pending checkpoint. */
  onResponse(error: string | null | undefined, sequenceNumber: string | null | undefined): void {
    const callback = this.callback;
    this.callback = undefined;
    callback?.(error, sequenceNumber);
  }

  private request(sequenceNumber: unknown, sub: unknown, callback: KclCheckpointCallback): void {
    if (this.callback !== undefined) {
      callback(CHECKPOINT_IN_PROGRESS);
      return;
    }
    this.callback = callback;
    this.send({
      action: 'checkpoint',
      sequenceNumber,
      ...(typeof sub === 'number' && { subSequenceNumber: sub }),
    });
  }
}
