// Minimal argv parsing: positionals plus --flag value / --flag (boolean) options.
import { InputError } from '../errors.js';

export interface Args { positionals: string[]; flags: Map<string, string | true> }

export function parseArgs(argv: string[], booleans: string[] = []): Args {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(key, a.slice(eq + 1));
    else if (booleans.includes(key)) flags.set(key, true);
    else {
      const v = argv[i + 1];
      if (v === undefined) throw new InputError(`option --${key} needs a value`);
      flags.set(key, v);
      i++;
    }
  }
  return { positionals, flags };
}

export function numberFlag(args: Args, key: string, fallback: number): number {
  const v = args.flags.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new InputError(`option --${key} expects a number, got "${v}"`);
  return n;
}

export function stringFlag(args: Args, key: string): string | undefined {
  const v = args.flags.get(key);
  if (v === true) throw new InputError(`option --${key} needs a value`);
  return v;
}
