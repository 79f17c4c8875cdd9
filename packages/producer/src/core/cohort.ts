/**
 * The put() promises of the user records that went into one aggregate. Their Kinesis record
 * succeeds or fails as a whole, so they nearly always settle together; a cohort gives them one
 * promise (the gate) and each put() a `gate.then(deliver)`, instead of a promise of its own with
 * its two resolving functions and their context.
 *
 * Why: that per-record promise was the largest allocation on the put() path (about 220 of its
 * 620 bytes) and a third of what a buffered record keeps alive through scavenges. A `then()` on
 * the gate is one reaction and one promise (about 90 bytes), and needs no executor call.
 *
 * How a member finds its outcome: reactions of one promise run in the order they were added
 * (ECMA-262 TriggerPromiseReactions), and members add theirs in the order they join, so the
 * k-th `deliver` call of a cohort is for member k. The gate opens once the cohort is sealed (its
 * aggregate took its last record) and every member has an outcome. A member that settles early
 * (a record routed again after a reshard, say) waits for the rest: its promise still settles
 * only once its record is in the stream or has failed, just later.
 */
import type { PutResult } from './records.js';

/** A failed member's outcome: `deliver` throws its error, rejecting that put() alone. */
class Rejection {
  constructor(readonly error: Error) {}
}

/** Shared placeholder until a cohort's outcomes array is made (see seal). */
const EMPTY: (PutResult | Rejection | undefined)[] = [];

/** @internal */
export class Cohort {
  /** Members so far; a member's index is its position in the gate's reactions. */
  size = 0;
  private unsettled = 0;
  private sealed = false;
  /** Outcome by member index, read in order by `deliver`. */
  outcomes: (PutResult | Rejection | undefined)[] = EMPTY;
  /** The next member `deliver` serves. */
  cursor = 0;
  private readonly gate: Promise<Cohort>;
  private open: ((cohort: Cohort) => void) | undefined;

  constructor() {
    this.gate = new Promise<Cohort>(captureOpen);
    this.open = capturedOpen;
  }

  /** Adds a member; returns its index. Call `promise()` for it next, before anyone else joins. */
  join(): number {
    this.unsettled += 1;
    return this.size++;
  }

  /** The put() promise of the member that joined last. */
  promise(): Promise<PutResult> {
    return this.gate.then(deliver);
  }

  /** No more members (the aggregate was sealed): the gate opens once all have settled. */
  seal(): void {
    this.sealed = true;
    // Members settle after their aggregate is sealed (sent) as a rule: size the array once.
    if (this.outcomes === EMPTY) this.outcomes = new Array<PutResult | undefined>(this.size);
    if (this.unsettled === 0) this.release();
  }

  resolve(member: number, result: PutResult): void {
    this.settle(member, result);
  }

  reject(member: number, error: Error): void {
    this.settle(member, new Rejection(error));
  }

  private settle(member: number, outcome: PutResult | Rejection): void {
    if (this.outcomes === EMPTY) this.outcomes = [];
    this.outcomes[member] = outcome;
    this.unsettled -= 1;
    if (this.unsettled === 0 && this.sealed) this.release();
  }

  private release(): void {
    const open = this.open;
    this.open = undefined;
    open?.(this);
  }
}

/** The reaction every member adds to its cohort's gate: yields the next member's outcome. */
function deliver(cohort: Cohort): PutResult {
  const outcome = cohort.outcomes[cohort.cursor++]!;
  if (outcome instanceof Rejection) throw outcome.error;
  return outcome;
}

// One executor for every gate (a closure per cohort would do too; this matches put()'s own).
let capturedOpen: ((cohort: Cohort) => void) | undefined;
function captureOpen(resolve: (cohort: Cohort) => void): void {
  capturedOpen = resolve;
}
