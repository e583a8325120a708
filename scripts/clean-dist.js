#!/usr/bin/env node
/**
 * Remove build outputs whose source is gone: dist/<p>.js, .d.ts and their maps for which src/<p>.ts no longer exists
 * (tsc never deletes them). A stale module would still import from notebooks and keep records of a deleted or moved
 * task alive (the record pruner asks whether its task module still loads). Run before every build (`npm run build`).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const src = path.join(root, 'src');

function walk(dir) {
  let removed = 0;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      removed += walk(p);
      if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
      continue;
    }
    const m = /^(.*?)(\.js|\.d\.ts)(\.map)?$/.exec(ent.name);
    if (!m) continue;
    const rel = path.relative(dist, path.join(dir, m[1]));
    if (!fs.existsSync(path.join(src, rel + '.ts'))) {
      fs.rmSync(p, { force: true });
      removed++;
    }
  }
  return removed;
}

if (fs.existsSync(dist)) {
  const n = walk(dist);
  if (n) console.log(`clean-dist: removed ${n} stale file(s) from dist/ (their src/*.ts is gone)`);
}
