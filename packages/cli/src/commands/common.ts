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

/** The values parseArgs returns for `O` (spelled out: node's own result type cannot be named). */
export type OptionValues<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean'
    ? O[K]['multiple'] extends true
      ? boolean[]
      : boolean
    : O[K]['multiple'] extends true
      ? string[]
      : string;
} & { help?: boolean } & Partial<Record<keyof typeof CONNECTION_OPTIONS, string>>;

/** A parsed command line. */
export interface ParsedCommand<O extends Options> {
  readonly values: OptionValues<O>;
  readonly positionals: string[];
  readonly connection: Connection;
}

/** parseArgs with the connection options and `--help` added; strict. */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
  env: NodeJS.ProcessEnv,
): ParsedCommand<O> {
  const parsed = parseArgs({
    args,
    options: { ...CONNECTION_OPTIONS, help: { type: 'boolean', short: 'h' }, ...options },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as OptionValues<O>;
  return { values, positionals: parsed.positionals, connection: resolveConnection(values, env) };
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
