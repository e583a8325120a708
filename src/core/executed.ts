/** Where a run's executed notebooks go (kept out of core/paths, which run records' code closures hold). */
import * as path from 'path';
import { paths } from './paths';

/**
 * The executed notebook of a paper for one profile: reports/notebooks/<profile>/<id>.ipynb. Each profile
 * has its own, so a smoke run never replaces the full profile's notebook (nor makes it re-execute).
 */
export function executedNotebookFile(id: string, profile: string): string {
  return path.join(paths.reports(), 'notebooks', profile, `${id}.ipynb`);
}
