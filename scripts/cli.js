#!/usr/bin/env node
// The npm scripts' entry (`npm run reports|verify|kernel|bench -- …`): build the library (scripts/build.js, the
// same build as `npm run build`) only when a source changed since the last build (scripts/src-stamp.js), then run
// the CLI.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { isCurrent } = require('./src-stamp');

const ROOT = path.resolve(__dirname, '..');
if (!isCurrent()) {
  process.stderr.write('rl-miniatures: sources changed since the last build; compiling (tsc)…\n');
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { stdio: 'inherit', cwd: ROOT });
  if (build.status !== 0) {
    process.stderr.write('rl-miniatures: the build failed (see above); nothing was run.\n');
    process.exit(build.status || 1);
  }
}
const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (r.signal) process.kill(process.pid, r.signal);
process.exit(r.status ?? 1);
