/** A minimal `--flag value` parser for the classifier CLIs (repeatable flags collect into arrays). */

export interface ParsedArgs {
  values: Map<string, string[]>;
  flags: Set<string>;
}

/** `booleans` are flags that take no value (e.g. --json, --help). */
export function parseArgs(argv: readonly string[], booleans: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}" (options start with --).`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (booleans.includes(name)) {
      flags.add(name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`Option --${name} needs a value.`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, flags };
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const list = args.values.get(name);
  return list === undefined ? undefined : list[list.length - 1];
}

export function integer(args: ParsedArgs, name: string, fallback: number): number {
  const raw = single(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got "${raw}".`);
  return n;
}

export function number(args: ParsedArgs, name: string, fallback: number): number {
  const raw = single(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${raw}".`);
  return n;
}
