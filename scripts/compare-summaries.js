#!/usr/bin/env node
// Compare the results of two sets of summaries, bit for bit: every verdict (claim id, status,
// estimate, interval, seeds) and every table cell. Used to prove that a refactor moved no result.
//   node scripts/compare-summaries.js <resultsDirA> <resultsDirB> [--profile full] [id ...]
// Each dir holds <id>/<profile>/summary.json (e.g. data/results and a scratch RLMINI_RESULTS_DIR).
// Exit 0 when identical, 1 with a list of differences.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
let profile = 'full';
const pos = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--profile') profile = args[++i];
  else pos.push(args[i]);
}
const [a, b, ...only] = pos;
if (!a || !b) {
  console.error('usage: node scripts/compare-summaries.js <resultsDirA> <resultsDirB> [--profile full] [id ...]');
  process.exit(2);
}
const ids = only.length
  ? only
  : fs.readdirSync(a).filter((d) => fs.existsSync(path.join(a, d, profile, 'summary.json')));
const diffs = [];
const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
let nVerdicts = 0;
let nCells = 0;
for (const id of ids) {
  const read = (dir) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, id, profile, 'summary.json'), 'utf8'));
    } catch (e) {
      diffs.push(`${id}: cannot read ${dir}/${id}/${profile}/summary.json (${e.message})`);
      return null;
    }
  };
  const sa = read(a);
  const sb = read(b);
  if (!sa || !sb) continue;
  const vb = new Map(sb.verdicts.map((v) => [v.claimId, v]));
  for (const v of sa.verdicts) {
    nVerdicts++;
    const w = vb.get(v.claimId);
    if (!w) {
      diffs.push(`${id}: verdict ${v.claimId} missing in B`);
      continue;
    }
    for (const k of ['status', 'estimate', 'lo', 'hi', 'nSeeds', 'level']) {
      if (!same(v[k], w[k])) diffs.push(`${id}: ${v.claimId}.${k}: ${JSON.stringify(v[k])} vs ${JSON.stringify(w[k])}`);
    }
    vb.delete(v.claimId);
  }
  for (const k of vb.keys()) diffs.push(`${id}: verdict ${k} only in B`);
  const tb = new Map(sb.tables.map((t) => [t.name, t]));
  for (const t of sa.tables) {
    const u = tb.get(t.name);
    if (!u) {
      diffs.push(`${id}: table ${t.name} missing in B`);
      continue;
    }
    t.rows.forEach((row, i) =>
      row.forEach((cell, j) => {
        nCells++;
        const other = u.rows[i] ? u.rows[i][j] : undefined;
        if (!same(cell, other))
          diffs.push(`${id}: table ${t.name} row ${i} col ${j}: ${JSON.stringify(cell)} vs ${JSON.stringify(other)}`);
      }),
    );
  }
}
if (diffs.length) {
  console.error(`${diffs.length} difference(s):\n${diffs.slice(0, 200).join('\n')}`);
  process.exit(1);
}
console.log(`identical: ${ids.length} papers, ${nVerdicts} verdicts, ${nCells} table cells (${profile}).`);
