#!/usr/bin/env node
// The `kshot` command in a checkout: the compiled CLI in dist/ (built by
// `npm install` or `npm run build`). The installed package's bin is dist/cli/bin.js.
try {
  await import("../dist/cli/bin.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("dist/cli/bin.js")) throw e;
  console.error("kshot: dist/ is not built; run 'npm run build' (npm install does it)");
  process.exitCode = 1;
}
