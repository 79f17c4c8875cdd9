import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedDynamoDBClient } from './clients.js';

/**
 * Deletes a table; a table that does not exist (already deleted, or never created because the
 * test failed early) is not an error, so this is safe in `afterEach`.
 * @public
 * @example
 * afterEach(() => deleteTable(tableName));
 */
export async function deleteTable(
  tableName: string,
  options: { readonly dynamodb?: DynamoDBClient } = {},
): Promise<void> {
  const client = options.dynamodb ?? sharedDynamoDBClient();
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'ResourceNotFoundException') throw error;
  }
}
