/**
 * Environment variables the harness reads and writes. The library packages read no environment;
 * these are for test infrastructure only.
 */

/**
 * Kinesis endpoint to use instead of starting kinesis-local; set by globalSetup for the workers.
 * @public
 */
export const KINESIS_ENDPOINT_VAR = 'KINESIS_ENDPOINT';
/**
 * DynamoDB endpoint to use instead of starting DynamoDB Local; set by globalSetup for the workers.
 * @public
 */
export const DYNAMODB_ENDPOINT_VAR = 'DYNAMODB_ENDPOINT';
/**
 * Set by globalSetup: `embedded` (the harness started both), `external` (both came from the
 * environment) or `mixed`. Tests can use it to skip checks an external engine cannot support.
 * @public
 */
export const EMULATORS_VAR = 'KINESIS_KIT_EMULATORS';
/**
 * Input: `dynalite` or `dynamodb-local` forces that engine (default: DynamoDB Local when Java 17+
 * is found). Output: globalSetup sets it to the engine actually serving DynamoDB
 * (`dynamodb-local`, `dynalite` or `external`), so tests can skip what dynalite lacks.
 * @public
 */
export const DYNAMODB_ENGINE_VAR = 'KINESIS_KIT_DYNAMODB_ENGINE';

/** A set, non-blank variable, or undefined. @internal */
export function readEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
