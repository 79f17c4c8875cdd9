/**
 * A logger with the shape of the `@smithy/types` Logger, so the logger users already hand to their
 * SDK clients can be passed to kinesis-kit too, plus structured fields and `child()` bindings.
 */

/** Structured fields of a log line. Never payloads. @public */
export type LogFields = Readonly<Record<string, unknown>>;

/** @public */
export interface Logger {
  trace?(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Returns a logger that adds `bindings` to every line. Optional: {@link childLogger} falls back. */
  child?(bindings: LogFields): Logger;
}

/** @public */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  silent: 5,
};

/**
 * The default logger: writes `warn` and `error` (or from `level` up) to the console as one line each.
 * @public
 */
export function createConsoleLogger(level: LogLevel = 'warn', bindings: LogFields = {}): Logger {
  const min = LEVELS[level];
  const write =
    (lvl: Exclude<LogLevel, 'silent'>, sink: (line: string) => void) =>
    (message: string, fields?: LogFields) => {
      if (LEVELS[lvl] < min) return;
      const all = { ...bindings, ...fields };
      const extra = Object.keys(all).length > 0 ? ` ${safeJson(all)}` : '';
      sink(`[kinesis-kit] ${lvl.toUpperCase()} ${message}${extra}`);
    };
  return {
    trace: write('trace', (l) => console.debug(l)),
    debug: write('debug', (l) => console.debug(l)),
    info: write('info', (l) => console.info(l)),
    warn: write('warn', (l) => console.warn(l)),
    error: write('error', (l) => console.error(l)),
    child: (more) => createConsoleLogger(level, { ...bindings, ...more }),
  };
}

/** A logger that drops everything. @public */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * `logger.child(bindings)` when the logger has one; otherwise a wrapper that merges the bindings,
 * so SDK-style loggers without `child` still get context.
 * @public
 */
export function childLogger(logger: Logger, bindings: LogFields): Logger {
  if (logger.child) return logger.child(bindings);
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      logger[level](message, { ...bindings, ...fields });
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (more) => childLogger(logger, { ...bindings, ...more }),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint'
        ? v.toString()
        : v instanceof Error
          ? { name: v.name, message: v.message }
          : v,
    );
  } catch {
    return '[unserialisable fields]';
  }
}
