/** A one-line progress display on a terminal (nothing elsewhere), redrawn at most 10 times a second. */
import type { Output } from '../io.js';

export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly out: Output,
    private readonly enabled: boolean,
  ) {}

  update(text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.out.write(`\r\x1b[2K${text}`);
  }

  /** Clears the line, so the summary starts on a clean one. */
  done(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
