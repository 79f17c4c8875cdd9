/**
 * The steps every proxied request shares: apply request-level faults (latency, then at most one
 * terminal fault, before or after forwarding), and pass through what the proxy does not inspect.
 * DynamoDB requests need nothing else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tableOf } from './awsRequest.js';
import type { Fault, FaultContext, FaultEngine } from './core/faultRules.js';
import type { ProxyLimits, ShardLimitModel } from './core/shardLimits.js';
import { answerFault, isAfterForward } from './faultResponses.js';
import type { FaultScope, ProxyKind } from './faultResponses.js';
import type { Upstream, UpstreamResponse } from './http.js';
import type { ShardDirectory } from './shardDirectory.js';
import type { StatsRecorder } from './stats.js';

/** What request handlers share. @internal */
export interface ProxyRuntime {
  readonly kind: ProxyKind;
  readonly upstream: Upstream;
  readonly faults: FaultEngine;
  readonly stats: StatsRecorder;
  readonly directory: ShardDirectory | undefined;
  /** The limit model, or undefined while limits are off. */
  limitModel(): ShardLimitModel | undefined;
  /** The limits in force (request limits apply even while rate limits are off). */
  limits(): ProxyLimits;
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** One request, body read. @internal */
export interface ProxyRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly operation: string;
  readonly body: Buffer;
  readonly json: Record<string, unknown> | undefined;
  readonly account: string;
}

/**
 * Outcome of {@link applyRequestFaults}: `handled` when the request was answered (error or
 * reset), else an optional fault to apply after forwarding.
 * @internal
 */
export type FaultStep =
  { readonly handled: true } | { readonly handled: false; readonly after?: Fault };

/** Counts, sleeps and answers the request-level faults of one request. @internal */
export async function applyRequestFaults(
  rt: ProxyRuntime,
  request: ProxyRequest,
  context: FaultContext,
  scope: FaultScope,
): Promise<FaultStep> {
  const decision = rt.faults.forRequest(context);
  const shardIds = context.shardIds ?? [];
  const countOnShards = (): void => {
    for (const shardId of shardIds) rt.stats.shard(context.streamName, shardId, { faults: 1 });
    if (shardIds.length === 0) rt.stats.shard(undefined, undefined, { faults: 1 });
  };
  for (const ruleId of decision.latencyRules) {
    rt.stats.fault('latency', ruleId);
    countOnShards();
  }
  if (decision.latencyMs > 0) await rt.sleep(decision.latencyMs);
  const terminal = decision.terminal;
  if (terminal === undefined) return { handled: false };
  rt.stats.fault(terminal.fault.kind, terminal.ruleId);
  countOnShards();
  if (isAfterForward(terminal.fault)) return { handled: false, after: terminal.fault };
  answerFault(request.req, request.res, terminal.fault, rt.kind, scope);
  return { handled: true };
}

/**
 * Forwards a request the proxy does not inspect: the response is piped (SubscribeToShard's
 * event stream flows through untouched), or buffered and then spoiled by an after-forward fault.
 * @internal
 */
export async function passThrough(
  rt: ProxyRuntime,
  request: ProxyRequest,
  context: FaultContext,
  scope: FaultScope,
): Promise<void> {
  const step = await applyRequestFaults(rt, request, context, scope);
  if (step.handled) return;
  if (step.after !== undefined) {
    await rt.upstream.send(request.req, request.body);
    answerFault(request.req, request.res, step.after, rt.kind, scope);
    return;
  }
  await rt.upstream.pipe(request.req, request.body, request.res);
}

/** Forwards a buffered request and answers with the target's response or an after-forward fault. @internal */
export async function forwardBuffered(
  rt: ProxyRuntime,
  request: ProxyRequest,
  after: Fault | undefined,
  scope: FaultScope,
  body: Buffer = request.body,
): Promise<UpstreamResponse | undefined> {
  const response = await rt.upstream.send(request.req, body);
  if (after !== undefined) {
    answerFault(request.req, request.res, after, rt.kind, scope);
    return undefined;
  }
  return response;
}

/** A DynamoDB request: faults by operation and table, then straight through. @internal */
export async function handleDynamoDB(rt: ProxyRuntime, request: ProxyRequest): Promise<void> {
  const tableName = tableOf(request.json);
  await passThrough(
    rt,
    request,
    { operation: request.operation, tableName },
    { account: request.account },
  );
}
