/** A logger that keeps every line, for assertions in tests. */
import type { LogFields, Logger } from '../logger.js';

/** @public */
export interface LogLine {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** @public */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: LogFields = {},
  ) {}

  trace(message: string, fields?: LogFields): void {
    this.push('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.push('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.push('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.push('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.push('error', message, fields);
  }
  child(bindings: LogFields): MemoryLogger {
    return new MemoryLogger(this.lines, { ...this.bindings, ...bindings });
  }
  /** Lines at `level`, optionally containing `text`. */
  find(level: LogLine['level'], text?: string): LogLine[] {
    return this.lines.filter(
      (l) => l.level === level && (text === undefined || l.message.includes(text)),
    );
  }

  private push(level: LogLine['level'], message: string, fields?: LogFields): void {
    this.lines.push({ level, message, fields: { ...this.bindings, ...fields } });
  }
}
