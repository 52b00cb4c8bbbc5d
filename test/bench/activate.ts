// `npm run bench:activate` (test/bench/activate.ts): what the extension costs VS Code before its
// first command runs. Builds the extension host bundle as `npm run package` does (minified) into a
// temporary folder, loads it in fresh Node processes with a stand-in for the 'vscode' module, and
// prints the load time (median of 7) and the packages that weigh most in the bundle. Prints
// figures; not a test. What it measures is module evaluation only, not VS Code's own work.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(__dirname, '..', '..');

/** The package an input file belongs to ('src' for ours). */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.startsWith('src/') ? 'src (this project)' : input;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

async function main(): Promise<void> {
  const { runtimes } = (await import(join(root, 'scripts', 'build.mjs'))) as {
    runtimes: Record<string, esbuild.BuildOptions>;
  };
  const out = mkdtempSync(join(tmpdir(), 'tfod-bench-activate-'));
  try {
    process.chdir(root);
    const result = await esbuild.build({
      ...runtimes['extension host'],
      outdir: out,
      minify: true,
      sourcemap: false,
      metafile: true,
    });
    const bundle = join(out, 'extension.js');
    const stub = join(out, 'vscode-stub.js');
    // Any property of the stand-in is a callable, constructible object, as far as module
    // evaluation needs: the bundle's top level must not call into VS Code anyway.
    writeFileSync(
      stub,
      'const any = () => new Proxy(function () {}, { get: (_, k) => (k === "then" ? undefined : any()), construct: () => any() });\nmodule.exports = any();\n',
    );
    const loader = [
      `const Module = require('module');`,
      `const resolveFilename = Module._resolveFilename;`,
      `Module._resolveFilename = function (request, ...rest) {`,
      `  return request === 'vscode' ? ${JSON.stringify(stub)} : resolveFilename.call(this, request, ...rest);`,
      `};`,
      `const started = process.hrtime.bigint();`,
      `require(${JSON.stringify(bundle)});`,
      `process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));`,
    ].join('\n');
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const run = spawnSync(process.execPath, ['-e', loader], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`loading the bundle failed: ${run.stderr}`);
      times.push(Number(run.stdout));
    }
    times.sort((a, b) => a - b);

    const weights = new Map<string, number>();
    for (const output of Object.values(result.metafile.outputs))
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
        weights.set(packageOf(input), (weights.get(packageOf(input)) ?? 0) + bytesInOutput);
    const total = statSync(bundle).size;
    console.log(`extension.js (minified): ${(total / 2 ** 20).toFixed(2)} MiB`);
    console.log(
      `load time, median of ${times.length}: ${times[3]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[times.length - 1]!.toFixed(0)})`,
    );
    console.log('\nheaviest packages in the bundle:');
    for (const [name, bytes] of [...weights].sort((a, b) => b[1] - a[1]).slice(0, 10))
      console.log(
        `  ${name.padEnd(36)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${((100 * bytes) / total).toFixed(1).padStart(5)}%`,
      );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
