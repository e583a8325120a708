#!/usr/bin/env node
// `npm run check:format` (part of `npm test`): the formatter's check over the sources, and no line
// over 120 characters in sources, tests, scripts or notebooks (code and markdown cells).
// Fix with `npm run format` (prettier --write); long strings, comments and notebook lines by hand.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const MAX = 120;
const SKIP = new Set(['src/nn/gemm-wasm.ts', 'src/nn/gemm-wasm-next.ts']);
const problems = [];

const prettier = spawnSync(
  process.execPath,
  [require.resolve('prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', 'src', 'tests', 'scripts'],
  { cwd: ROOT, encoding: 'utf8' },
);
if (prettier.status !== 0) {
  problems.push(
    `prettier: these files are not formatted (run \`npm run format\`):\n${prettier.stdout}${prettier.stderr}`,
  );
}

function walk(dir, exts, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walk(p, exts, out);
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

let long = 0;
for (const file of walk(path.join(ROOT, 'src'), ['.ts', '.js', '.css', '.njk'])
  .concat(walk(path.join(ROOT, 'tests'), ['.ts']))
  .concat(walk(path.join(ROOT, 'scripts'), ['.js']))) {
  const rel = path.relative(ROOT, file);
  if (SKIP.has(rel)) continue;
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if ([...line].length > MAX) {
        long++;
        if (long <= 40) problems.push(`${rel}:${i + 1}: ${[...line].length} characters (max ${MAX})`);
      }
    });
}
for (const file of walk(path.join(ROOT, 'notebooks'), ['.ipynb'])) {
  const rel = path.relative(ROOT, file);
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  nb.cells.forEach((c, ci) => {
    const src = Array.isArray(c.source) ? c.source.join('') : c.source;
    src.split('\n').forEach((line, li) => {
      if ([...line].length > MAX) {
        long++;
        if (long <= 40) {
          problems.push(`${rel}: cell ${ci + 1} (${c.cell_type}) line ${li + 1}: ${[...line].length} characters`);
        }
      }
    });
  });
}
if (long > 40) problems.push(`… and ${long - 40} more lines over ${MAX} characters`);
if (problems.length) {
  console.error(`check:format failed:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check:format: sources, tests, scripts and notebooks formatted, no line over ${MAX} characters.`);
