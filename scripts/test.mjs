// `npm test`: sets up what the tests need on this machine, then runs every layer with node's test
// runner and closes with one summary line ("N passed, N failed") over all layers.
//   node scripts/test.mjs [--layer unit|integration|e2e ...]
// Layers: unit (pure code, the CLI, the language server over stdio), integration (a real Docker
// engine, registry and moto server, started here), e2e (the packaged .vsix in code-server, driven
// by headless Chromium). A layer whose prerequisites cannot be set up fails with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const ALL_LAYERS = ['unit', 'integration', 'e2e'];
const CONCURRENCY = { unit: 2, integration: 1, e2e: 1 };
const TIMEOUT_MS = { unit: 120_000, integration: 600_000, e2e: 900_000 };

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

function step(title, command, args, env = process.env) {
  console.log(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    throw new Error(
      `${title} failed (${command} ${args.join(' ')} exited ${result.status ?? result.signal})`,
    );
  }
  console.log(`== ${title}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
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
    const child = spawn(process.execPath, args, {
      env: { ...env, TFOD_TEST_LAYER: layer },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      const count = (label) => lastCount(output, label);
      const passed = count('pass');
      const failed = count('fail') + count('cancelled');
      // A runner that died before its summary counts as a failure of the whole layer.
      const broken = code !== 0 && failed === 0 ? 1 : 0;
      resolve({ layer, passed, failed: failed + broken, code });
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
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    step('installing npm dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund']);
  }
  step(`setting up the machine for ${layers.join(', ')}`, 'bash', [
    'test/harness/setup.sh',
    ...layers,
  ]);
  step('building', process.execPath, ['scripts/build.mjs']);
  if (layers.includes('e2e'))
    step('packaging the .vsix', process.execPath, ['scripts/package.mjs']);

  let services;
  const env = { ...process.env };
  if (layers.includes('integration') || layers.includes('e2e')) {
    console.log('\n== starting services (Docker engine, registry, moto)');
    const { startServices } = await import('../test/harness/services.mjs');
    services = await startServices();
    Object.assign(env, services.env);
  }

  const results = [];
  try {
    for (const layer of layers) {
      const files = findTests(join(root, 'test', layer));
      if (files.length === 0) {
        console.error(`\n== ${layer}: no test files under test/${layer}`);
        results.push({ layer, passed: 0, failed: 1 });
        continue;
      }
      results.push(await runLayer(layer, files, env));
    }
  } finally {
    await services?.stop();
  }

  console.log('\n== summary');
  for (const { layer, passed, failed } of results) {
    console.log(`${layer}: ${passed} passed, ${failed} failed`);
  }
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)}s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`test: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
