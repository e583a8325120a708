#!/usr/bin/env node
/** The command behind the npm scripts: reports, kernel, bench. */
import * as os from 'os';
import * as path from 'path';
import { parseOverride, checkProfile, type Profile } from '../core/params';
import { paths } from '../core/paths';
import { executedNotebookFile } from '../core/executed';
import { gitState } from '../core/provenance';
import { buildReports, figuresDir, reportFigures } from '../report/build';
import { cellTimeoutMs } from '../runner/kernel';
import { runAll } from '../runner/run-all';
import { parseShard, ShardError, type ShardSpec } from '../runner/shards';
import { requireJupyter } from '../runner/tools';
import {
  printSummaryChecks,
  printVerifyReport,
  verifyRecords,
  verifySummaries,
  type VerifyOptions,
} from '../runner/verify';
import { installKernel } from './kernel-install';

// One usage line per command; the long ones are split into pieces that print as one line.
const USAGE =
  'usage:\n' +
  '  npm run reports [-- --profile smoke|full|large] [--only <id>[,<id>...]] [--fresh] [--jobs N] [--cell-timeout S] ' +
  '[--param name=value] [--render-only] [--no-figures] [--publish] [--shard I/N]\n' +
  '  npm run slurm -- [--profile full|smoke] [--shards N] [--partition P] [--time T] [--cpus-per-task C] ' +
  '[--only <id>,...] [--dry-run] [--plan]\n' +
  '  node dist/cli/main.js k8s [--shards N] [--profile P] [--image I] [--claim C] [--only-shards|--only-render]\n' +
  '  npm run reports -- --verify N [--only <id>] [--sample-seed S] [--tolerance T]   ' +
  '(same as: node dist/cli/main.js verify --sample N …)\n' +
  '  node dist/cli/main.js verify [--sample N | --all] [--only <id>[,<id>...]] [--profile full|smoke] ' +
  '[--sample-seed S] [--tolerance T]\n' +
  '  node dist/cli/main.js verify --summaries [--only <id>[,<id>...]] [--profile full|smoke]   ' +
  '(re-derive every summary from its stored records)\n' +
  '  node dist/cli/main.js rekey --only <id>[,<id>...] [--profile full|smoke] [--verify N | --verify all] ' +
  '[--task-keys] [--dry-run]   ' +
  '(carry records across a code change that leaves their numbers unchanged, after re-deriving N per task; ' +
  "--task-keys: also drop the notebook hash from task records' keys)\n" +
  '  npm run kernel [-- --force]\n' +
  '  npm run bench\n' +
  'exit status: 0 ok; 1 a notebook failed or records are not re-derivable; 2 bad arguments or parameters;\n' +
  '  3 a required program is missing (tslab kernel, Jupyter); 130/143 interrupted (Ctrl-C / SIGTERM)';

class UsageError extends Error {
  name = 'UsageError';
}

export interface ReportsArgs {
  profile: Profile;
  only: string[];
  fresh: boolean;
  jobs: number;
  cellTimeoutS: number;
  params: Record<string, unknown>;
  renderOnly: boolean;
  /** `--shard I/N`: run only shard I of N (records only; `--render-only` renders afterwards). */
  shard: ShardSpec | null;
  /** `--verify N`: re-derive N committed records instead of building (see verify). */
  verify: number | null;
  sampleSeed?: number;
  tolerance: number;
}

