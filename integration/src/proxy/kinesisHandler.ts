/**
 * Kinesis operations the proxy inspects: PutRecords / PutRecord (request limits, per-shard write
 * limits, per-entry faults), GetShardIterator / GetRecords (iterator → shard, per-shard read
 * limits), and the reshard operations (shard-map refresh). Everything else passes through.
 */
import { parseExplicitHashKey, partitionKeyToHashKey } from '@kinesis-kit/common';
import type { ShardMap } from '@kinesis-kit/common';
import { streamOf } from './awsRequest.js';
import {
  INTERNAL_FAILURE_MESSAGE,
  entryBytes,
  planPutRecords,
  rateExceededMessage,
  spliceResults,
} from './core/putRecordsPlan.js';
import type { WireEntry, WireResultEntry } from './core/putRecordsPlan.js';
import { answerFault } from './faultResponses.js';
import { sendAwsError, sendJson, sendUpstream } from './http.js';
import { applyRequestFaults, forwardBuffered, passThrough } from './pipeline.js';
import type { ProxyRequest, ProxyRuntime } from './pipeline.js';
import type { StreamRef } from './shardDirectory.js';

const RESHARD_OPERATIONS = new Set(['SplitShard', 'MergeShards', 'UpdateShardCount']);

/** Handles one Kinesis request. @internal */
export async function handleKinesis(rt: ProxyRuntime, request: ProxyRequest): Promise<void> {
  const stream = streamOf(request.json, request.account);
  switch (request.operation) {
    case 'PutRecords':
      return putRecords(rt, request, stream);
    case 'PutRecord':
      return putRecord(rt, request, stream);
    case 'GetRecords':
      return getRecords(rt, request);
    case 'GetShardIterator':
      return getShardIterator(rt, request, stream);
    default: {
      const shardId = request.json?.ShardId;
      const shardIds = typeof shardId === 'string' ? [shardId] : [];
      const context = { operation: request.operation, streamName: stream?.streamName, shardIds };
      const scope = { account: request.account, ...context, shardId: shardIds[0] };
      if (!RESHARD_OPERATIONS.has(request.operation) || stream === undefined) {
        return passThrough(rt, request, context, scope);
      }
      const step = await applyRequestFaults(rt, request, context, scope);
      if (step.handled) return;
      const response = await forwardBuffered(rt, request, step.after, scope);
      if (response?.status === 200) rt.directory?.reshardSeen(stream);
      if (response !== undefined) sendUpstream(request.res, response);
    }
  }
}

