/** A running emulator (or an external endpoint the harness was told to use). @public */
export interface EmulatorHandle {
  /** `http://127.0.0.1:<port>` for embedded emulators, or the external endpoint as given. */
  readonly endpoint: string;
  /** Milliseconds from spawn until the emulator answered; 0 for external endpoints. */
  readonly startupMs: number;
  /** Stops the emulator and waits until it is gone. Idempotent; a no-op for external endpoints. */
  stop(): Promise<void>;
}

/** What serves Kinesis. @public */
export type KinesisEngine = 'kinesis-local' | 'external';

/** What serves DynamoDB. @public */
export type DynamoDBEngine = 'dynamodb-local' | 'dynalite' | 'external';

/** @public */
export interface KinesisEmulator extends EmulatorHandle {
  readonly engine: KinesisEngine;
}

/** @public */
export interface DynamoDBEmulator extends EmulatorHandle {
  readonly engine: DynamoDBEngine;
}
