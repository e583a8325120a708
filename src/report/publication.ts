/**
 * What a result on a page is: published (the full profile, computed from a clean commit: citable),
 * unpublished (the full profile computed from a working tree with uncommitted changes, or outside a git
 * checkout: shown, labelled, not citable), smoke (not evidence), or stale (the notebook's last run
 * failed; the verdicts shown come from the last successful run, with its commit).
 *
 * Policy (documented in the README): a full-profile result from a dirty tree is *labelled*
 * "unpublished (uncommitted changes)" rather than refused; it gets no citation. `npm run reports --
 * --publish` from a clean checkout re-stamps such results (their records are cache hits) with the
 * clean commit, which makes them citable.
 *
 * Citations point at a stable URL built from a configurable repository URL (`RLMINI_REPO_URL`, else
 * package.json `repository.url`), never at a local path.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Summary } from '../core/summary';

export type PublicationState = 'published' | 'unpublished' | 'smoke' | 'large';

export interface Publication {
  state: PublicationState;
  /** Badge text, e.g. "unpublished (uncommitted changes)". */
  label: string;
  /** Whether figures of this result get a citation. */
  citable: boolean;
  /** The commit the result was computed at (12 hex digits), or 'unknown'. */
  commit: string;
  /** The same, in full (for URLs). */
  fullCommit: string;
  /** Why it is not citable and what to do (empty when citable). */
  why: string;
}

export const UNPUBLISHED_DIRTY = 'unpublished (uncommitted changes)';
export const UNPUBLISHED_NO_COMMIT = 'unpublished (no commit)';

function isCommit(c: string): boolean {
  return /^[0-9a-f]{7,40}$/.test(c);
}

export function publicationOf(summary: Summary): Publication {
  const p = summary.provenance;
  const fullCommit = isCommit(p.commit) ? p.commit : 'unknown';
  const commit = fullCommit.slice(0, 12);
  const id = summary.paper;
  if (summary.profile === 'large')
    return {
      state: 'large',
      label: 'large profile: not the committed results',
      citable: false,
      commit,
      fullCommit,
      why:
        'These are large-profile results (bigger models, more seeds or updates), computed on the machine that ran ' +
        'them; their records are not committed, so a reader cannot re-derive them from the repository and they are ' +
        `not citable here. Cite the full profile's figure (\`npm run reports -- --only ${id}\`), or publish the ` +
        'large records with the machine that produced them.',
    };
  if (summary.profile !== 'full')
    return {
      state: 'smoke',
      label: `${summary.profile} profile: not evidence`,
      citable: false,
      commit,
      fullCommit,
      why:
        `These are ${summary.profile}-profile results (a short run that checks the code runs); they are not ` +
        `evidence and are not citable. Cite the full profile's figure: \`npm run reports -- --only ${id}\`.`,
    };
  if (p.dirty)
    return {
      state: 'unpublished',
      label: UNPUBLISHED_DIRTY,
      citable: false,
      commit,
      fullCommit,
      why:
        `This result was computed at commit ${commit} with uncommitted changes in the working tree, so no commit ` +
        'reproduces it and it is not citable. Commit the changes, then run ' +
        `\`npm run reports -- --publish --only ${id}\` from the clean checkout (its records are reused).`,
    };
  if (commit === 'unknown')
    return {
      state: 'unpublished',
      label: UNPUBLISHED_NO_COMMIT,
      citable: false,
      commit,
      fullCommit,
      why:
        'This result was computed outside a git checkout (no commit), so no commit reproduces it and it is not ' +
        `citable. Run \`npm run reports -- --publish --only ${id}\` in a clean clone of the repository.`,
    };
  return { state: 'published', label: `published (commit ${commit})`, citable: true, commit, fullCommit, why: '' };
}

/**
 * A repository URL as a stable https form: `git+https://host/o/r.git`, `git@host:o/r.git`,
 * `github:o/r` → `https://host/o/r`. Anything that is not a remote URL (a local path, file://) is null.
 */
export function normaliseRepoUrl(raw: string): string | null {
  let u = raw.trim();
  const short = /^(github|gitlab|bitbucket):([\w.-]+\/[\w.-]+)$/.exec(u);
  if (short) u = `https://${short[1]}.${short[1] === 'bitbucket' ? 'org' : 'com'}/${short[2]}`;
  else if (/^[\w.-]+\/[\w.-]+$/.test(u) && !u.startsWith('.')) u = `https://github.com/${u}`;
  const ssh = /^(?:ssh:\/\/)?git@([\w.-]+)[:/](.+)$/.exec(u);
  if (ssh) u = `https://${ssh[1]}/${ssh[2]}`;
  u = u.replace(/^git\+/, '').replace(/^git:\/\//, 'https://');
  if (!/^https?:\/\/[\w.-]+(:\d+)?(\/[\w.~-]+)+\/?$/i.test(u)) return null;
  return u.replace(/\.git$/, '').replace(/\/+$/, '');
}

export interface RepoUrl {
  url: string | null;
  /** Where it came from, or why there is none (shown on pages and in the build output). */
  note: string;
}

/** The repository URL citations use: RLMINI_REPO_URL, else package.json `repository` (string or { url }). */
export function repositoryUrl(root: string): RepoUrl {
  const env = process.env.RLMINI_REPO_URL;
  if (env !== undefined && env.trim() !== '') {
    const url = normaliseRepoUrl(env);
    return url
      ? { url, note: 'from RLMINI_REPO_URL' }
      : {
          url: null,
          note:
            `RLMINI_REPO_URL=${JSON.stringify(env)} is not a remote repository URL (https://host/owner/repo); ` +
            'citations name the commit only',
        };
  }
  let repo: unknown;
  try {
    repo = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).repository;
  } catch {
    repo = undefined;
  }
  const raw = typeof repo === 'string' ? repo : (repo as { url?: unknown } | undefined)?.url;
  if (typeof raw !== 'string' || !raw.trim())
    return {
      url: null,
      note:
        'no repository URL configured (set package.json "repository": { "url": … } or RLMINI_REPO_URL); ' +
        'citations name the commit only',
    };
  const url = normaliseRepoUrl(raw);
  return url
    ? { url, note: 'from package.json repository.url' }
    : {
        url: null,
        note:
          `package.json repository.url ${JSON.stringify(raw)} is not a remote repository URL; ` +
          'citations name the commit only',
      };
}

/** Stable URL of a file of the repository at a commit (GitHub/GitLab/Gitea form). */
export function sourceUrl(repo: string, commit: string, file: string): string {
  return `${repo}/blob/${commit}/${file.split(path.sep).map(encodeURIComponent).join('/')}`;
}
