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
  // try/catch; leaving them out keeps the bundle pure JS and ssh2 falls back to its JS code. The
  // same for the CRC-32C of TFRecords (src/core/records/crc32c.ts): @node-rs/crc32 where it is
  // installed beside the bundle, JavaScript where not (the .vsix).
  external: ['cpu-features', '*.node', '@node-rs/crc32'],
};

/**
 * The packages the extension host loads on first use, not at activation: each group is a bundle
 * of its own beside dist/extension.js (dist/<group>.js), and in dist/extension.js each package is
 * a stand-in whose exports are getters that require that bundle the first time one is read.
 * Loading all of them took 290-600 ms at every activation; most sessions use none of them.
 * test/unit/project/lazyBundles.test.ts holds the main bundle to this.
 */
export const LAZY_PACKAGES = {
  aws: [
    '@aws-sdk/client-application-auto-scaling',
    '@aws-sdk/client-cloudwatch-logs',
    '@aws-sdk/client-ecr',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-sagemaker',
    '@aws-sdk/client-sagemaker-runtime',
    '@aws-sdk/client-sts',
  ],
  // One bundle for the four: the backends register themselves with the one tfjs-core engine.
  tfjs: [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-converter',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
  ],
  // dockerode brings docker-modem, ssh2 and grpc-js.
  docker: ['dockerode'],
  // Image decoding and encoding, for the detection preview and the sample project.
  images: ['jpeg-js', 'pngjs'],
};

/**
 * Packages the extension host imports only with `await import(...)` (group -> package): each is a
 * bundle of its own, and esbuild turns the import into a require of it at that point. The
 * language client starts when the first config or label map opens.
 */
export const DYNAMIC_PACKAGES = {
  languageclient: 'vscode-languageclient/node',
};

/**
 * The stand-in for `name` in dist/extension.js: an object whose prototype loads ./<group>.js on
 * the first read of any export. esbuild's import helper gives the importing module an object with
 * the stand-in's prototype and copies only own properties (here none but `__esModule`), so
 * `import { S3Client } from '@aws-sdk/client-s3'` reads through the prototype when the code uses
 * `S3Client`, not when the module is evaluated. A package whose module.exports is itself the value
 * (dockerode's class) is its own default export.
 */
function lazyStandIn(name, group) {
  return [
    `let loaded;`,
    `const load = () => (loaded ??= require(${JSON.stringify(`./${group}.js`)})[${JSON.stringify(name)}]);`,
    `const exportsOnFirstRead = new Proxy({}, {`,
    `  get: (_, key) => (key === 'default' && !load().__esModule ? load() : load()[key]),`,
    `  has: (_, key) => key in load(),`,
    `});`,
    `module.exports = Object.create(exportsOnFirstRead, { __esModule: { value: true } });`,
  ].join('\n');
}

const lazyGroupOf = new Map(
  Object.entries(LAZY_PACKAGES).flatMap(([group, names]) => names.map((name) => [name, group])),
);
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** esbuild plugin: the LAZY_PACKAGES become stand-ins; their bundles stay outside this one. */
export const lazyPackagesPlugin = {
  name: 'lazy-packages',
  setup(build) {
    const names = [...lazyGroupOf.keys()].map(escapeRegExp).join('|');
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) => ({
      path: args.path,
      namespace: 'lazy-package',
    }));
    build.onResolve({ filter: /^\.\/\w+\.js$/, namespace: 'lazy-package' }, (args) => ({
      path: args.path,
      external: true,
    }));
    for (const [group, name] of Object.entries(DYNAMIC_PACKAGES)) {
      build.onResolve({ filter: new RegExp(`^${escapeRegExp(name)}$`) }, (args) =>
        args.kind === 'dynamic-import'
          ? { path: `./${group}.js`, external: true }
          : {
              errors: [
                { text: `${name} must be imported with await import() (scripts/build.mjs)` },
              ],
            },
      );
    }
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      contents: lazyStandIn(args.path, lazyGroupOf.get(args.path)),
      loader: 'js',
    }));
  },
};

/** The bundle of one group: an object from package name to the package's exports. */
function lazyBundle(group) {
  const entries = LAZY_PACKAGES[group].map(
    (name) => `  ${JSON.stringify(name)}: require(${JSON.stringify(name)}),`,
  );
  return groupBundle(group, `module.exports = {\n${entries.join('\n')}\n};\n`);
}

function groupBundle(group, contents) {
  return {
    ...nodeDefaults,
    external: [...nodeDefaults.external, 'vscode'],
    stdin: {
      contents,
      resolveDir: root,
      sourcefile: `lazy-${group}.js`,
      loader: 'js',
    },
    outfile: `dist/${group}.js`,
  };
}

/** Runtime name -> esbuild options. */
export const runtimes = {
  'extension host': {
    ...nodeDefaults,
    entryPoints: { extension: 'src/extension/main.ts' },
    outdir: 'dist',
    external: [...nodeDefaults.external, 'vscode'],
    plugins: [lazyPackagesPlugin],
    // `await import(x)` of a bundle beside this one becomes a require at that point: the
    // extension host loads CommonJS (and resolves 'vscode') through require.
    supported: { 'dynamic-import': false },
  },
  ...Object.fromEntries(
    Object.keys(LAZY_PACKAGES).map((group) => [`extension host ${group}`, lazyBundle(group)]),
  ),
  ...Object.fromEntries(
    Object.entries(DYNAMIC_PACKAGES).map(([group, name]) => [
      `extension host ${group}`,
      groupBundle(group, `module.exports = require(${JSON.stringify(name)});\n`),
    ]),
  ),
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
  // The worker threads of a dataset conversion (src/core/dataset/imageFiles.ts starts them from
  // datasetWorker.js beside the bundle that converts: the CLI's or the extension's).
  'dataset worker': {
    ...nodeDefaults,
    entryPoints: { datasetWorker: 'src/core/dataset/imageFilesWorker.ts' },
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
