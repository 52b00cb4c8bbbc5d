// One build for every runtime this project ships. Each entry is bundled into a single file by
// esbuild; type checking is separate (`npm run typecheck`), so a build never waits on tsc.
//   node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const nodeDefaults = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { __TFOD_VERSION__: JSON.stringify(pkg.version) },
  // ssh2 (pulled in by dockerode for ssh:// engines) loads optional native speed-ups inside
  // try/catch; leaving them out keeps the bundle pure JS and ssh2 falls back to its JS code.
  external: ['cpu-features', '*.node'],
};

/** Runtime name -> esbuild options. */
export const runtimes = {
  'extension host': {
    ...nodeDefaults,
    entryPoints: { extension: 'src/extension/main.ts' },
    outdir: 'dist',
    external: [...nodeDefaults.external, 'vscode'],
  },
  'language server': {
    ...nodeDefaults,
    entryPoints: { server: 'src/server/main.ts' },
    outdir: 'dist',
  },
  // The worker thread that does the work of large documents off the server's message loop; the
  // server starts it from beside itself (dist/serverWorker.js).
  'language server worker': {
    ...nodeDefaults,
    entryPoints: { serverWorker: 'src/server/heavyWorkerMain.ts' },
    outdir: 'dist',
  },
  cli: {
    ...nodeDefaults,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  // The inference worker processes of `tfod serve` (src/detection/server/workerPool.ts forks
  // servingWorker.js from beside the bundle that runs the server).
  'serving worker': {
    ...nodeDefaults,
    entryPoints: { servingWorker: 'src/detection/server/inferenceWorker.ts' },
    outdir: 'dist',
  },
};

// Webview scripts run in the browser sandbox of a webview: one IIFE bundle per panel, found as
// media/<panel>/main.ts.
for (const panel of ['preview', 'metrics', 'evaluation', 'records']) {
  const entry = `media/${panel}/main.ts`;
  if (existsSync(join(root, entry))) {
    runtimes[`webview ${panel}`] = {
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      sourcemap: production ? false : 'linked',
      minify: production,
      logLevel: 'warning',
      entryPoints: { [panel]: entry },
      outdir: 'dist/media',
    };
  }
}

// The container's entrypoints are built here too, so they share the detection and text-format
// code with the extension; the container image copies container/dist. `serve` forks its
// inference workers from servingWorker.js beside it.
const containerEntries = {
  train: 'container/src/train.ts',
  serve: 'container/src/serve.ts',
  servingWorker: 'src/detection/server/inferenceWorker.ts',
};
for (const [name, entry] of Object.entries(containerEntries)) {
  if (existsSync(join(root, entry))) {
    runtimes[`container ${name}`] = {
      ...nodeDefaults,
      entryPoints: { [name]: entry },
      outdir: 'container/dist',
      ...(name === 'servingWorker' ? {} : { banner: { js: '#!/usr/bin/env node' } }),
      // The container installs the native TensorFlow binding itself; never bundle it.
      external: [...nodeDefaults.external, '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    };
  }
}

// The wasm backend of TensorFlow.js loads its .wasm binaries from beside the bundle that runs it
// (the CLI in dist/, the serving entrypoint in container/dist/).
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];
function copyWasm() {
  const from = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const out of ['dist', 'container/dist']) {
    mkdirSync(join(root, out), { recursive: true });
    for (const file of WASM_FILES) copyFileSync(join(from, file), join(root, out, file));
  }
}

async function main() {
  process.chdir(root);
  copyWasm();
  if (watch) {
    for (const [name, options] of Object.entries(runtimes)) {
      const context = await esbuild.context(options);
      await context.watch();
      console.log(`watching ${name}`);
    }
    return;
  }
  const started = Date.now();
  await Promise.all(Object.values(runtimes).map((options) => esbuild.build(options)));
  console.log(
    `built ${Object.keys(runtimes).join(', ')} in ${Date.now() - started} ms${production ? ' (production)' : ''}`,
  );
}

// Imported (by test/bench/activate.ts, for the options), it builds nothing.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
