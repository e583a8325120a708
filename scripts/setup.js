#!/usr/bin/env node
// `npm run setup`: one command from a fresh clone to rebuilt reports.
//   1. system packages for the tests (Jupyter, Chromium) when running as root on Debian/Ubuntu
//      (otherwise prints the apt command; the reports themselves need neither);
//   2. npm ci; 3. build; 4. register the tslab kernel with Jupyter; 5. npm run reports.
// Extra arguments are passed to `npm run reports` (e.g. `npm run setup -- --profile smoke`).
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');

const APT = [
  'jupyter-notebook',
  'jupyter-nbconvert',
  'jupyter-client',
  'python3-nbclient',
  'python3-nbconvert',
  'python3-ipykernel',
  'chromium',
  'python3-numpy',
];

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`setup: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status}).`);
    process.exit(r.status || 1);
  }
}

function has(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// `jupyter nbconvert` and `jupyter kernelspec` need Debian's jupyter-nbconvert / jupyter-client packages.
const needApt =
  !has('/usr/bin/python3', ['-c', 'import nbclient, nbconvert, ipykernel']) ||
  !fs.existsSync('/usr/bin/jupyter-nbconvert') ||
  !fs.existsSync('/usr/bin/jupyter-kernelspec') ||
  !fs.existsSync('/usr/bin/chromium');
if (needApt && process.env.RLMINI_SKIP_APT !== '1') {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && fs.existsSync('/usr/bin/apt-get')) {
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...APT], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.log(
      'setup: the tests need Jupyter and Chromium; install them with\n' +
        `  sudo apt-get update && sudo apt-get install -y ${APT.join(' ')}\n` +
        '(the reports do not need them).',
    );
  }
}
run('npm', ['ci', '--no-audit', '--no-fund']);
run('npm', ['run', 'build']);
// Registering the kernel needs Jupyter; without it, say so and go on (the reports do not need it).
{
  console.log('\n$ node dist/cli/main.js kernel');
  const k = spawnSync('node', ['dist/cli/main.js', 'kernel'], { stdio: 'inherit' });
  if (k.status !== 0)
    console.log(
      'setup: the tslab kernel was not registered (see above); `npm run kernel` after installing Jupyter. Continuing.',
    );
}
run('node', ['dist/cli/main.js', 'reports', ...process.argv.slice(2)]);
