/**
 * The build stamp: a hash of every file's path, size and mtime under src/ and of tsconfig.json and package.json,
 * written into dist/ by each build. scripts/cli.js compiles only when the stamp differs (a no-op rebuild answers in
 * about a second instead of paying for tsc).
 */
'use strict';
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
  h.update(`compiler\0${require('./tsc-path')}\0`);
  return h.digest('hex');
}

/** Whether dist/ was built from the current sources (by scripts/build.js). */
function isCurrent() {
  try {
    return fs.readFileSync(STAMP, 'utf8') === sourceStamp() && fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'));
  } catch {
    return false;
  }
}

function writeStamp() {
  fs.writeFileSync(STAMP, sourceStamp());
}

module.exports = { sourceStamp, isCurrent, writeStamp };
