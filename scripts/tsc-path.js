/**
 * The one TypeScript compiler of the kit: the fork that tslab compiles notebook cells with
 * (@tslab/typescript-for-tslab, installed with tslab). `npm run build`, the CLI's rebuild-on-change
 * (scripts/cli.js) and the test type-check all use it, so the compiled files — and with them every record's
 * key, which hashes the compiled import closure — do not depend on which entry point built `dist/`.
 * (Two compilers emit different JavaScript for the same source: typescript 5.4 keeps `1_000_000` under the
 * ES2022 target, the tslab fork (5.0) writes `1000000`; a `dist/` built by the other one re-keys every record
 * whose closure holds such a file.) `node_modules/.bin/tsc` is not used: it is whichever package's `tsc` npm
 * linked last.
 */
'use strict';
module.exports = require.resolve('@tslab/typescript-for-tslab/bin/tsc');
