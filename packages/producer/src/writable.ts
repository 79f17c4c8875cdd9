/**
 * A Node object-mode Writable over a producer, for `pipeline(source, producerWritable(p))`. Each
 * chunk is a user record. A write completes when the record is accepted into the buffer, so the
 * stream stops pulling exactly when the producer's buffer is full; `final` waits until every
 * record written is in the stream. A record that fails after acceptance fails the stream (data
 * loss must be loud) unless `onRecordError` handles it.
 */
import { Writable } from 'node:stream';
import type { KinesisProducer } from './KinesisProducer.js';
import type { PutResult } from './core/records.js';
import type { UserRecordInput } from './core/validate.js';

/** @public */
export interface ProducerWritableOptions {
  /** Objects buffered by the stream itself, in front of the producer's own buffer. @defaultValue 16 */
  readonly highWaterMark?: number;
  /** Called for each record that could not be put. Without it the stream is destroyed with the error. */
  readonly onRecordError?: (error: unknown, record: UserRecordInput) => void;
  /** Called for each record put. */
  readonly onRecordPut?: (result: PutResult, record: UserRecordInput) => void;
  /** Close the producer when the stream finishes. @defaultValue false */
  readonly closeProducerOnFinish?: boolean;
}

/**
 * An object-mode Writable that puts every chunk through `producer`.
 * @public
 * @example
 * ```ts
 * await pipeline(Readable.from(records), producerWritable(producer));
 * ```
 */
export function producerWritable(
  producer: KinesisProducer,
  options: ProducerWritableOptions = {},
): Writable {
  let firstError: unknown;
  const writable: Writable = new Writable({
    objectMode: true,
    highWaterMark: options.highWaterMark ?? 16,
    write(chunk: UserRecordInput, _encoding, callback) {
      if (!options.onRecordPut && !options.onRecordError) {
        // No callback wants the result or the chunk: no promise per record (see offerSettled).
        producer.offerSettled(chunk, settleWithoutChunk).then(
          () => callback(),
          (error: unknown) => callback(error as Error),
        );
        return;
      }
      producer.offer(chunk).then(
        ({ result }) => {
          callback();
          // The watcher lives outside write(): a closure made here would share V8's context
          // with the closures that capture `chunk`, and keep it alive anyway.
          watchWithChunk(result, chunk);
        },
        (error: unknown) => {
          // Bad input or a closed producer: the write itself fails unless handled.
          if (options.onRecordError) {
            options.onRecordError(error, chunk);
            callback();
          } else callback(error as Error);
        },
      );
    },
    final(callback) {
      const done = options.closeProducerOnFinish ? producer.close() : producer.flush();
      done.then(
        () => callback(firstError as Error | undefined),
        (error: unknown) => callback(error as Error),
      );
    },
  });
  function watchWithChunk(result: Promise<PutResult>, chunk: UserRecordInput): void {
    result.then(
      (r) => options.onRecordPut?.(r, chunk),
      (error: unknown) => fail(error, chunk),
    );
  }
  /** Settles every record written without callbacks: a failure fails the stream. */
  function settleWithoutChunk(result: PutResult | PromiseLike<never>): void {
    // A failure arrives as a rejected promise (rejectPut); a success needs nothing.
    if (isPromiseLike(result)) result.then(undefined, failWithoutChunk);
  }
  function failWithoutChunk(error: unknown): void {
    fail(error, undefined);
  }
  function fail(error: unknown, chunk: UserRecordInput | undefined): void {
    if (options.onRecordError && chunk) {
      options.onRecordError(error, chunk);
      return;
    }
    firstError ??= error;
    if (!writable.destroyed) writable.destroy(error as Error);
  }
  return writable;
}

function isPromiseLike(value: PutResult | PromiseLike<never>): value is PromiseLike<never> {
  return typeof (value as { then?: unknown }).then === 'function';
}
