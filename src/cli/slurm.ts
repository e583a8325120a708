/**
 * `npm run slurm`: the rebuild as a Slurm job array. Array task i runs `reports --shard i/N` (runner/shards: a
 * stable assignment balanced by recorded cost) in the checkout, which must be on a filesystem the compute nodes
 * share; a second job, dependent on the whole array (`--dependency=afterok`), renders the reports once
 * (`reports --render-only`). Records are written create-if-absent (core/record-store), so shards never corrupt
 * each other's records, and each notebook's results folder is locked by the one shard that runs it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkProfile, type Profile } from '../core/params';
import { paths } from '../core/paths';
import { listNotebooks, validateSelection } from '../runner/run-all';
import { shardPlan } from '../runner/shards';

export interface SlurmOptions {
  profile: Profile;
  shards: number;
  partition?: string;
  /** Slurm time limit per array task, e.g. `02:00:00`. */
  time?: string;
  cpusPerTask: number;
  only: string[];
  dryRun: boolean;
  /** Print the shard plan (notebooks and recorded cost per shard) and stop. */
  plan: boolean;
  noFigures: boolean;
  /** Node.js on the compute nodes (default: the one running this command). */
  node: string;
  /** Where the sbatch scripts and the job logs go. */
  logDir: string;
}

export class SlurmUsageError extends Error {
  name = 'UsageError';
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function parseSlurmArgs(argv: string[]): SlurmOptions {
  const o: SlurmOptions = {
    profile: 'full',
    shards: 4,
    cpusPerTask: 2,
    only: [],
    dryRun: false,
    plan: false,
    noFigures: false,
    node: process.execPath,
    logDir: path.join(paths.reports(), 'slurm'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new SlurmUsageError(`slurm: ${flag} needs a value.`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new SlurmUsageError(`slurm: ${flag} must be a positive integer.`);
      return n;
    };
    switch (flag) {
      case '--profile':
        o.profile = checkProfile(value(), '--profile');
        break;
      case '--shards':
        o.shards = positive(value());
        break;
      case '--cpus-per-task':
        o.cpusPerTask = positive(value());
        break;
      case '--partition':
        o.partition = value();
        break;
      case '--time': {
        const v = value();
        if (!/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(v))
          throw new SlurmUsageError(`slurm: --time ${v}: use Slurm's format, e.g. 90, 02:00:00 or 1-00:00:00.`);
        o.time = v;
        break;
      }
      case '--only':
        o.only.push(
          ...value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        break;
      case '--node':
        o.node = value();
        break;
      case '--log-dir':
        o.logDir = path.resolve(value());
        break;
      case '--dry-run':
        o.dryRun = true;
        break;
      case '--plan':
        o.plan = true;
        break;
      case '--no-figures':
        o.noFigures = true;
        break;
      default:
        throw new SlurmUsageError(
          `slurm: unknown option ${arg}. Options: --profile, --shards, --partition, --time, --cpus-per-task, ` +
            `--only, --node, --log-dir, --no-figures, --dry-run, --plan.`,
        );
    }
  }
  validateSelection(o.only, listNotebooks());
  return o;
}

/** The environment the jobs need from the submitting shell (results/reports folders, profile). */
function exportedEnv(): string[] {
  return ['RLMINI_RESULTS_DIR', 'RLMINI_REPORTS_DIR', 'RLMINI_WORKERS']
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `export ${k}=${q(process.env[k]!)}`);
}

/** The two sbatch scripts: the shard array and the render job. */
export function sbatchScripts(o: SlurmOptions): { array: string; render: string } {
  const root = paths.root();
  const common = (name: string) =>
    [
      `#SBATCH --job-name=${name}`,
      ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
      ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ].join('\n');
  const only = o.only.length ? ` --only ${q(o.only.join(','))}` : '';
  const head = (lines: string[]) =>
    ['set -euo pipefail', `cd ${q(root)}`, `NODE=\${RLMINI_NODE:-${q(o.node)}}`, ...exportedEnv(), ...lines].join('\n');
  const array = [
    '#!/bin/bash',
    `# rl-miniatures: the ${o.profile} rebuild as ${o.shards} shards (npm run slurm); each array task runs one shard.`,
    common(`rlmini-${o.profile}`),
    `#SBATCH --array=0-${o.shards - 1}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    `#SBATCH --output=${path.join(o.logDir, `shard-%A_%a.out`)}`,
    head([
      `"$NODE" dist/cli/main.js reports --profile ${o.profile} --shard "$SLURM_ARRAY_TASK_ID/${o.shards}" ` +
        `--jobs "\${SLURM_CPUS_PER_TASK:-1}"${only}`,
    ]),
    '',
  ].join('\n');
  const render = [
    '#!/bin/bash',
    `# rl-miniatures: render the ${o.profile} reports once every shard succeeded (submitted with afterok).`,
    common(`rlmini-${o.profile}-render`),
    `#SBATCH --cpus-per-task=1`,
    `#SBATCH --output=${path.join(o.logDir, `render-%j.out`)}`,
    head([
      `"$NODE" dist/cli/main.js reports --profile ${o.profile} --render-only${o.noFigures ? ' --no-figures' : ''}`,
    ]),
    '',
  ].join('\n');
  return { array, render };
}

function sbatch(args: string[]): string {
  try {
    return execFileSync('sbatch', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(
        'slurm: `sbatch` is not on the PATH: run this on a Slurm login node, or use --dry-run to print the scripts.',
      );
    throw new Error(`slurm: sbatch ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Writes the scripts, submits them (array, then render with afterok) and returns the job ids. */
export function submitSlurm(o: SlurmOptions): { arrayId: string; renderId: string; files: string[] } {
  fs.mkdirSync(o.logDir, { recursive: true });
  const s = sbatchScripts(o);
  const fa = path.join(o.logDir, `rlmini-${o.profile}-shards.sbatch`);
  const fr = path.join(o.logDir, `rlmini-${o.profile}-render.sbatch`);
  fs.writeFileSync(fa, s.array, { mode: 0o755 });
  fs.writeFileSync(fr, s.render, { mode: 0o755 });
  const arrayId = sbatch(['--parsable', fa]).split(';')[0];
  const renderId = sbatch(['--parsable', `--dependency=afterok:${arrayId}`, fr]).split(';')[0];
  return { arrayId, renderId, files: [fa, fr] };
}

export function runSlurm(argv: string[]): number {
  const o = parseSlurmArgs(argv);
  const ids = o.only.length ? o.only : listNotebooks();
  if (o.plan) {
    const p = shardPlan(ids, o.profile, o.shards);
    p.shards.forEach((s, i) =>
      console.log(`shard ${i}/${o.shards}: ${(s.cost / 60000).toFixed(1)} min recorded — ${s.ids.join(', ')}`),
    );
    console.log(
      `total ${(p.totalMs / 60000).toFixed(1)} min of recorded compute (incl. ${ids.length} × notebook overhead); ` +
        `largest shard ${(p.makespanMs / 60000).toFixed(1)} min: ideal speed-up ${p.speedup.toFixed(2)}× on ` +
        `${o.shards} nodes (from scratch, one shard per node)`,
    );
    return 0;
  }
  if (o.dryRun) {
    const s = sbatchScripts(o);
    console.log(`# --- shards (sbatch) ---\n${s.array}\n# --- render (sbatch --dependency=afterok:<shards>) ---`);
    console.log(s.render);
    return 0;
  }
  const r = submitSlurm(o);
  console.log(
    `submitted: shards job ${r.arrayId} (array 0-${o.shards - 1}), render job ${r.renderId} (afterok:${r.arrayId})\n` +
      `  follow:  squeue -j ${r.arrayId},${r.renderId}    logs: ${o.logDir}/\n` +
      `  scripts: ${r.files.join(', ')}\n` +
      `  if a shard fails, the render job never starts: fix it, then run \`npm run reports -- --render-only\`.`,
  );
  return 0;
}
