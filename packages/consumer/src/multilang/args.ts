/**
 * aws-kcl's `kcl-bootstrap` command line: `-p/--properties <file>`, `-e/--execute`, and the
 * Java-only `-j/--java <path>`, `-c/--jar-path <dir>`, `-l/--log-configuration <file>`, which
 * are accepted and ignored. Short flags may be clustered (`-ep file`) and values attached
 * (`-pfile`, `--properties=file`), as commander (which aws-kcl uses) allows.
 */

/** The parsed command line. @internal */
export interface BootstrapArgs {
  readonly properties: string | undefined;
  readonly execute: boolean;
  readonly help: boolean;
  /** Java-only options that were given, for the note. */
  readonly ignored: readonly string[];
  /** Problems, one line each. */
  readonly errors: readonly string[];
}

interface OptionSpec {
  readonly long: string;
  readonly short: string;
  readonly takesValue: boolean;
}

const OPTIONS: readonly OptionSpec[] = [
  { long: 'properties', short: 'p', takesValue: true },
  { long: 'execute', short: 'e', takesValue: false },
  { long: 'java', short: 'j', takesValue: true },
  { long: 'jar-path', short: 'c', takesValue: true },
  { long: 'log-configuration', short: 'l', takesValue: true },
  { long: 'help', short: 'h', takesValue: false },
];

/** Parses `argv` (without node and the script). @internal */
export function parseBootstrapArgs(argv: readonly string[]): BootstrapArgs {
  const values = new Map<string, string | true>();
  const errors: string[] = [];
  const set = (
    spec: OptionSpec,
    inline: string | undefined,
    next: () => string | undefined,
  ): void => {
    if (!spec.takesValue) {
      values.set(spec.long, true);
      return;
    }
    const value = inline ?? next();
    if (value === undefined || value === '') {
      errors.push(`option --${spec.long} needs a value`);
      return;
    }
    values.set(spec.long, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (): string | undefined => (i + 1 < argv.length ? argv[++i] : undefined);
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = OPTIONS.find((o) => o.long === name);
      if (spec === undefined) errors.push(`unknown option '${arg}'`);
      else set(spec, eq < 0 ? undefined : arg.slice(eq + 1), next);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // A cluster: flags until one that takes a value, which takes the rest or the next word.
      for (let j = 1; j < arg.length; j++) {
        const spec = OPTIONS.find((o) => o.short === arg[j]);
        if (spec === undefined) {
          errors.push(`unknown option '-${arg[j]!}'`);
          break;
        }
        if (spec.takesValue) {
          set(spec, j + 1 < arg.length ? arg.slice(j + 1) : undefined, next);
          break;
        }
        set(spec, undefined, next);
      }
    } else {
      errors.push(`unexpected argument '${arg}'`);
    }
  }
  const properties = values.get('properties');
  return {
    properties: typeof properties === 'string' ? properties : undefined,
    execute: values.has('execute'),
    help: values.has('help'),
    ignored: ['java', 'jar-path', 'log-configuration']
      .filter((k) => values.has(k))
      .map((k) => `--${k}`),
    errors,
  };
}

/** The usage text. @internal */
export const USAGE = `Usage: kcl-bootstrap -p <properties file> [-e]

Runs the KCL MultiLang daemon without Java: reads the .properties file and spawns
executableName once per leased shard, speaking the MultiLang protocol on its stdin/stdout.

Options:
  -p, --properties <file>          the KCL properties file (required)
  -e, --execute                    run the daemon (without it, print the command that would run)
  -j, --java <path>                ignored: no Java is needed
  -c, --jar-path <dir>             ignored: no jars are needed
  -l, --log-configuration <file>   ignored: set KCL_LOG_LEVEL=debug|info|warn|error instead
  -h, --help                       print this help`;
