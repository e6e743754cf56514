import { readFileSync } from "node:fs";

export interface Table { columns: string[]; rows: string[][]; path: string }

/** Splits one CSV line (RFC 4180 quotes: "a,b" and "" inside quotes). */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { out.push(cur); cur = ""; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A CSV file with a header row; a row with the wrong number of fields is an error naming the line. */
export function readCsv(path: string): Table {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error(`${path}: empty file, expected a header row`);
  const columns = splitLine(lines[0]!).map((c) => c.trim());
  const rows = lines.slice(1).map((l, i) => {
    const r = splitLine(l);
    if (r.length !== columns.length) throw new Error(`${path}: line ${i + 2} has ${r.length} fields, expected ${columns.length}`);
    return r;
  });
  return { columns, rows, path };
}

/** Index of a column, or an error listing the ones there are. */
export function columnIndex(t: Table, name: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`${t.path}: no column '${name}' (columns: ${t.columns.join(", ")})`);
  return i;
}

/** Plain decimal notation: no surrounding spaces, no hex, no "Infinity". */
export const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Numeric values of a column keyed by another column. Errors name the line:
 * a value that is not a plain decimal, a key with spaces around it, a key
 * seen before (which would otherwise silently replace the first), no rows.
 */
export function numericColumn(t: Table, key: string, value: string): Map<string, number> {
  const k = columnIndex(t, key), v = columnIndex(t, value);
  if (t.rows.length === 0) throw new Error(`${t.path}: no rows below the header`);
  const out = new Map<string, number>();
  const lineOf = new Map<string, number>();
  t.rows.forEach((r, i) => {
    const line = i + 2, id = r[k]!;
    if (!DECIMAL.test(r[v]!)) throw new Error(`${t.path}: line ${line}: '${r[v]}' in column '${value}' is not a plain decimal number`);
    if (id !== id.trim() || id === "") throw new Error(`${t.path}: line ${line}: the ${key} '${id}' is empty or has spaces around it`);
    const first = lineOf.get(id);
    if (first !== undefined) throw new Error(`${t.path}: line ${line}: ${key} '${id}' again (first on line ${first})`);
    lineOf.set(id, line);
    out.set(id, Number(r[v]));
  });
  return out;
}