async function putRecords(
  rt: ProxyRuntime,
  request: ProxyRequest,
  stream: StreamRef | undefined,
): Promise<void> {
  const records = request.json?.Records;
  if (stream === undefined || !Array.isArray(records)) {
    // Malformed: let the target produce its own validation error.
    return passThrough(rt, request, { operation: request.operation }, { account: request.account });
  }
  const entries = records as WireEntry[];
  const limits = rt.limits();
  if (entries.length > limits.maxPutRecordsEntries) {
    // Real Kinesis rejects this in its request validation layer, before any throughput check:
    // 400 ValidationException "1 validation error detected: Value '[…]' at 'records' failed to
    // satisfy constraint: Member must have length less than or equal to 500" (the message
    // kinesalite and moto copy from the service; boto3 and the Java SDK report the same).
    rt.stats.rejected();
    sendAwsError(
      request.res,
      400,
      'ValidationException',
      "1 validation error detected: Value at 'records' failed to satisfy constraint: " +
        `Member must have length less than or equal to ${limits.maxPutRecordsEntries}`,
    );
    return;
  }
  const sizes = entries.map(entryBytes);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > limits.maxPutRecordsBytes) {
    // The service's answer to a request over 5 MiB is 400 InvalidArgumentException "Records
    // size exceeds 5 MB limit" (seen by users in snowplow/enrich#685 and
    // aws/amazon-kinesis-streams-for-fluent-bit#21).
    rt.stats.rejected();
    sendAwsError(request.res, 400, 'InvalidArgumentException', 'Records size exceeds 5 MB limit');
    return;
  }
  const map = await rt.directory?.shardMap(stream);
  const shardIds = entries.map((entry) => routeEntry(map, entry));
  const touched = [...new Set(shardIds.filter((id): id is string => id !== undefined))];
  const context = { operation: 'PutRecords', streamName: stream.streamName, shardIds: touched };
  const scope = { account: stream.account, streamName: stream.streamName };
  const step = await applyRequestFaults(rt, request, context, scope);
  if (step.handled) return;

  const outcomes = planPutRecords({
    entries: shardIds.map((shardId, i) => ({ shardId, bytes: sizes[i]! })),
    streamName: stream.streamName,
    streamKey: `${stream.account}/${stream.streamName}`,
    operation: 'PutRecords',
    now: rt.now(),
    limits: rt.limitModel(),
    faults: rt.faults,
  });
  outcomes.forEach((outcome, i) => {
    rt.stats.shard(stream.streamName, outcome.shardId, {
      putEntries: 1,
      putBytes: sizes[i]!,
      throttledEntries: outcome.kind === 'throttled' ? 1 : 0,
      failedEntries: outcome.kind === 'internal-failure' ? 1 : 0,
    });
    if (outcome.kind === 'internal-failure')
      rt.stats.fault('entry-internal-failure', outcome.ruleId);
  });

  const forwarded = entries.filter((_, i) => outcomes[i]!.kind === 'forward');
  const spliceContext = { streamName: stream.streamName, account: stream.account };
  if (forwarded.length === 0) {
    if (step.after !== undefined) {
      await forwardBuffered(rt, request, step.after, scope, Buffer.alloc(0));
      return;
    }
    sendJson(request.res, 200, {
      ...spliceResults(outcomes, [], spliceContext),
      EncryptionType: 'NONE',
    });
    return;
  }
  const body =
    forwarded.length === entries.length
      ? request.body
      : Buffer.from(JSON.stringify({ ...request.json, Records: forwarded }), 'utf8');
  const response = await forwardBuffered(rt, request, step.after, scope, body);
  if (response === undefined) return;
  if (response.status !== 200) {
    sendUpstream(request.res, response);
    return;
  }
  const parsed = JSON.parse(response.body.toString('utf8')) as { Records?: WireResultEntry[] };
  const spliced = spliceResults(outcomes, parsed.Records ?? [], spliceContext);
  sendJson(request.res, 200, { ...parsed, ...spliced }, response.headers);
}

async function putRecord(
  rt: ProxyRuntime,
  request: ProxyRequest,
  stream: StreamRef | undefined,
): Promise<void> {
  const entry = request.json as WireEntry | undefined;
  if (stream === undefined || entry === undefined) {
    return passThrough(rt, request, { operation: request.operation }, { account: request.account });
  }
  const map = await rt.directory?.shardMap(stream);
  const shardId = routeEntry(map, entry);
  const context = {
    operation: 'PutRecord',
    streamName: stream.streamName,
    shardIds: shardId === undefined ? [] : [shardId],
  };
  const scope = { account: stream.account, streamName: stream.streamName, shardId };
  const step = await applyRequestFaults(rt, request, context, scope);
  if (step.handled) return;
  const bytes = entryBytes(entry);
  const [outcome] = planPutRecords({
    entries: [{ shardId, bytes }],
    streamName: stream.streamName,
    streamKey: `${stream.account}/${stream.streamName}`,
    operation: 'PutRecord',
    now: rt.now(),
    limits: rt.limitModel(),
    faults: rt.faults,
  });
  rt.stats.shard(stream.streamName, shardId, {
    putEntries: 1,
    putBytes: bytes,
    throttledEntries: outcome!.kind === 'throttled' ? 1 : 0,
    failedEntries: outcome!.kind === 'internal-failure' ? 1 : 0,
  });
  if (outcome!.kind === 'throttled') {
    sendAwsError(
      request.res,
      400,
      'ProvisionedThroughputExceededException',
      rateExceededMessage(outcome!.shardId, stream.streamName, stream.account),
    );
    return;
  }
  if (outcome!.kind === 'internal-failure') {
    rt.stats.fault('entry-internal-failure', outcome!.ruleId);
    sendAwsError(request.res, 500, 'InternalFailure', INTERNAL_FAILURE_MESSAGE);
    return;
  }
  const response = await forwardBuffered(rt, request, step.after, scope);
  if (response !== undefined) sendUpstream(request.res, response);
}

