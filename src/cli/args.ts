// Command-line parsing over node:util.parseArgs: its tokens tell options, values and positionals apart by the
// declared option types (a boolean never takes the next word, so `classify --json cat.png` keeps the file); the
// checks that parseArgs leaves to its caller (unknown options, a valued option with nothing after it, a boolean
// given a value) are made here and reported as one-line UsageErrors naming the option.
import { parseArgs as parseTokens } from 'node:util';
import { InputError } from '../errors.js';

/**
 * A mistake on the command line itself: unknown command or option, missing or malformed value, wrong number of
 * arguments. It is an InputError (and prints as one), kept apart so the CLI can exit with status 2 for it.
 */
export class UsageError extends InputError {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

export interface Args {
  /** The command, for messages. */
  command: string;
  positionals: string[];
  /** Options given: true for booleans, the text for valued options (the last one when repeated). */
  flags: Map<string, string | true>;
}

/**
 * Parses `argv` (the words after the command) against `options`. Words after `--` are positionals even when they
 * start with '-'. A valued option takes the next word unless that word looks like an option (`--x`, `-x`); a '-'
 * followed by a digit is a value, so `--alpha -1` reaches the check of --alpha's range.
 */
export function parseArgs(command: string, argv: string[], options: Record<string, OptionSpec>): Args {
  const config = Object.fromEntries(Object.entries(options).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  const { tokens } = parseTokens({ args: argv, options: config, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const see = `(mobilenet-wasm ${command} --help lists the options)`;
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!spec) throw new UsageError(`${command}: unknown option ${t.rawName} ${see}`);
    const shown = t.rawName.startsWith('--') ? t.rawName : `${t.rawName} (--${t.name})`;
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${command}: option ${shown} takes no value, got "${t.value}"`);
      flags.set(t.name, true);
      continue;
    }
    const v = t.value;
    if (v === undefined) throw new UsageError(`${command}: option ${shown} needs a value`);
    if (!t.inlineValue && /^-(-|[a-zA-Z])/.test(v)) throw new UsageError(`${command}: option ${shown} needs a value, got the option ${v}`);
    flags.set(t.name, v);
  }
  return { command, positionals, flags };
}

/** A help request anywhere before `--` (checked first, so `--help` never runs the command, whatever else is wrong). */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export function stringFlag(args: Args, key: string): string | undefined {
  const v = args.flags.get(key);
  return v === true ? undefined : v;
}

/** A numeric option, or `fallback` when absent; `check` restricts it (e.g. integers ≥ 1) with a message naming the option. */
export function numberFlag(args: Args, key: string, fallback: number, check?: { integer?: boolean; min?: number; max?: number }): number {
  const v = stringFlag(args, key);
  if (v === undefined) return fallback;
  const n = v.trim() === '' ? NaN : Number(v);
  const { integer = false, min = -Infinity, max = Infinity } = check ?? {};
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const what = integer ? (min === 1 && max === Infinity ? 'a positive integer' : min === 0 && max === Infinity ? 'an integer ≥ 0' : 'an integer') : 'a number';
    const range = Number.isFinite(min) && Number.isFinite(max) ? ` in [${min}, ${max}]` : '';
    throw new UsageError(`${args.command}: --${key} must be ${what}${range}, got "${v}"`);
  }
  return n;
}

/** One of `choices`, or `fallback` when absent. */
export function choiceFlag<T extends string>(args: Args, key: string, choices: readonly T[], fallback: T): T {
  const v = stringFlag(args, key);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${args.command}: --${key} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, got "${v}"`);
  return v as T;
}
