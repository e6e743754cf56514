import { parseArgs } from "node:util";
import { DECIMAL } from "../data/csv.js";

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  default?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** Parses argv strictly against the specs: unknown flags and stray arguments are errors. */
export function parseFlags(command: string, argv: string[], specs: FlagSpecs): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type }]));
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument '${positionals[0]}'`);
    const out: Record<string, string | boolean | undefined> = { ...values };
    for (const [name, s] of Object.entries(specs)) if (out[name] === undefined && s.default !== undefined) out[name] = s.default;
    return out;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const msg = (e as Error).message.split("\n")[0]!.replace(/\. To specify.*$/, "");
    const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(msg);
    // parseArgs reads "--lr -1" as two options; "--lr=-1" is unambiguous
    throw new UsageError(`${command}: ${ambiguous ? `${ambiguous[1]} takes a value starting with '-': write it as ${ambiguous[1]}=VALUE` : msg}`);
  }
}

export function helpText(usage: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `--${name}${s.type === "string" ? " VALUE" : ""}`;
    return `  ${flag.padEnd(24)} ${s.help}${s.default !== undefined ? ` (default ${s.default})` : ""}`;
  });
  return `${usage}\n\n${summary}\n\nOptions:\n${rows.join("\n")}\n  ${"--help".padEnd(24)} show this help\n`;
}

/** The largest seed: the generator takes 32 bits, so larger ones would alias smaller ones. */
export const SEED_MAX = 2 ** 32 - 1;

export function num(command: string, name: string, v: unknown, o: { integer?: boolean; min?: number; max?: number } = {}): number {
  const n = Number(v);
  const ok = typeof v === "string" && DECIMAL.test(v) && Number.isFinite(n) && (!o.integer || Number.isInteger(n)) &&
    (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max);
  if (!ok) {
    const range = [o.min !== undefined ? `>= ${o.min}` : "", o.max !== undefined ? `<= ${o.max}` : ""].filter(Boolean).join(" and ");
    throw new UsageError(`${command}: --${name} expects ${o.integer ? "an integer" : "a number"}${range ? ` ${range}` : ""} in decimal, received '${String(v)}'`);
  }
  return n;
}

/** --seed: an integer in [0, SEED_MAX]. */
export function seedNum(command: string, v: unknown): number {
  return num(command, "seed", v, { integer: true, min: 0, max: SEED_MAX });
}

export function optionalNum(command: string, name: string, v: unknown, o: { integer?: boolean; min?: number } = {}): number | undefined {
  return v === undefined ? undefined : num(command, name, v, o);
}

/** The flags typed on the command line (parseFlags also fills defaults, which these are not). */
export function givenFlags(argv: readonly string[]): Set<string> {
  const names = argv.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]!);
  return new Set(argv.includes("-h") ? [...names, "help"] : names);
}

/** Refuses, as a usage error naming both, each of `flags` that was typed where `context` (a flag as typed, e.g. "--oracle") makes it meaningless. */
export function refuseFlags(command: string, given: ReadonlySet<string>, flags: readonly string[], context: string): void {
  const stray = flags.filter((name) => given.has(name));
  if (stray.length > 0) throw new UsageError(`${command}: --${stray[0]} does not apply with ${context}${stray.length > 1 ? ` (nor ${stray.slice(1).map((s) => `--${s}`).join(", ")})` : ""}`);
}
