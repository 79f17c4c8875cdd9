/**
 * A reader for the `java.util.Properties` text format, which the MultiLangDaemon's `.properties`
 * files use: `#`/`!` comment lines, `key = value`, `key: value` and `key value`, a backslash at the
 * end of a line continuing it (leading blanks of the next line dropped), and the escapes `\t \n \r
 * \f \uXXXX` (any other escaped character stands for itself, so `\:` `\=` `\ ` `\\` work). It is
 * pure: the caller reads the file. Unlike Java, which reads ISO-8859-1, the text is taken as
 * decoded (the CLI decodes UTF-8, which agrees for the ASCII files KCL users have).
 */

/** A malformed line (only a bad `\uXXXX` escape can make one). @internal */
export class PropertiesSyntaxError extends Error {
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(`line ${lineNumber}: ${message}`);
    this.name = 'PropertiesSyntaxError';
  }
}

/** One `key = value` entry and the (first) line it was on. @internal */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  readonly lineNumber: number;
}

const BLANK = new Set([' ', '\t', '\f']);

/**
 * Parses `text`; a key given twice keeps its last value, as `Properties.load` does.
 * @internal
 * @throws PropertiesSyntaxError on a malformed `\uXXXX` escape.
 */
export function parseProperties(text: string): Map<string, PropertyEntry> {
  const entries = new Map<string, PropertyEntry>();
  for (const { line, lineNumber } of logicalLines(text.replace(/^\uFEFF/, ''))) {
    const entry = parseLine(line, lineNumber);
    if (entry !== undefined) entries.set(entry.key, entry);
  }
  return entries;
}

/** Joins continued lines; drops blank and comment lines. */
function* logicalLines(text: string): Generator<{ line: string; lineNumber: number }> {
  const natural = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < natural.length; i++) {
    const first = skipBlanks(natural[i] ?? '');
    if (first === '' || first.startsWith('#') || first.startsWith('!')) continue;
    const lineNumber = i + 1;
    let line = first;
    // An odd number of trailing backslashes continues the line; an even number is escaped ones.
    while (endsWithOddBackslashes(line)) {
      line = line.slice(0, -1);
      i++;
      if (i >= natural.length) break;
      line += skipBlanks(natural[i] ?? '');
    }
    yield { line, lineNumber };
  }
}

function parseLine(line: string, lineNumber: number): PropertyEntry | undefined {
  let keyEnd = 0;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if (c === '\\') {
      keyEnd += 2;
      continue;
    }
    if (c === '=' || c === ':' || BLANK.has(c)) break;
    keyEnd++;
  }
  const rawKey = line.slice(0, keyEnd);
  let rest = skipBlanks(line.slice(keyEnd));
  if (rest.startsWith('=') || rest.startsWith(':')) rest = skipBlanks(rest.slice(1));
  if (rawKey === '' && rest === '') return undefined;
  return {
    key: unescape(rawKey, lineNumber),
    value: unescape(rest, lineNumber),
    lineNumber,
  };
}

function unescape(raw: string, lineNumber: number): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new PropertiesSyntaxError(lineNumber, 'malformed \\uXXXX escape');
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function skipBlanks(s: string): string {
  let i = 0;
  while (i < s.length && BLANK.has(s[i]!)) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}
