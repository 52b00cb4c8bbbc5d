// `npm test`: sets up what the tests need on this machine, then runs the static checks and every
// test layer with node's test runner, and closes with one summary line over all of them.
//   node scripts/test.mjs [--layer static|unit|integration|e2e|training ...]
// Layers: static (tsc, eslint, prettier, shellcheck), unit (pure code, the CLI, the language server
// over stdio), integration (a real Docker engine, registry and moto server, started here), e2e (the
// packaged .vsix in code-server, driven by headless Chromium), training (the production image on a
// stand-in for tensorflow/tensorflow, training for real with TensorFlow and the Object Detection API).
// Each layer is set up on its own: a layer whose setup fails is not run, with the reason, and the
// others still run; the closing line counts what could not run, and the exit code is 1.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStaticChecks } from './static-checks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const ALL_LAYERS = ['static', 'unit', 'integration', 'e2e', 'training'];
const TEST_LAYERS = ['unit', 'integration', 'e2e', 'training'];
const CONCURRENCY = { unit: 2, integration: 1, e2e: 1, training: 1 };
const TIMEOUT_MS = { unit: 120_000, integration: 600_000, e2e: 900_000, training: 2_400_000 };

function parseLayers(argv) {
  const layers = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--layer') layers.push(argv[++i]);
    else if (argv[i].startsWith('--layer=')) layers.push(argv[i].slice('--layer='.length));
    else throw new Error(`unknown argument '${argv[i]}'; use --layer ${ALL_LAYERS.join('|')}`);
  }
  for (const layer of layers) {
    if (!ALL_LAYERS.includes(layer))
      throw new Error(`unknown layer '${layer}'; use ${ALL_LAYERS.join(', ')}`);
  }
  return layers.length ? ALL_LAYERS.filter((layer) => layers.includes(layer)) : ALL_LAYERS;
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found;
}

/** About how many tests the files hold (their it()/test() calls), for "not run" counts. */
function countTests(files) {
  let count = 0;
  for (const file of files)
    count += readFileSync(file, 'utf8').match(/^\s*(?:it|test)\(/gm)?.length ?? 0;
  return count;
}

/**
 * Runs a setup or build step, its output shown as it comes. Resolves to undefined when it
 * succeeded, else the reason: its exit and its last error lines.
 */
function step(title, command, args) {
  console.log(`\n== ${title}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      tail = (tail + chunk).slice(-4096);
    });
    let failure;
    child.on('error', (error) => (failure = error.message));
    child.on('close', (code, signal) => {
      if (code === 0) {
        console.log(`== ${title}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        resolve(undefined);
        return;
      }
      const lastLines = tail.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
      const exit = failure ?? `exit ${code ?? signal}`;
      const reason = `${title} failed (${exit})${lastLines ? `: ${lastLines}` : ''}`;
      console.log(`== ${reason}`);
      resolve(reason);
    });
  });
}

