/**
 * The demo's terminal output. On a TTY a status block (shards, producer, workers) is redrawn in
 * place with ANSI escapes and the event log scrolls above it; elsewhere (CI, a pipe) events are
 * plain lines and the status is one progress line every few seconds.
 */
import type { ShardRow } from './monitor.js';

/** Everything one frame shows. */
export interface Frame {
  readonly elapsedMs: number;
  readonly phase: string;
  readonly rows: readonly ShardRow[];
  readonly producer: {
    readonly acked: number;
    readonly perSecond: number;
    readonly throttled: number;
    readonly buffered: number;
    readonly failed: number;
  };
  readonly consumed: { readonly unique: number; readonly deliveries: number };
  readonly workers: readonly {
    readonly id: string;
    readonly state: string;
    readonly leases: number;
  }[];
}

const ESC = '\x1b[';

/** The status block's lines (no colours, so it reads the same in a log). */
export function renderFrame(f: Frame): string[] {
  const head = [
    pad('shard', 21),
    pad('state', 7),
    pad('parents → children', 26),
    pad('owner', 6),
    pad('checkpoint', 14),
    pad('ctr', 4),
    padL('rec/s', 6),
    padL('lag', 6),
    padL('behind', 8),
  ].join(' ');
  const lines = [
    `kinesis-kit demo  ${seconds(f.elapsedMs)}  ${f.phase}`,
    head,
    ...f.rows.map((r) =>
      [
        pad(r.shardId, 21),
        pad(r.open ? 'open' : 'closed', 7),
        pad(family(r), 26),
        pad(r.owner ?? '-', 6),
        pad(r.checkpoint, 14),
        pad(r.counter === undefined ? '-' : String(r.counter), 4),
        padL(r.recordsPerSecond.toFixed(0), 6),
        padL(String(r.lagRecords), 6),
        padL(r.millisBehindLatest === undefined ? '-' : `${r.millisBehindLatest}ms`, 8),
      ].join(' '),
    ),
    `producer  acked ${f.producer.acked}  ${f.producer.perSecond.toFixed(0)} rec/s  throttled entries ${f.producer.throttled}  buffered ${f.producer.buffered}  failed ${f.producer.failed}`,
    `consumed  unique ${f.consumed.unique}  deliveries ${f.consumed.deliveries}`,
    `workers   ${f.workers.map((w) => `${w.id} ${w.state} (${w.leases} leases)`).join('  ')}`,
  ];
  return lines;
}

/** One progress line for a non-TTY. */
export function renderProgressLine(f: Frame): string {
  const open = f.rows.filter((r) => r.open).length;
  const lag = f.rows.reduce((sum, r) => sum + r.lagRecords, 0);
  const owners = f.rows
    .filter((r) => r.open)
    .map((r) => `${r.shardId.slice(-3)}:${r.owner ?? '-'}`)
    .join(' ');
  return (
    `[${seconds(f.elapsedMs)}] produced ${f.producer.acked} (${f.producer.perSecond.toFixed(0)}/s, ` +
    `${f.producer.throttled} throttled, ${f.producer.buffered} buffered) consumed ${f.consumed.unique} ` +
    `unique / ${f.consumed.deliveries} deliveries, lag ${lag}; ${open} open shards ${owners}; ` +
    `workers ${f.workers.map((w) => `${w.id}:${w.state}`).join(' ')}`
  );
}

/** Writes events and frames to a stream, in place on a TTY. */
export class Screen {
  private drawn = 0;
  private lastProgress = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty: boolean,
    private readonly progressEveryMs = 5000,
  ) {
    if (tty) out.write(`${ESC}?25l`);
  }

  /** A line that stays (an event, a heading). */
  log(line: string): void {
    if (this.tty) {
      this.clearFrame();
      this.out.write(`${line}\n`);
    } else {
      this.out.write(`${line}\n`);
    }
  }

  frame(f: Frame): void {
    if (this.tty) {
      this.clearFrame();
      const lines = renderFrame(f);
      const width = this.out.columns > 0 ? this.out.columns : 120;
      this.out.write(lines.map((l) => l.slice(0, width - 1)).join('\n') + '\n');
      this.drawn = lines.length;
    } else if (f.elapsedMs - this.lastProgress >= this.progressEveryMs) {
      this.lastProgress = f.elapsedMs;
      this.out.write(`${renderProgressLine(f)}\n`);
    }
  }

  /** Leaves the last frame on screen and gives the cursor back. */
  close(last?: Frame): void {
    if (!this.tty) {
      if (last !== undefined) for (const l of renderFrame(last)) this.out.write(`${l}\n`);
      return;
    }
    if (last !== undefined) this.frame(last);
    this.drawn = 0;
    this.out.write(`${ESC}?25h`);
  }

  private clearFrame(): void {
    if (this.drawn > 0) this.out.write(`${ESC}${this.drawn}F${ESC}J`);
    this.drawn = 0;
  }
}

function family(r: ShardRow): string {
  const short = (ids: readonly string[]): string => ids.map((id) => id.slice(-3)).join(',');
  if (r.parents.length === 0 && r.children.length === 0) return '-';
  return `${r.parents.length > 0 ? short(r.parents) : '-'} → ${r.children.length > 0 ? short(r.children) : '-'}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(5)}s`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

function padL(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
