/**
 * One compiler for every build (scripts/tsc-path.js): the records' keys hash the compiled import closure, and two
 * TypeScript versions emit different JavaScript for the same source, so a dist/ built through another entry point
 * re-keyed records (the CLI's rebuild-on-change once used typescript 5.4 while `npm run build` used tslab's fork).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const tscPath: string = require(path.join(ROOT, 'scripts', 'tsc-path.js'));

describe('the build compiler', () => {
  it('is the compiler tslab compiles notebook cells with', () => {
    const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [ROOT] }));
    const tslabTsc = require.resolve('@tslab/typescript-for-tslab/bin/tsc', { paths: [tslabDir] });
    expect(fs.realpathSync(tscPath)).toBe(fs.realpathSync(tslabTsc));
  });

  it('`npm run build`, the tests and the CLI rebuild all go through scripts/build.js', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('node scripts/build.js');
    expect(pkg.scripts.test).toMatch(/node scripts\/build\.js -p tsconfig\.tests\.json/);
    expect(pkg.scripts.test).not.toMatch(/(^|&& )tsc /);
    const cli = fs.readFileSync(path.join(ROOT, 'scripts', 'cli.js'), 'utf8');
    expect(cli).toMatch(/scripts', 'build\.js'/);
    expect(cli).not.toMatch(/typescript\/bin\/tsc/);
  });

  it("dist/ holds that compiler's output (a source whose emit differs between TypeScript versions)", () => {
    const src = fs.readFileSync(path.join(ROOT, 'src', 'testbeds', 'tabular', 'solvers', 'exact.ts'), 'utf8');
    const out = fs.readFileSync(path.join(ROOT, 'dist', 'testbeds', 'tabular', 'solvers', 'exact.js'), 'utf8');
    expect(src).toContain('1_000_000');
    // the tslab fork writes the numeric separator out; typescript 5.4 keeps it under the ES2022 target
    expect(out).not.toContain('1_000_000');
    expect(out).toContain('1000000');
  });
});