export function parseReportsArgs(argv: string[]): ReportsArgs {
  const a: ReportsArgs = {
    profile: 'full',
    only: [],
    fresh: false,
    jobs: Math.max(1, os.cpus().length),
    cellTimeoutS: 900,
    params: {},
    renderOnly: false,
    shard: null,
    verify: null,
    tolerance: 0,
  };
  const envProfile = process.env.RLMINI_PROFILE;
  if (envProfile) a.profile = checkProfile(envProfile, 'RLMINI_PROFILE');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.includes('=') && arg.startsWith('--') && !arg.startsWith('--param')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--profile':
        a.profile = checkProfile(value(), '--profile');
        break;
      case '--only':
        a.only.push(
          ...value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        break;
      case '--fresh':
        a.fresh = true;
        break;
      case '--render-only':
        a.renderOnly = true;
        break;
      case '--shard':
        try {
          a.shard = parseShard(value());
        } catch (e) {
          if (e instanceof ShardError) throw new UsageError(e.message);
          throw e;
        }
        break;
      case '--jobs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer.`);
        a.jobs = n;
        break;
      }
      case '--cell-timeout': {
        const v = value();
        const n = Number(v);
        try {
          cellTimeoutMs(n);
        } catch (e) {
          throw new UsageError((e as Error).message.replace(`, got ${String(n)}`, `, got "${v}"`));
        }
        a.cellTimeoutS = n;
        break;
      }
      case '--verify':
      case '--sample': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1)
          throw new UsageError(`${flag} must be a positive integer (how many committed records to re-derive).`);
        a.verify = n;
        break;
      }
      case '--sample-seed': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
          throw new UsageError(`--sample-seed must be an integer in [0, 2^32 - 1].`);
        a.sampleSeed = n;
        break;
      }
      case '--tolerance': {
        const n = Number(value());
        if (!(n >= 0) || !Number.isFinite(n))
          throw new UsageError(
            `--tolerance must be a non-negative number (relative difference allowed; 0 = bit-identical).`,
          );
        a.tolerance = n;
        break;
      }
      case '--param': {
        const [k, v] = parseOverride(value());
        if (k === 'profile') throw new UsageError('Use --profile, not --param profile=….');
        a.params[k] = v;
        break;
      }
      default:
        throw new UsageError(`unknown option ${arg}.\n${USAGE}`);
    }
  }
  return a;
}

async function verify(args: ReportsArgs): Promise<number> {
  const opts: VerifyOptions = {
    profile: args.profile,
    only: args.only,
    sample: args.verify ?? 3,
    sampleSeed: args.sampleSeed,
    tolerance: args.tolerance,
  };
  const rep = await verifyRecords(opts);
  return printVerifyReport(rep, opts);
}

async function rekey(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const taskKeys = argv.includes('--task-keys');
  let verifyN = 1;
  const at = argv.indexOf('--verify');
  const rest = argv.filter(
    (a, i) => a !== '--dry-run' && a !== '--task-keys' && (at < 0 || (i !== at && i !== at + 1)),
  );
  if (at >= 0) {
    const v = argv[at + 1];
    verifyN = v === 'all' ? Infinity : Number(v);
    if (!(verifyN >= 1) || (v !== 'all' && !Number.isInteger(verifyN)))
      throw new UsageError(`rekey: --verify takes a positive integer or 'all', got ${v ?? 'nothing'}.\n${USAGE}`);
  }
  const args = parseReportsArgs(rest);
  if (args.only.length === 0)
    throw new UsageError(`rekey: name the papers whose records to carry (--only <id>,...).\n${USAGE}`);
  const { rekeyRecords, printRekeyReport } = await import('../runner/rekey');
  const rep = await rekeyRecords({
    profile: args.profile,
    only: args.only,
    verify: verifyN,
    dryRun,
    taskKeys,
    log: console.log,
  });
  return printRekeyReport(rep);
}

