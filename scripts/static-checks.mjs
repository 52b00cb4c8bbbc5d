// The static checks `npm test` runs as a step of their own (not as a unit test racing the others
// under a test timeout): tsc over the tree and each webview, eslint, prettier and shellcheck. Each
// check counts as one result in the run's summary; any failure fails the run.
//   node scripts/static-checks.mjs        (npm run check)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function shellScripts(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : shellScripts(path);
    return entry.name.endsWith('.sh') ? [path] : [];
  });
}

/** Every check: a title and the command that must exit 0. */
export function staticChecks() {
  const webviews = readdirSync(join(root, 'media'), { withFileTypes: true })
    // A webview is a folder with its own tsconfig.json (icons/ and walkthrough/ hold no code).
    .filter(
      (entry) =>
        entry.isDirectory() && existsSync(join(root, 'media', entry.name, 'tsconfig.json')),
    )
    .map((entry) => join('media', entry.name, 'tsconfig.json'));
  const containerBin = join(root, 'container', 'bin');
  const scripts = [
    ...shellScripts(join(root, 'test')),
    ...shellScripts(join(root, 'container')),
    ...readdirSync(containerBin).map((name) => join(containerBin, name)),
    join(root, '.ci', 'run'),
  ].map((path) => relative(root, path));
  return [
    {
      title: 'tsc --noEmit (strict, whole tree)',
      command: bin('tsc'),
      args: ['--noEmit', '-p', '.'],
    },
    ...webviews.map((project) => ({
      title: `tsc --noEmit -p ${project} (webview, DOM types)`,
      command: bin('tsc'),
      args: ['--noEmit', '-p', project],
    })),
    { title: 'eslint (no warnings)', command: bin('eslint'), args: ['--max-warnings=0', '.'] },
    { title: 'prettier --check', command: bin('prettier'), args: ['--check', '.'] },
    {
      title: `shellcheck (${scripts.length} scripts)`,
      command: 'shellcheck',
      args: scripts,
      missing: 'shellcheck is not installed: apt-get install -y shellcheck (npm test does)',
    },
  ];
}

function runCheck({ command, args, missing }) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) =>
      resolve({ ok: false, output: error.code === 'ENOENT' && missing ? missing : error.message }),
    );
    child.on('close', (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
}

/** Runs every check in turn, printing one line each (and the output of a failing one). */
export async function runStaticChecks() {
  let passed = 0;
  let failed = 0;
  for (const check of staticChecks()) {
    const started = Date.now();
    const { ok, output } = await runCheck(check);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) {
      passed++;
      console.log(`✔ ${check.title} (${seconds}s)`);
    } else {
      failed++;
      console.log(`✖ ${check.title} (${seconds}s)\n${output}`);
    }
  }
  return { passed, failed };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed } = await runStaticChecks();
  console.log(`static checks: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
