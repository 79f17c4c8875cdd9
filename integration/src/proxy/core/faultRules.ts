/**
 * Fault rules: what the proxy injects, where and how often. Pure: the random source is passed in,
 * so tests decide which rolls fire. The proxy applies the decisions (sleeps, error responses,
 * socket resets); this module only decides.
 */

/**
 * One kind of fault.
 * - `latency`: wait `ms` before forwarding (adds up over every firing latency rule).
 * - `http-500` / `http-503`: answer with that status and the service's error type
 *   (Kinesis `InternalFailure` / `ServiceUnavailable`; DynamoDB `InternalServerError` /
 *   `ServiceUnavailable`) without forwarding; with `afterForward` the request reaches the target
 *   first and only its response is replaced (the write happened but the client sees a failure).
 * - `reset`: destroy the client's socket (the SDK sees ECONNRESET / "socket hang up"); with
 *   `afterForward`, after the target processed the request.
 * - `expired-iterator`: GetRecords answers `ExpiredIteratorException` (400).
 * - `throughput-exceeded`: the whole request answers `ProvisionedThroughputExceededException`
 *   (400); for DynamoDB the table-capacity error, for Kinesis the shard-rate error.
 * - `throttling`: the whole request answers `ThrottlingException` (400), as DynamoDB's
 *   control plane and on-demand tables do.
 * - `entry-internal-failure`: rolled once per PutRecords entry (and for PutRecord); a hit entry
 *   is not written and comes back with `ErrorCode: 'InternalFailure'` (PutRecord: HTTP 500).
 * - `error`: any other status and error type.
 * @public
 */
export type Fault =
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'http-500' | 'http-503'; readonly afterForward?: boolean }
  | { readonly kind: 'reset'; readonly afterForward?: boolean }
  | { readonly kind: 'expired-iterator' }
  | { readonly kind: 'throughput-exceeded' }
  | { readonly kind: 'throttling' }
  | { readonly kind: 'entry-internal-failure' }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly errorType: string;
      readonly message?: string;
      readonly afterForward?: boolean;
    };

/** The kinds of {@link Fault}. @public */
export type FaultKind = Fault['kind'];

/**
 * A rule: inject `fault` into matching requests with `probability`. Every given matcher must
 * match; an absent matcher matches anything.
 * @public
 * @example
 * const rule: FaultRule = { operations: ['GetRecords'], probability: 0.1, fault: { kind: 'expired-iterator' } };
 */
export interface FaultRule {
  /** A name for the counters; defaults to `rule-<index>`. */
  readonly id?: string;
  /** Operation names without the service prefix, e.g. `PutRecords`, `UpdateItem`. */
  readonly operations?: readonly string[];
  readonly streamName?: string;
  /** Matches a request touching this shard (for PutRecords: any entry routed to it). */
  readonly shardId?: string;
  /** DynamoDB table name. */
  readonly tableName?: string;
  /** Chance that a matching request (or entry) is hit, 0..1. @defaultValue 1 */
  readonly probability?: number;
  /** Stop after this many hits. @defaultValue unlimited */
  readonly maxCount?: number;
  readonly fault: Fault;
}

/** What a request is, for matching. @public */
export interface FaultContext {
  readonly operation: string;
  readonly streamName?: string | undefined;
  /** Shards the request touches; empty when unknown. */
  readonly shardIds?: readonly string[];
  readonly tableName?: string | undefined;
}

/** A rule that fired. @public */
export interface FiredFault {
  readonly ruleId: string;
  readonly fault: Fault;
}

/** The request-level decision: total latency to add and at most one terminal fault. @public */
export interface RequestFaults {
  readonly latencyMs: number;
  readonly latencyRules: readonly string[];
  readonly terminal?: FiredFault;
}

interface ArmedRule {
  readonly id: string;
  readonly rule: FaultRule;
  hits: number;
}

/**
 * Validates rules; throws a RangeError listing every problem.
 * @public
 */