async function reports(argv: string[]): Promise<number> {
  // --no-figures: skip the static SVG/PNG/PDF export (handled here so ReportsArgs stays as it is).
  const noFigures = argv.includes('--no-figures');
  // --publish: re-stamp full results computed from a dirty tree, from a clean checkout (see report/publication).
  const publish = argv.includes('--publish');
  const args = parseReportsArgs(argv.filter((a) => a !== '--no-figures' && a !== '--publish'));
  if (args.verify !== null) return verify(args);
  if (args.shard && args.renderOnly)
    throw new UsageError('--shard runs notebooks and --render-only runs none: use one or the other.');
  if (publish) {
    if (args.profile !== 'full' || args.renderOnly)
      throw new UsageError('--publish re-runs full-profile results: use it without --profile smoke and --render-only.');
    if (gitState().dirty)
      throw new UsageError(
        '--publish: refusing to publish from a working tree with uncommitted changes (`git status` lists them). ' +
          'Commit them (or stash them), then run `npm run reports -- --publish` again.',
      );
  }
  const t0 = Date.now();
  let failed = 0;
  if (!args.renderOnly) {
    const outcomes = await runAll({ ...args, publish });
    failed = outcomes.filter((o) => o.status !== 'ok').length;
    const ran = outcomes.filter((o) => !o.cached).length;
    console.log(
      `notebooks: ${outcomes.length} (${ran} executed, ${outcomes.length - ran} unchanged), ${failed} failed, ` +
        `profile ${args.profile}`,
    );
    for (const o of outcomes) for (const w of o.warnings ?? []) console.error(`  ! notebooks/${o.id}.ipynb: ${w}`);
    if (args.shard)
      console.log(
        `shard ${args.shard.index}/${args.shard.count}: ${outcomes.map((o) => o.id).join(', ') || '(no notebooks)'}`,
      );
    for (const o of outcomes.filter((x) => x.status !== 'ok')) {
      console.error(`  ✗ notebooks/${o.id}.ipynb${o.failedCellLabel ? `, ${o.failedCellLabel}` : ''}: ${o.error}`);
      if (!o.unsaved)
        console.error(
          '    executed notebook with the error: ' +
            path.relative(process.cwd(), executedNotebookFile(o.id, args.profile)),
        );
    }
  }
  if (args.shard) {
    // Shards share one results folder; the reports are rendered once, after all shards (`--render-only`).
    console.log('reports: not rendered by a shard; run `npm run reports -- --render-only` once every shard is done.');
    return failed > 0 ? 1 : 0;
  }
  let figuresFailed = 0;
  if (!noFigures) {
    const { exportFigures } = await import('../report/export');
    const fx = await exportFigures(reportFigures({ profile: args.profile }), { dir: figuresDir(args.profile) });
    if (fx.skipped) console.warn(fx.skipped);
    else
      console.log(
        `figures: ${fx.exported.length} exported as SVG/PNG/PDF, ${fx.unchanged.length} unchanged` +
          `${fx.removed.length ? `, ${fx.removed.length} removed` : ''}` +
          `${fx.failed.length ? `, ${fx.failed.length} failed` : ''} (${(fx.ms / 1000).toFixed(1)} s)`,
      );
    for (const f of fx.failed) console.error(`  ✗ figure ${f.id}: ${f.error}`);
    figuresFailed = fx.failed.length;
  }
  const built = buildReports({ profile: args.profile });
  console.log(
    `reports: ${path.relative(process.cwd(), built.index)}, ${built.pages.length} paper pages, ` +
      `${built.comparePages.length} comparison pages; ${built.rendered.length} pages rendered, ` +
      `${built.unchanged.length} unchanged (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  for (const p of built.problems.slice(0, 20)) console.error(`  ! ${p} (not shown on the page)`);
  if (built.problems.length > 20) console.error(`  ! … and ${built.problems.length - 20} more`);
  return failed > 0 || figuresFailed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'reports':
      return reports(rest);
    case 'verify': {
      // --summaries: re-derive every summary from its stored records (cache-only notebook runs).
      if (rest.includes('--summaries')) {
        const args = parseReportsArgs(rest.filter((a) => a !== '--summaries'));
        return printSummaryChecks(await verifySummaries({ profile: args.profile, only: args.only, jobs: args.jobs }));
      }
      // --all: every stored record of the profile (instead of a sample).
      const args = parseReportsArgs(rest.filter((a) => a !== '--all'));
      return verify({ ...args, verify: rest.includes('--all') ? Number.MAX_SAFE_INTEGER : (args.verify ?? 3) });
    }
    case 'rekey':
      return rekey(rest);
    case 'kernel': {
      const force = rest.includes('--force');
      const bad = rest.find((a) => a !== '--force');
      if (bad) throw new UsageError(`unknown option ${bad} for kernel.\n${USAGE}`);
      requireJupyter('`npm run kernel` (registering the tslab kernel with Jupyter)');
      const { dir, note } = installKernel({ force });
      if (note) console.log(note);
      console.log(
        `Registered the tslab TypeScript kernel: ${dir}/kernel.json\n` +
          'Start Jupyter from the repository root (`jupyter notebook` or `jupyter lab`) ' +
          'and open notebooks/<paper-id>.ipynb.',
      );
      return 0;
    }
    case 'bench': {
      const { runBench } = await import('./bench');
      return runBench(rest);
    }
    case 'slurm': {
      const { runSlurm } = await import('./slurm');
      return runSlurm(rest);
    }
    case 'k8s': {
      const { runK8s } = await import('./k8s');
      return runK8s(rest);
    }
    default:
      console.error(cmd ? `unknown command ${cmd}\n${USAGE}` : USAGE);
      return 2;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`rl-miniatures: ${(e as Error).message}`);
      process.exit(
        ['UsageError', 'ParameterError', 'SelectionError', 'KernelSpecConflictError'].includes((e as Error).name)
          ? 2
          : ['ToolMissingError', 'KernelMissingError'].includes((e as Error).name)
            ? 3
            : 1,
      );
    },
  );
}
