/** Helpers the commands share: argument parsing with the connection options, and pre-flights. */
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { CONNECTION_OPTIONS, resolveConnection } from '../connection.js';
import type { Connection } from '../connection.js';
import { CliError, UsageError, isNotFound } from '../errors.js';

/** parseArgs' option specs (its own type is not exported, so declarations could not name it). */
type Options = Record<
  string,
  { readonly type: 'string' | 'boolean'; readonly multiple?: boolean; readonly short?: string }
>;

/** parseArgs with the connection options and `--help` added; strict. */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  env: NodeJS.ProcessEnv,
) {
  const parsed = parseArgs({
    args,
    options: { ...CONNECTION_OPTIONS, help: { type: 'boolean', short: 'h' }, ...options },
    allowPositionals: true,
    strict: true,
  });
  const connection = resolveConnection(parsed.values, env);
  return { ...parsed, connection };
}

/** The first positional, or a usage error naming it. */
export function requirePositional(positionals: string[], what: string): string {
  const value = positionals[0];
  if (value === undefined || value.trim() === '') throw new UsageError(`${what} is required`);
  return value;
}

/** A non-negative integer option. */
export function intOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return n;
}

/** DescribeStreamSummary, with "stream not found" in words. */
export async function describeStream(
  kinesis: KinesisClient,
  streamName: string,
  connection: Connection,
  signal?: AbortSignal,
): Promise<StreamDescriptionSummary> {
  try {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), {
      abortSignal: signal,
    });
    return out.StreamDescriptionSummary!;
  } catch (error) {
    if (isNotFound(error)) {
      throw new CliError(`stream "${streamName}" not found at ${connection.kinesisWhere}`);
    }
    throw error;
  }
}

/** DescribeTable, with "lease table not found" in words. */
export async function requireLeaseTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  connection: Connection,
): Promise<void> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (isNotFound(error)) {
      throw new CliError(
        `lease table "${tableName}" not found at ${connection.dynamodbWhere} (has the application run? --table names it when it differs from the application name)`,
      );
    }
    throw error;
  }
}