async function getShardIterator(
  rt: ProxyRuntime,
  request: ProxyRequest,
  stream: StreamRef | undefined,
): Promise<void> {
  const shardId = request.json?.ShardId;
  if (stream === undefined || typeof shardId !== 'string') {
    return passThrough(rt, request, { operation: request.operation }, { account: request.account });
  }
  const context = {
    operation: request.operation,
    streamName: stream.streamName,
    shardIds: [shardId],
  };
  const scope = { account: stream.account, streamName: stream.streamName, shardId };
  const step = await applyRequestFaults(rt, request, context, scope);
  if (step.handled) return;
  const response = await forwardBuffered(rt, request, step.after, scope);
  if (response === undefined) return;
  if (response.status === 200) {
    const { ShardIterator } = JSON.parse(response.body.toString('utf8')) as {
      ShardIterator?: string;
    };
    rt.directory?.rememberIterator(ShardIterator, { ...stream, shardId });
  }
  sendUpstream(request.res, response);
}

async function getRecords(rt: ProxyRuntime, request: ProxyRequest): Promise<void> {
  const iterator = request.json?.ShardIterator;
  const shard = rt.directory?.iteratorShard(typeof iterator === 'string' ? iterator : undefined);
  const context = {
    operation: request.operation,
    streamName: shard?.streamName,
    shardIds: shard === undefined ? [] : [shard.shardId],
  };
  const scope = { account: shard?.account ?? request.account, ...shard };
  rt.stats.shard(shard?.streamName, shard?.shardId, { getRecordsCalls: 1 });
  const step = await applyRequestFaults(rt, request, context, scope);
  if (step.handled) return;
  const model = rt.limitModel();
  const key =
    shard === undefined ? undefined : `${shard.account}/${shard.streamName}/${shard.shardId}`;
  if (shard !== undefined && key !== undefined && model?.admitRead(key, rt.now()) !== undefined) {
    rt.stats.shard(shard.streamName, shard.shardId, { throttledGetRecords: 1 });
    sendAwsError(
      request.res,
      400,
      'ProvisionedThroughputExceededException',
      rateExceededMessage(shard.shardId, shard.streamName, shard.account),
    );
    return;
  }
  const response = await rt.upstream.send(request.req, request.body);
  if (response.status === 200 && shard !== undefined) {
    const parsed = JSON.parse(response.body.toString('utf8')) as {
      Records?: WireEntry[];
      NextShardIterator?: string;
    };
    const records = parsed.Records ?? [];
    const bytes = records.reduce((sum, record) => sum + entryBytes(record), 0);
    if (key !== undefined) model?.chargeRead(key, bytes, rt.now());
    rt.stats.shard(shard.streamName, shard.shardId, {
      readRecords: records.length,
      readBytes: bytes,
    });
    rt.directory?.rememberIterator(parsed.NextShardIterator, shard);
  }
  if (step.after !== undefined) {
    answerFault(request.req, request.res, step.after, rt.kind, scope);
    return;
  }
  sendUpstream(request.res, response);
}

/** The open shard an entry goes to, or undefined (no map, malformed key, or a gap). */
function routeEntry(map: ShardMap | undefined, entry: WireEntry): string | undefined {
  if (map === undefined) return undefined;
  try {
    const hashKey =
      entry.ExplicitHashKey !== undefined
        ? parseExplicitHashKey(entry.ExplicitHashKey)
        : partitionKeyToHashKey(entry.PartitionKey ?? '');
    return map.lookup(hashKey)?.shardId;
  } catch {
    return undefined;
  }
}
