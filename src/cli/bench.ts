/** `npm run bench`: canonical workloads with wall time and backend; results to reports/bench.json. */
import * as fs from 'fs';
import * as path from 'path';
import { paths } from '../core/paths';
import { backendLabel } from '../core/backend';

export interface BenchRow {
  name: string;
  ms: number;
  detail: string;
}

export async function runBench(_argv: string[]): Promise<number> {
  const rows: BenchRow[] = [];
  const add = async (label: string, mod: string, fn: string) => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const m = require(mod);
      const r = await m[fn]();
      rows.push(...(Array.isArray(r) ? r : [r]));
    } catch (e) {
      rows.push({ name: label, ms: NaN, detail: `failed: ${(e as Error).message}` });
    }
  };
  await add('stats', '../stats/bench', 'benchStats');
  await add('value iteration', '../testbeds/tabular/bench', 'benchValueIteration');
  try {
    const { benchGruGrpo } = await import('../testbeds/rlvr/gru-addition');
    const g = await benchGruGrpo();
    rows.push({ name: 'GRPO update, GRU (64 prompts × 8, ≤16 tokens)', ms: Number(g.medianUpdateMs), detail: `sampling ${Number(g.medianSampleMs).toFixed(0)} ms + gradient ${Number(g.medianGradientStepMs).toFixed(0)} ms, backend ${g.backend}, hidden ${g.hidden}` });
    rows.push({ name: 'GRU sampling throughput', ms: Number(g.medianSampleMs), detail: `${Number(g.sampledTokensPerSecond).toFixed(0)} generated tokens/s (512 sequences)` });
  } catch (e) {
    rows.push({ name: 'GRPO update, GRU', ms: NaN, detail: `failed: ${(e as Error).message}` });
  }
  for (const r of rows) console.log(`${r.name.padEnd(48)} ${Number.isFinite(r.ms) ? r.ms.toFixed(2).padStart(10) + ' ms' : '     n/a'}  ${r.detail}`);
  const out = path.join(paths.reports(), 'bench.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), backend: backendLabel(), node: process.version, rows }, null, 1));
  console.log(`→ ${path.relative(process.cwd(), out)}`);
  return rows.some((r) => !Number.isFinite(r.ms)) ? 1 : 0;
}
