// `npm run bench:activate` (test/bench/activate.ts): what the extension costs VS Code before its
// first command runs. Builds the extension host bundle as `npm run package` does (minified) into a
// temporary folder, then in 7 fresh Node processes with a stand-in for the 'vscode' module
// (test/bench/activationProbe.ts) loads it and calls activate() with nothing used yet: no folder,
// no open config, default settings. Prints the load time (the figure this bench printed before),
// load plus activate(), the same for a build with every package inside (as before the split),
// the bundles loaded on first use and their sizes, and the packages that weigh most in
// dist/extension.js. Prints figures; not a test. It measures module evaluation and
// activate() only, not VS Code's own work.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtensionHost, buildScript, probeActivation } from './activationProbe';

/** The package an input file belongs to ('src' for ours). */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.startsWith('src/') ? 'src (this project)' : input;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

function median(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[sorted.length >> 1]!.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted[sorted.length - 1]!.toFixed(0)})`;
}

async function main(): Promise<void> {
  const { LAZY_PACKAGES, DYNAMIC_PACKAGES } = await buildScript();
  const out = mkdtempSync(join(tmpdir(), 'tfod-bench-activate-'));
  try {
    const metafile = await buildExtensionHost(out, true);
    const bundle = join(out, 'extension.js');
    const probes = Array.from({ length: 7 }, () => probeActivation(out));
    const groups = [...Object.keys(LAZY_PACKAGES), ...Object.keys(DYNAMIC_PACKAGES)];
    const loadedGroups = new Set(
      probes.flatMap((probe) =>
        probe.required.filter((request) => groups.some((group) => request === `./${group}.js`)),
      ),
    );

    const weights = new Map<string, number>();
    for (const output of Object.values(metafile.outputs))
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
        weights.set(packageOf(input), (weights.get(packageOf(input)) ?? 0) + bytesInOutput);
    const total = statSync(bundle).size;
    console.log(`extension.js (minified): ${(total / 2 ** 20).toFixed(2)} MiB`);
    console.log(`load time, median of ${probes.length}: ${median(probes.map((p) => p.loadMs))}`);
    console.log(
      `load + activate() with nothing used, median of ${probes.length}: ${median(probes.map((p) => p.loadMs + p.activateMs))}`,
    );
    console.log(`  CPU time of the same: ${median(probes.map((p) => p.cpuMs))}`);
    console.log(
      `bundles loaded by then: ${loadedGroups.size ? [...loadedGroups].join(', ') : 'none'}`,
    );
    const single = join(out, 'single');
    await buildExtensionHost(single, true, { split: false });
    const before = Array.from({ length: 7 }, () => probeActivation(single));
    console.log(
      `the same with every package in extension.js (as before the split, ${(statSync(join(single, 'extension.js')).size / 2 ** 20).toFixed(2)} MiB): ${median(before.map((p) => p.loadMs + p.activateMs))}, CPU ${median(before.map((p) => p.cpuMs))}`,
    );
    console.log('\nloaded on first use (dist/<name>.js, built by npm run build):');
    for (const [group, names] of Object.entries({
      ...LAZY_PACKAGES,
      ...Object.fromEntries(Object.entries(DYNAMIC_PACKAGES).map(([g, n]) => [g, [n]])),
    })) {
      let size = '';
      try {
        size = `${(statSync(join('dist', `${group}.js`)).size / 2 ** 20).toFixed(2)} MiB`;
      } catch {
        size = 'not built';
      }
      console.log(`  ${`${group}.js`.padEnd(20)} ${size.padStart(10)}  ${names.join(', ')}`);
    }
    console.log('\nheaviest packages in extension.js:');
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
