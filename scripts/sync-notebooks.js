#!/usr/bin/env node
// `npm run sync-notebooks [-- --check] [ids…]`: regenerate each notebook's paper header and deviations
// cells from its metadata.paper (src/report/paper-cells.ts). --check changes nothing and exits 1 when a
// notebook is out of sync (what the tests run).
'use strict';
const fs = require('fs');
const path = require('path');
const ROOT = path.resolve(__dirname, '..');
const dist = path.join(ROOT, 'dist', 'report', 'paper-cells.js');
if (!fs.existsSync(dist)) {
  console.error('rl-miniatures: dist/ is not built: run `npm run build` first.');
  process.exit(2);
}
const { syncPaperCells, serialiseNotebook } = require(dist);
const args = process.argv.slice(2);
const check = args.includes('--check');
const ids = args.filter((a) => !a.startsWith('--'));
const dir = process.env.RLMINI_NOTEBOOKS_DIR
  ? path.resolve(process.env.RLMINI_NOTEBOOKS_DIR)
  : path.join(ROOT, 'notebooks');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ipynb') && (ids.length === 0 || ids.includes(f.replace(/\.ipynb$/, ''))))
  .sort();
let out = 0;
for (const f of files) {
  const file = path.join(dir, f);
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Testbed validity gates (testbed-*) are not papers: their prose is their own. Scratch notebooks have no
  // metadata.paper.
  if (f.startsWith('testbed-') || !nb.metadata || !nb.metadata.paper) continue;
  const { notebook, changes } = syncPaperCells(nb, path.relative(ROOT, file));
  if (!changes.length) continue;
  out++;
  if (check) console.error(`${path.relative(ROOT, file)}: out of sync with its metadata.paper (${changes.join('; ')})`);
  else {
    fs.writeFileSync(file, serialiseNotebook(notebook));
    console.log(`${path.relative(ROOT, file)}: ${changes.join('; ')}`);
  }
}
if (check && out) {
  console.error('Run `npm run sync-notebooks` to regenerate those cells from metadata.paper.');
  process.exit(1);
}
if (!check) console.log(`sync-notebooks: ${out} of ${files.length} notebook(s) updated.`);
