#!/usr/bin/env node
// The npm scripts' entry (`npm run reports|verify|kernel|bench -- …`): compile the library only when a
// source changed since the last build (a stamp of every file's path, size and mtime under src/ and the
// tsconfig), then run the CLI. A no-op rebuild answers in about a second instead of paying for `tsc`.
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.src-stamp');

function sourceStamp() {
  const h = crypto.createHash('sha256');
  const walk = (d) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else h.update(`${path.relative(ROOT, p)}\0${st.size}\0${st.mtimeMs}\0`);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const f of ['tsconfig.json', 'package.json']) {
    const st = fs.statSync(path.join(ROOT, f));
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\0`);
  }
  return h.digest('hex');
}

const stamp = sourceStamp();
let built = false;
try {
  built = fs.readFileSync(STAMP, 'utf8') === stamp && fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
} catch {
  built = false;
}
if (!built) {
  process.stderr.write('rl-miniatures: sources changed since the last build; compiling (tsc)…\n');
  // Outputs whose source was moved or deleted first (tsc never removes them): a stale task module would still load.
  const clean = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'clean-dist.js')], { stdio: 'inherit' });
  if (clean.status !== 0) process.exit(clean.status || 1);
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')],
    {
      stdio: 'inherit',
      cwd: ROOT,
    },
  );
  if (tsc.status !== 0) {
    process.stderr.write('rl-miniatures: the build failed (see above); nothing was run.\n');
    process.exit(tsc.status || 1);
  }
  fs.writeFileSync(STAMP, stamp);
}
const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (r.signal) process.kill(process.pid, r.signal);
process.exit(r.status ?? 1);
