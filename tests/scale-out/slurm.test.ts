/**
 * The rebuild as a Slurm job array, on a real single-node Slurm cluster started here (Debian's slurm-wlm and
 * munge; slurmctld + slurmd with a generated slurm.conf, as root): `npm run slurm` submits the smoke profile of
 * three repository notebooks as an array of 3 shards plus the dependent render job; the records must equal a
 * local one-process run's (key, config, metrics, series: everything but the provenance and wall-clock timings,
 * which name host, clock and durations) and the reports must render. Skipped, with the reason printed, where
 * Slurm cannot run (not root, or not installed: `apt-get install slurm-wlm munge`). The daemons it starts are
 * stopped afterwards.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers';
import { runNodeAsync } from '../../src/core/proc';

const BINARIES = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'munged', 'munge'];
const which = (b: string) => spawnSync('sh', ['-c', `command -v ${b} || ls /usr/sbin/${b}`]).status === 0;
const why =
  process.getuid?.() !== 0
    ? 'not root (slurmd must run as root here)'
    : BINARIES.filter((b) => !which(b)).length
      ? `missing ${BINARIES.filter((b) => !which(b)).join(', ')} (apt-get install slurm-wlm munge)`
      : null;
if (why) console.warn(`tests/scale-out/slurm.test.ts skipped: ${why}`);

const NOTEBOOKS = ['cpl', 'starc', 'nash-md'];

function records(dir: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json.gz') && d.endsWith('records')) {
        const r = JSON.parse(zlib.gunzipSync(fs.readFileSync(p)).toString('utf8'));
        const { provenance: _p, checksum: _c, timings: _t, ...rest } = r; // host, clock and wall times differ
        out.set(path.relative(dir, p), rest);
      }
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(why !== null)('npm run slurm on a real single-node Slurm', () => {
  const T = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-slurm-'));
  const conf = path.join(T, 'slurm.conf');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = { ...process.env, SLURM_CONF: conf };
  let startedMunge = false;
  const pidOf = (f: string) => {
    try {
      return Number(fs.readFileSync(path.join(T, f), 'utf8').trim());
    } catch {
      return 0;
    }
  };

  beforeAll(async () => {
    for (const d of ['state', 'spool', 'log']) fs.mkdirSync(path.join(T, d));
    if (spawnSync('munge', ['-n']).status !== 0) {
      fs.mkdirSync('/run/munge', { recursive: true });
      execFileSync('chown', ['munge:munge', '/run/munge']);
      execFileSync('runuser', ['-u', 'munge', '--', '/usr/sbin/munged']);
      startedMunge = true;
    }
    const host = os.hostname();
    fs.writeFileSync(
      conf,
      [
        'ClusterName=rlminitest',
        `SlurmctldHost=${host}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        `SlurmctldPort=${port}`,
        `SlurmdPort=${port + 1}`,
        'AuthType=auth/munge',
        `StateSaveLocation=${T}/state`,
        `SlurmdSpoolDir=${T}/spool`,
        `SlurmctldPidFile=${T}/slurmctld.pid`,
        `SlurmdPidFile=${T}/slurmd.pid`,
        `SlurmctldLogFile=${T}/log/slurmctld.log`,
        `SlurmdLogFile=${T}/log/slurmd.log`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        'ReturnToService=2',
        'MpiDefault=none',
        `NodeName=${host} CPUs=${os.cpus().length} RealMemory=2000 State=UNKNOWN`,
        'PartitionName=rlmini Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    execFileSync('slurmctld', ['-f', conf], { env });
    execFileSync('slurmd', ['-f', conf], { env });
    const t0 = Date.now();
    for (;;) {
      const s = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' });
      if (s.status === 0 && /idle|mix|alloc/.test(s.stdout)) break;
      if (Date.now() - t0 > 60_000) throw new Error(`Slurm did not come up: ${s.stdout}${s.stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  afterAll(async () => {
    spawnSync('scancel', ['--partition', 'rlmini'], { env });
    const pids = ['slurmd.pid', 'slurmctld.pid'].map(pidOf).filter((p) => p > 0);
    for (const pid of pids)
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    // Wait (bounded) until the daemons have exited: slurmctld saves its state while it stops.
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let t = 0; t < 100 && pids.some(alive); t++) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    if (startedMunge) spawnSync('pkill', ['-x', 'munged']);
    fs.rmSync(T, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('3 shards + render job give the records of a local run, and the reports render', async () => {
    const slurmEnv = {
      ...env,
      RLMINI_RESULTS_DIR: path.join(T, 'res-slurm'),
      RLMINI_REPORTS_DIR: path.join(T, 'rep-slurm'),
    };
    const sub = await runNodeAsync(
      [CLI, 'slurm', '--profile', 'smoke', '--shards', '3', '--only', NOTEBOOKS.join(','), '--cpus-per-task', '1'],
      { env: { ...slurmEnv, RLMINI_WORKERS: '1' }, timeoutMs: 60_000, cwd: ROOT },
    );
    expect(sub.status, sub.out).toBe(0);
    const m = /shards job (\d+) .*render job (\d+)/.exec(sub.stdout);
    expect(m, sub.stdout).not.toBeNull();
    const [arrayId, renderId] = [m![1], m![2]];
    // The local reference run, meanwhile (one process, same notebooks).
    const local = await runNodeAsync(
      [CLI, 'reports', '--profile', 'smoke', '--only', NOTEBOOKS.join(','), '--jobs', '1', '--no-figures'],
      {
        env: { ...env, RLMINI_RESULTS_DIR: path.join(T, 'res-local'), RLMINI_REPORTS_DIR: path.join(T, 'rep-local') },
        timeoutMs: 600_000,
      },
    );
    expect(local.status, local.out).toBe(0);
    const t0 = Date.now();
    for (;;) {
      const q = spawnSync('squeue', ['-h', '-j', `${arrayId},${renderId}`], { env, encoding: 'utf8' });
      if (q.status === 0 && q.stdout.trim() === '') break;
      if (Date.now() - t0 > 600_000) throw new Error(`jobs still queued after 10 min:\n${q.stdout}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const logDir = path.join(T, 'rep-slurm', 'slurm'); // npm run slurm's default: <reports>/slurm
    const shardLogs = [0, 1, 2].map((i) => fs.readFileSync(path.join(logDir, `shard-${arrayId}_${i}.out`), 'utf8'));
    const ran = shardLogs.map((l) => /shard \d\/3: (.*)/.exec(l)?.[1] ?? '');
    expect(ran.join(', ').split(', ').sort()).toEqual([...NOTEBOOKS].sort());
    const render = fs.readFileSync(path.join(logDir, `render-${renderId}.out`), 'utf8');
    expect(render).toMatch(/reports: .*index\.html/);
    expect(fs.existsSync(path.join(T, 'rep-slurm', 'smoke', 'index.html'))).toBe(true);
    for (const id of NOTEBOOKS)
      expect(fs.existsSync(path.join(T, 'rep-slurm', 'smoke', 'papers', `${id}.html`))).toBe(true);
    const a = records(path.join(T, 'res-local'));
    const b = records(path.join(T, 'res-slurm'));
    expect(a.size).toBeGreaterThan(0);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
  }, 900_000);
});
