import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DECIMAL, columnIndex, numericColumn, readCsv } from "../../data/csv.js";
import { tempDir } from "../helpers/temp_dir.js";

// The CSV reader behind the truth tables and score files, on hand-written
// files: RFC 4180 quoting, and errors that name the file and the line.

const dir = tempDir("kshot-csv-");
let n = 0;
function csv(text: string): string {
  const path = join(dir, `t${n++}.csv`);
  writeFileSync(path, text);
  return path;
}

describe("readCsv", () => {
  it("reads the header and rows, with quoted commas, doubled quotes, CRLF and blank lines", () => {
    const path = csv('arch, acc ,note\r\n|a|,0.5,"x, y"\r\n\n"say ""hi""",1e-3,\n"a""b,c",2,z\n   \n');
    const t = readCsv(path);
    assert.deepEqual(t.columns, ["arch", "acc", "note"], "header names trimmed");
    assert.deepEqual(t.rows, [["|a|", "0.5", "x, y"], ['say "hi"', "1e-3", ""], ['a"b,c', "2", "z"]]);
    assert.equal(t.path, path);
  });

  it("keeps spaces inside fields and a quote that closes mid-field", () => {
    const t = readCsv(csv('a,b\n x ,"q"r\n'));
    assert.deepEqual(t.rows, [[" x ", "qr"]]);
  });

  it("names the line of a row with the wrong number of fields", () => {
    const path = csv("a,b\n1,2\n3\n");
    assert.throws(() => readCsv(path), new RegExp(`^Error: ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: line 3 has 1 fields, expected 2$`));
    assert.throws(() => readCsv(csv("a,b\n1,2,3\n")), /: line 2 has 3 fields, expected 2$/);
  });

  it("refuses an empty file and a missing one", () => {
    assert.throws(() => readCsv(csv("\n \n")), /: empty file, expected a header row$/);
    assert.throws(() => readCsv(join(dir, "absent.csv")), /absent\.csv: cannot read \(ENOENT\)$/);
  });
});

describe("columnIndex", () => {
  it("finds a column, or lists the ones there are", () => {
    const t = { columns: ["arch", "acc"], rows: [], path: "f.csv" };
    assert.equal(columnIndex(t, "acc"), 1);
    assert.equal(columnIndex(t, "arch"), 0);
    assert.throws(() => columnIndex(t, "loss"), /^Error: f\.csv: no column 'loss' \(columns: arch, acc\)$/);
  });
});

describe("DECIMAL", () => {
  it("takes plain decimal notation only", () => {
    for (const ok of ["1", "-2", "+3", "0.5", "5.", ".5", ".25", "1e3", "1e12", "1E-3", "-1.5e+2"]) assert.ok(DECIMAL.test(ok), ok);
    for (const bad of ["", " 1", "1 ", "0x10", "Infinity", "NaN", "1e", "e3", ".", "1.2.3", "--1", "1,5"]) assert.ok(!DECIMAL.test(bad), bad);
  });
});

describe("numericColumn", () => {
  const table = (rows: string[][]) => ({ columns: ["arch", "acc"], rows, path: "s.csv" });

  it("maps each key to its number", () => {
    const m = numericColumn(table([["a", "0.25"], ["b", "-1e-2"]]), "arch", "acc");
    assert.deepEqual([...m], [["a", 0.25], ["b", -0.01]]);
  });

  it("names the line of a value that is not a plain decimal, a blank or padded key, a repeated key", () => {
    assert.throws(() => numericColumn(table([["a", "1"], ["b", "0x1"]]), "arch", "acc"), /^Error: s\.csv: line 3: '0x1' in column 'acc' is not a plain decimal number$/);
    assert.throws(() => numericColumn(table([[" a", "1"]]), "arch", "acc"), /^Error: s\.csv: line 2: the arch ' a' is empty or has spaces around it$/);
    assert.throws(() => numericColumn(table([["a ", "1"]]), "arch", "acc"), /the arch 'a ' is empty/);
    assert.throws(() => numericColumn(table([["", "1"]]), "arch", "acc"), /line 2: the arch '' is empty/);
    assert.throws(() => numericColumn(table([["a", "1"], ["b", "2"], ["a", "3"]]), "arch", "acc"), /^Error: s\.csv: line 4: arch 'a' again \(first on line 2\)$/);
  });

  it("refuses a table without rows, and unknown columns", () => {
    assert.throws(() => numericColumn(table([]), "arch", "acc"), /^Error: s\.csv: no rows below the header$/);
    assert.throws(() => numericColumn(table([["a", "1"]]), "arch", "loss"), /no column 'loss'/);
    assert.throws(() => numericColumn(table([["a", "1"]]), "name", "acc"), /no column 'name'/);
  });
});
