import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { COMMITTED_TRUTH_NAME, packageFile, packageRoot } from "../../data/package_files.js";

// The package's own files are found from the package root, wherever the
// code runs from; this checkout's root is two folders above this test.

const checkout = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

describe("package files", () => {
  it("finds the checkout's root, the folder whose package.json names kshot, and the same one each time", () => {
    assert.equal(packageRoot(), checkout);
    assert.equal(packageRoot(), checkout, "cached");
    assert.equal(JSON.parse(readFileSync(packageFile("package.json"), "utf8")).name, "kshot");
    assert.equal(packageFile("data/fashion-mnist-subset"), join(checkout, "data", "fashion-mnist-subset"));
  });

  it("names the committed truth table where it is", () => {
    assert.equal(COMMITTED_TRUTH_NAME, "studies/nb201-fashion-mnist-truth.csv");
    assert.ok(existsSync(packageFile(COMMITTED_TRUTH_NAME)));
  });
});
