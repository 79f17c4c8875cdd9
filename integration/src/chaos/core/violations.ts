/**
 * The rules the checker enforces and how their violations are collected: a count per rule and a
 * few samples for the message, so a broken run of 100 000 records still prints a short report.
 */

/** One rule of the history checker. @public */
export type ChaosRule =
  /** An acknowledged record was never delivered. */
  | 'lost'
  /** Per partition key, a record was first delivered after one acknowledged later. */
  | 'order'
  /** Per partition key, the stream order differs from the put order (preserveOrder). */
  | 'producer-order'
  /** A shard's checkpoint moved backwards. */
  | 'checkpoint-backwards'
  /** A worker wrote a checkpoint after another worker had taken the lease. */
  | 'stale-checkpoint'
  /** Two workers processed one shard concurrently for longer than the failover time. */
  | 'overlap'
  /** A record delivered again without a lease handover, or at/below a written checkpoint. */
  | 'unexplained-duplicate';

/** Every rule, in the order the report prints them. @public */
export const CHAOS_RULES: readonly ChaosRule[] = [
  'lost',
  'order',
  'producer-order',
  'checkpoint-backwards',
  'stale-checkpoint',
  'overlap',
  'unexplained-duplicate',
];

/** The violations of one rule. @public */
export interface RuleViolations {
  readonly rule: ChaosRule;
  readonly count: number;
  /** At most {@link SAMPLES} messages. */
  readonly samples: readonly string[];
}

const SAMPLES = 5;

/** Collects violations per rule. @internal */
export class ViolationLog {
  private readonly counts = new Map<ChaosRule, number>();
  private readonly samples = new Map<ChaosRule, string[]>();

  add(rule: ChaosRule, message: string): void {
    this.counts.set(rule, (this.counts.get(rule) ?? 0) + 1);
    const samples = this.samples.get(rule) ?? [];
    if (samples.length < SAMPLES) samples.push(message);
    this.samples.set(rule, samples);
  }

  count(rule: ChaosRule): number {
    return this.counts.get(rule) ?? 0;
  }

  /** Every rule, violated or not, in report order. */
  list(): RuleViolations[] {
    return CHAOS_RULES.map((rule) => ({
      rule,
      count: this.count(rule),
      samples: this.samples.get(rule) ?? [],
    }));
  }
}