export function validateFaultRules(rules: readonly FaultRule[]): void {
  const problems: string[] = [];
  rules.forEach((rule, i) => {
    const p = rule.probability;
    if (p !== undefined && !(p >= 0 && p <= 1)) problems.push(`rule ${i}: probability ${p}`);
    const max = rule.maxCount;
    if (max !== undefined && !(Number.isInteger(max) && max >= 0)) {
      problems.push(`rule ${i}: maxCount ${max}`);
    }
    const fault = rule.fault as Fault | undefined;
    if (fault === undefined || !KINDS.has(fault.kind)) {
      problems.push(`rule ${i}: unknown fault ${JSON.stringify(fault)}`);
    } else if (fault.kind === 'latency' && !(fault.ms >= 0 && Number.isFinite(fault.ms))) {
      problems.push(`rule ${i}: latency ms ${fault.ms}`);
    } else if (fault.kind === 'error' && !(fault.status >= 400 && fault.status <= 599)) {
      problems.push(`rule ${i}: error status ${fault.status}`);
    }
  });
  if (problems.length > 0) throw new RangeError(`invalid fault rules: ${problems.join('; ')}`);
}

const KINDS = new Set<string>([
  'latency',
  'http-500',
  'http-503',
  'reset',
  'expired-iterator',
  'throughput-exceeded',
  'throttling',
  'entry-internal-failure',
  'error',
]);

/**
 * Decides which rules fire, rolling `random()` (uniform in [0, 1)) once per matching rule and
 * request, or per matching rule and entry for `entry-internal-failure`.
 * @public
 * @example
 * const engine = new FaultEngine([{ fault: { kind: 'http-503' } }], Math.random);
 * engine.forRequest({ operation: 'PutRecords' }).terminal?.fault.kind; // 'http-503'
 */
export class FaultEngine {
  private rules: ArmedRule[] = [];

  constructor(
    rules: readonly FaultRule[],
    private readonly random: () => number,
  ) {
    this.setRules(rules);
  }

  /** Replaces the rules (hit counts start from zero). */
  setRules(rules: readonly FaultRule[]): void {
    validateFaultRules(rules);
    this.rules = rules.map((rule, i) => ({ id: rule.id ?? `rule-${i}`, rule, hits: 0 }));
  }

  /** True when some rule could inject per-entry failures into this operation. */
  hasEntryRules(operation: string): boolean {
    return this.rules.some(
      (r) => r.rule.fault.kind === 'entry-internal-failure' && matchesOperation(r.rule, operation),
    );
  }

  /** Request-level faults: every firing latency rule adds up; the first firing other rule wins. */
  forRequest(context: FaultContext): RequestFaults {
    let latencyMs = 0;
    const latencyRules: string[] = [];
    let terminal: FiredFault | undefined;
    for (const armed of this.rules) {
      const { fault } = armed.rule;
      if (fault.kind === 'entry-internal-failure') continue;
      if (fault.kind !== 'latency' && terminal !== undefined) continue;
      if (!this.fires(armed, context)) continue;
      if (fault.kind === 'latency') {
        latencyMs += fault.ms;
        latencyRules.push(armed.id);
      } else {
        terminal = { ruleId: armed.id, fault };
      }
    }
    return { latencyMs, latencyRules, ...(terminal !== undefined && { terminal }) };
  }

  /** The per-entry fault for one PutRecords entry routed to `shardId`, if a rule fires. */
  forEntry(context: FaultContext): FiredFault | undefined {
    for (const armed of this.rules) {
      if (armed.rule.fault.kind !== 'entry-internal-failure') continue;
      if (this.fires(armed, context)) return { ruleId: armed.id, fault: armed.rule.fault };
    }
    return undefined;
  }

  private fires(armed: ArmedRule, context: FaultContext): boolean {
    const { rule } = armed;
    if (!matches(rule, context)) return false;
    if (rule.maxCount !== undefined && armed.hits >= rule.maxCount) return false;
    const probability = rule.probability ?? 1;
    // Roll only for real chances, so a probability-1 rule does not consume the random sequence.
    if (probability < 1 && !(this.random() < probability)) return false;
    armed.hits++;
    return true;
  }
}

function matchesOperation(rule: FaultRule, operation: string): boolean {
  return rule.operations === undefined || rule.operations.includes(operation);
}

function matches(rule: FaultRule, context: FaultContext): boolean {
  if (!matchesOperation(rule, context.operation)) return false;
  if (rule.streamName !== undefined && rule.streamName !== context.streamName) return false;
  if (rule.tableName !== undefined && rule.tableName !== context.tableName) return false;
  if (rule.shardId !== undefined && !(context.shardIds ?? []).includes(rule.shardId)) return false;
  return true;
}
