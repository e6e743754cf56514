// Loader of the mutation run's test processes (`nodeArgs` in
// stryker.config.mjs): a `.ts` module is loaded from the JavaScript that the
// build step (scripts/mutation-transpile.mjs) wrote beside it. Test files
// keep their own names (test/x.test.ts), which are files of the checkout,
// so Stryker's incremental mode can diff them against the last run; named
// as the emitted .js files, every test looked deleted and re-added, and
// each run re-tested every mutant. Imports already name `.js`.
import { register } from "node:module";

register("./mutation-loader-hooks.mjs", import.meta.url);
