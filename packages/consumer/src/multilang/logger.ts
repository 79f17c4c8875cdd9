/**
 * The daemon's log: one line per event on stderr (stdout is the user's; the children's stdout is
 * the protocol), `kcl-bootstrap LEVEL message {fields}`. Child stderr is relayed line by line with
 * the shard id in front, which the Java daemon hides in its own log (issue #772).
 */
import type { LogFields, LogLevel, Logger } from '@kinesis-kit/common';

const ORDER: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  silent: 5,
};

/** A writer of whole lines (the daemon passes `process.stderr`). @internal */
export type LineWriter = (line: string) => void;

/** A logger writing one line per entry to `write`. @internal */
export function createLineLogger(
  write: LineWriter,
  level: LogLevel = 'info',
  bindings: LogFields = {},
): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (ORDER[lvl] < ORDER[level]) return;
      const all = { ...bindings, ...fields };
      const extra = Object.keys(all).length > 0 ? ` ${fieldsText(all)}` : '';
      write(`kcl-bootstrap ${lvl.toUpperCase()} ${message}${extra}`);
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLineLogger(write, level, { ...bindings, ...more }),
  };
}

/** `level` from a name (the `KCL_LOG_LEVEL` variable); undefined if it is not one. @internal */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return v !== undefined && v in ORDER ? (v as LogLevel) : undefined;
}

function fieldsText(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) =>
      v instanceof Error ? `${v.name}: ${v.message}` : typeof v === 'bigint' ? v.toString() : v,
    );
  } catch {
    return '[unserialisable fields]';
  }
}
