/**
 * Printing helpers: aligned tables and a summary of every figure against its target, so the
 * output can be pasted into README.bench.md as it is.
 */
import { loadLine } from './config.js';

export interface SummaryRow {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  readonly baseline: string;
  readonly verdict: 'met' | 'MISSED' | 'info';
}

const summary: SummaryRow[] = [];

/** Records a figure for the final summary table. */
export function addSummary(row: SummaryRow): void {
  summary.push(row);
}

export function summaryRows(): readonly SummaryRow[] {
  return summary;
}

export function section(title: string): void {
  console.log(`\n## ${title}  (${loadLine()})\n`);
}

export function note(text: string): void {
  console.log(text);
}

/** Prints rows as a Markdown table (columns from the first row's keys). */
export function table(rows: readonly Readonly<Record<string, string | number>>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((r) => keys.map((k) => String(r[k] ?? '')));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]): string =>
    `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(keys));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const c of cells) console.log(line(c));
  console.log('');
}

export function ms(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function printSummary(): void {
  section('Summary');
  table(
    summary.map((r) => ({
      figure: r.figure,
      measured: r.measured,
      target: r.target,
      baseline: r.baseline,
      verdict: r.verdict,
    })),
  );
}
