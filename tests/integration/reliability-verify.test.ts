/**
 * Re-derivability of the committed results: `verify` re-runs a sample of the committed full-profile
 * run records (data/results/<id>/full/records) from scratch (each record's task on its config and
 * seed) and compares them value by value; a committed record that the code no longer reproduces, or a
 * damaged one, fails with a diff. Uses 2 STARC seeds (~1-2 s each).
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, writeRecord } from '../../src/core/records';
import { ROOT, workspace, cliAsync as cli } from '../helpers';

describe('verify: committed full-profile records are re-derivable', () => {
  const ws = workspace('verify');
  afterAll(() => ws.cleanup());

  it('re-derives 2 sampled STARC full records from scratch, bit-identically', async () => {
    // The repository's committed records (data/results), not a workspace copy.
    const env = {
      RLMINI_RESULTS_DIR: path.join(ROOT, 'data', 'results'),
      RLMINI_NOTEBOOKS_DIR: path.join(ROOT, 'notebooks'),
    };
    const r = await cli(ws, ['verify', '--only', 'starc', '--sample', '2'], env);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        /verify: re-deriving 2 of \d+ full-profile records from scratch /.source +
          /\(sample seed \d+; reproduce with --sample-seed \d+\), bit-identical/.source,
      ),
    );
    expect(
      r.out.match(
        new RegExp(
          // Any of starc's records: the verdict seeds' (all-metrics) or the pilot's (pilot, seed 1000).
          /✓ starc\/full\/records\/(all-metrics|pilot)\.seed\d+\.[0-9a-f]+\.json\.gz /.source +
            /\((all-metrics|pilot), seed \d+\): \d+ metrics and \d+ series identical/.source,
          'g',
        ),
      ),
    ).toHaveLength(2);
    expect(r.out).toContain('verify: all 2 sampled records are re-derivable.');
  });

  it('catches a committed record the code does not reproduce (with a diff), and a damaged one', async () => {
    const src = path.join(ROOT, 'data', 'results', 'starc', 'full', 'records');
    const dst = path.join(ws.dir, 'results', 'starc', 'full', 'records');
    fs.mkdirSync(dst, { recursive: true });
    const files = fs
      .readdirSync(src)
      .filter((f) => f.endsWith('.json.gz'))
      .sort();
    const [good, tampered, damaged] = [files[0], files[1], files[2]];
    fs.copyFileSync(path.join(src, good), path.join(dst, good));
    // A record that looks valid (checksum recomputed) but holds numbers the code does not produce.
    const r0 = readRecord(path.join(src, tampered));
    if (!r0.ok) throw new Error('committed record damaged');
    const { checksum: _c, ...rec } = r0.record;
    const committedRho = rec.metrics['starc/spearman'];
    rec.metrics = { ...rec.metrics, 'starc/spearman': committedRho + 1e-6 };
    const regret = rec.series['all/regret'].map((v, i) => (i === 7 ? v * 2 + 1 : v));
    rec.series = { ...rec.series, 'all/regret': regret };
    writeRecord(path.join(dst, tampered), rec);
    expect(readRecord(path.join(dst, tampered)).ok).toBe(true);
    fs.writeFileSync(path.join(dst, damaged), fs.readFileSync(path.join(src, damaged)).subarray(0, 500));

    const r = await cli(ws, ['verify', '--only', 'starc', '--sample', '3', '--sample-seed', '7'], {
      RLMINI_NOTEBOOKS_DIR: path.join(ROOT, 'notebooks'),
    });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain(`✓ starc/full/records/${good}`);
    expect(r.out).toContain(`✗ starc/full/records/${tampered} (all-metrics, seed ${rec.seed}): MISMATCH`);
    expect(r.out).toContain(
      `metrics.starc/spearman: committed ${committedRho + 1e-6}, re-derived ${committedRho} (Δ -1.00e-6)`,
    );
    expect(r.out).toMatch(/series\.all\/regret: 1 of \d+ values differ \(first at \[7\]/);
    expect(r.out).toMatch(
      new RegExp(
        `✗ starc/full/records/${damaged.replace(/\./g, '\\.')} \\(\\?, seed \\?\\): ` +
          'ERROR\\n\\s+.*corrupt record \\(not valid JSON',
      ),
    );
    expect(r.out).toContain('verify: 2 of 3 sampled records are NOT re-derivable from this code (1 mismatch, 1 error)');
  });

  it('says so when there is nothing to verify, and rejects a bad sample size', () => {
    const none = ws.cli(['verify', '--only', 'no-such-paper']);
    expect(none.status).toBe(1);
    expect(none.out).toMatch(/no full-profile run records under .* for no-such-paper: nothing to verify/);
    const bad = ws.cli(['verify', '--sample', '0']);
    expect(bad.status).toBe(2);
    expect(bad.out).toContain('--sample must be a positive integer');
  });
});