/** Runs one layer; returns { passed, failed } read from the spec reporter's summary. */
function runLayer(layer, files, env) {
  return new Promise((resolve) => {
    console.log(`\n== ${layer} tests (${files.length} files)`);
    const args = [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${CONCURRENCY[layer]}`,
      `--test-timeout=${TIMEOUT_MS[layer]}`,
      ...files,
    ];
    // A runner started from inside another node:test run (this script under a test) would see
    // the outer run's context and run nothing.
    const childEnv = { ...env };
    delete childEnv.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, args, {
      env: { ...childEnv, TFOD_TEST_LAYER: layer },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    // Decoded as a stream (the summary's 'ℹ' is 3 bytes a chunk may split), and read once the
    // output has closed, not at exit, when its last lines may still be on their way.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on('close', (code) => {
      const count = (label) => lastCount(output, label);
      const passed = count('pass');
      const failed = count('fail') + count('cancelled');
      // A runner that died before its summary, or ran no test at all, is a failure of the layer.
      const broken = (code !== 0 && failed === 0) || passed + failed === 0 ? 1 : 0;
      resolve({ layer, passed, failed: failed + broken });
    });
  });
}

function lastCount(output, label) {
  const matches = [...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))];
  return matches.length ? Number(matches[matches.length - 1][1]) : 0;
}

async function main() {
  const layers = parseLayers(process.argv.slice(2));
  const started = Date.now();
  const files = Object.fromEntries(
    TEST_LAYERS.map((layer) => [layer, findTests(join(root, 'test', layer))]),
  );
  /** layer -> why it could not run. */
  const notRun = new Map();
  const cannotRun = (layer, reason) => {
    if (!notRun.has(layer)) notRun.set(layer, reason);
  };

  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    const failed = await step('installing npm dependencies (npm ci)', 'npm', [
      'ci',
      '--no-audit',
      '--no-fund',
    ]);
    if (failed) for (const layer of layers) cannotRun(layer, failed);
  }
  for (const layer of layers) {
    if (notRun.has(layer)) continue;
    const failed = await step(`setting up the machine for ${layer}`, 'bash', [
      'test/harness/setup.sh',
      layer,
    ]);
    if (failed) cannotRun(layer, failed);
  }
  const testLayers = () => layers.filter((l) => TEST_LAYERS.includes(l) && !notRun.has(l));
  if (testLayers().length) {
    const failed = await step('building', process.execPath, ['scripts/build.mjs']);
    if (failed) for (const layer of testLayers()) cannotRun(layer, failed);
  }
  // The training layer opens the .vsix in code-server too (the trained model in the preview).
  const vsixLayers = testLayers().filter((layer) => layer === 'e2e' || layer === 'training');
  if (vsixLayers.length) {
    const failed = await step('packaging the .vsix', process.execPath, ['scripts/package.mjs']);
    if (failed) for (const layer of vsixLayers) cannotRun(layer, failed);
  }

  const results = [];
  if (layers.includes('static') && !notRun.has('static')) {
    console.log('\n== static checks');
    results.push({ layer: 'static', ...(await runStaticChecks()) });
  }

  let services;
  const env = { ...process.env };
  if (testLayers().some((layer) => ['integration', 'e2e', 'training'].includes(layer))) {
    console.log('\n== starting services (Docker engine, registry, moto)');
    const { startServices } = await import('../test/harness/services.mjs');
    services = await startServices();
    Object.assign(env, services.env);
  }
  try {
    for (const layer of testLayers()) {
      if (files[layer].length === 0) {
        console.error(`\n== ${layer}: no test files under test/${layer}`);
        results.push({ layer, passed: 0, failed: 1 });
        continue;
      }
      results.push(await runLayer(layer, files[layer], env));
    }
  } finally {
    await services?.stop();
  }

  console.log('\n== summary');
  let unrun = 0;
  for (const layer of layers) {
    const result = results.find((r) => r.layer === layer);
    if (result) {
      console.log(`${layer}: ${result.passed} passed, ${result.failed} failed`);
    } else {
      const tests = layer === 'static' ? 0 : countTests(files[layer]);
      unrun += tests;
      const what =
        layer === 'static'
          ? 'the static checks'
          : `${files[layer].length} files, about ${tests} tests`;
      console.log(`${layer}: NOT RUN (${what}): ${notRun.get(layer)}`);
    }
  }
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)}s)`);
  const notRunText = notRun.size
    ? `, not run: ${[...notRun.keys()].join(', ')}${unrun ? ` (about ${unrun} tests)` : ''}`
    : '';
  console.log(`${passed} passed, ${failed} failed${notRunText}`);
  process.exitCode = failed > 0 || notRun.size > 0 || passed === 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`test: ${error.message}`);
  console.log('0 passed, 0 failed, not run: all (the test runner itself failed; reason above)');
  process.exitCode = 1;
});
