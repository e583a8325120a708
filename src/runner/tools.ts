/**
 * External programs some commands need (the reports themselves need neither): Jupyter, to register
 * and use the kernel in notebooks; Chromium, for browser tests and static figure export. Each
 * lookup honours an override (RLMINI_JUPYTER, RLMINI_CHROMIUM) and fails with one message that says
 * what is missing, what needs it and how to install it.
 */
import * as fs from 'fs';
import * as path from 'path';

export class ToolMissingError extends Error {
  name = 'ToolMissingError';
}

const APT = 'sudo apt-get install -y jupyter-notebook python3-nbclient python3-nbconvert python3-ipykernel chromium';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** First executable among `names` on PATH, then among absolute `fallbacks`. */
export function which(names: string[], fallbacks: string[] = []): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const n of names) for (const d of dirs) if (executable(path.join(d, n))) return path.join(d, n);
  for (const f of fallbacks) if (executable(f)) return f;
  return null;
}

function find(envVar: string, names: string[], fallbacks: string[]): { path: string | null; override: string | null } {
  const override = process.env[envVar];
  if (override !== undefined && override !== '') return { path: executable(override) ? override : null, override };
  return { path: which(names, fallbacks), override: null };
}

export function findJupyter(): string | null {
  return find('RLMINI_JUPYTER', ['jupyter'], ['/usr/bin/jupyter', '/usr/local/bin/jupyter']).path;
}

export function findChromium(): string | null {
  return find(
    'RLMINI_CHROMIUM',
    ['chromium', 'chromium-browser', 'google-chrome'],
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'],
  ).path;
}

/** The jupyter command, or a ToolMissingError saying what needs it and how to install it. */
export function requireJupyter(forWhat: string): string {
  const f = find('RLMINI_JUPYTER', ['jupyter'], ['/usr/bin/jupyter', '/usr/local/bin/jupyter']);
  if (f.path) return f.path;
  const where = f.override ? `RLMINI_JUPYTER=${f.override} is not an executable` : 'no `jupyter` command on PATH';
  throw new ToolMissingError(
    `Jupyter is not installed (${where}); ${forWhat} needs it. ` +
      `Install it with \`${APT}\` (or run \`npm run setup\` as root). The reports themselves do not need it.`,
  );
}

/** The Chromium executable, or a ToolMissingError saying what needs it and how to install it. */
export function requireChromium(forWhat: string): string {
  const f = find(
    'RLMINI_CHROMIUM',
    ['chromium', 'chromium-browser', 'google-chrome'],
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'],
  );
  if (f.path) return f.path;
  const where = f.override
    ? `RLMINI_CHROMIUM=${f.override} is not an executable`
    : 'no `chromium` on PATH or in /usr/bin';
  throw new ToolMissingError(
    `Chromium is not installed (${where}); ${forWhat} needs it. ` +
      `Install it with \`${APT}\` (or run \`npm run setup\` as root).`,
  );
}
