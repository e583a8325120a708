#!/usr/bin/env node
// `npm run build`: remove outputs whose source is gone, compile src/ with the kit's one compiler
// (scripts/tsc-path.js), and stamp the sources so that `npm run reports|verify|…` (scripts/cli.js) knows dist/ is
// current. Extra arguments go to tsc (e.g. `-p tsconfig.tests.json --noEmit` for the tests' type-check).
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const TSC = require('./tsc-path');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const typeCheckOnly = args.length > 0;
if (!typeCheckOnly) {
  const clean = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'clean-dist.js')], { stdio: 'inherit' });
  if (clean.status !== 0) process.exit(clean.status || 1);
}
const tsc = spawnSync(process.execPath, [TSC, ...(typeCheckOnly ? args : ['-p', path.join(ROOT, 'tsconfig.json')])], {
  stdio: 'inherit',
  cwd: ROOT,
});
if (tsc.status !== 0) process.exit(tsc.status || 1);
if (!typeCheckOnly) require('./src-stamp').writeStamp();
