/** Where things live on disk. Everything is resolved from the repository root. */
import * as fs from 'fs';
import * as path from 'path';

/** The repository root: the nearest ancestor of this compiled file (dist/core) holding package.json. */
export function repoRoot(): string {
  if (process.env.RLMINI_ROOT) return path.resolve(process.env.RLMINI_ROOT);
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'notebooks'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
}

export const paths = {
  root: () => repoRoot(),
  notebooks: () =>
    process.env.RLMINI_NOTEBOOKS_DIR
      ? path.resolve(process.env.RLMINI_NOTEBOOKS_DIR)
      : path.join(repoRoot(), 'notebooks'),
  /** Run records and summaries: data/results/<paper-id>/<profile>/ */
  results: () =>
    process.env.RLMINI_RESULTS_DIR
      ? path.resolve(process.env.RLMINI_RESULTS_DIR)
      : path.join(repoRoot(), 'data', 'results'),
  reports: () =>
    process.env.RLMINI_REPORTS_DIR ? path.resolve(process.env.RLMINI_REPORTS_DIR) : path.join(repoRoot(), 'reports'),
  catalog: () =>
    process.env.RLMINI_CATALOG
      ? path.resolve(process.env.RLMINI_CATALOG)
      : path.join(repoRoot(), 'data', 'catalog.json'),
  dist: () => path.join(repoRoot(), 'dist'),
};

/**
 * The executed notebook of a paper for one profile: reports/notebooks/<profile>/<id>.ipynb. Each profile
 * has its own, so a smoke run never replaces the full profile's notebook (nor makes it re-execute).
 */
export function executedNotebookFile(id: string, profile: string): string {
  return path.join(paths.reports(), 'notebooks', profile, `${id}.ipynb`);
}

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
