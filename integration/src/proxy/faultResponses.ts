/**
 * The answers injected faults produce, as each service sends them. Error types are the ones the
 * SDK maps to its exception classes (`name` on the thrown error).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from './core/faultRules.js';
import { rateExceededMessage } from './core/putRecordsPlan.js';
import { resetConnection, sendAwsError } from './http.js';

/** Which service a proxy fronts. @public */
export type ProxyKind = 'kinesis' | 'dynamodb';

/** What the fault answer may mention. @internal */
export interface FaultScope {
  readonly account: string;
  readonly streamName?: string | undefined;
  readonly shardId?: string | undefined;
}

/** An error answer: status, type and message. @internal */
export interface ErrorAnswer {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810#';

/** The error answer of a fault, or undefined for latency, resets and per-entry failures. @internal */
export function errorAnswerFor(
  fault: Fault,
  kind: ProxyKind,
  scope: FaultScope,
): ErrorAnswer | undefined {
  switch (fault.kind) {
    case 'http-500':
      return kind === 'kinesis'
        ? { status: 500, type: 'InternalFailure', message: 'Internal service failure.' }
        : { status: 500, type: `${DYNAMODB}InternalServerError`, message: 'Internal server error' };
    case 'http-503':
      return { status: 503, type: 'ServiceUnavailable', message: 'Service Unavailable' };
    case 'expired-iterator': {
      const now = Date.now();
      return {
        status: 400,
        type: 'ExpiredIteratorException',
        message:
          `Iterator expired. The iterator was created at time ${new Date(now - 300_001).toUTCString()} ` +
          `while right now it is ${new Date(now).toUTCString()} which is further in the future than ` +
          'the tolerated delay of 300000 milliseconds.',
      };
    }
    case 'throughput-exceeded':
      return kind === 'kinesis'
        ? {
            status: 400,
            type: 'ProvisionedThroughputExceededException',
            message:
              scope.shardId !== undefined && scope.streamName !== undefined
                ? rateExceededMessage(scope.shardId, scope.streamName, scope.account)
                : `Rate exceeded for stream ${scope.streamName ?? ''} under account ${scope.account}.`,
          }
        : {
            status: 400,
            type: `${DYNAMODB}ProvisionedThroughputExceededException`,
            message:
              'The level of configured provisioned throughput for the table was exceeded. ' +
              'Consider increasing your provisioning level with the UpdateTable API.',
          };
    case 'throttling':
      return kind === 'kinesis'
        ? { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }
        : {
            status: 400,
            type: 'com.amazon.coral.availability#ThrottlingException',
            message: 'Rate of requests exceeds the allowed throughput.',
          };
    case 'error':
      return {
        status: fault.status,
        type: fault.errorType,
        message: fault.message ?? `Injected ${fault.errorType}`,
      };
    case 'latency':
    case 'reset':
    case 'entry-internal-failure':
      return undefined;
  }
}

/** Answers `res` as `fault` dictates (an error answer, or a reset connection). @internal */
export function answerFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  kind: ProxyKind,
  scope: FaultScope,
): void {
  if (fault.kind === 'reset') {
    resetConnection(req, res);
    return;
  }
  const answer = errorAnswerFor(fault, kind, scope);
  if (answer === undefined) throw new Error(`fault ${fault.kind} has no request-level answer`);
  sendAwsError(res, answer.status, answer.type, answer.message);
}

/** True when a fault lets the request reach the target before spoiling the answer. @internal */
export function isAfterForward(fault: Fault): boolean {
  return 'afterForward' in fault && fault.afterForward === true;
}
