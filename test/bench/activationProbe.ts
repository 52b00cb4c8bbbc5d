// What loading and activating the extension host bundle costs, and what it loads: shared by
// `npm run bench:activate` and test/unit/project/lazyBundles.test.ts. The bundle is built as
// scripts/build.mjs builds it, then loaded in a fresh Node process with a stand-in for the
// 'vscode' module: a workspace with no folder and no open document, every setting at its default,
// so activate() runs with nothing used yet.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(__dirname, '..', '..');

export interface BuildScript {
  runtimes: Record<string, esbuild.BuildOptions>;
  LAZY_PACKAGES: Record<string, string[]>;
  DYNAMIC_PACKAGES: Record<string, string>;
}

export async function buildScript(): Promise<BuildScript> {
  return (await import(join(root, 'scripts', 'build.mjs'))) as BuildScript;
}

/**
 * Builds dist/extension.js as the build does, into `outdir`, with its metafile. `split: false`
 * builds it as it was before the lazy bundles: every package inside, for comparison.
 */
export async function buildExtensionHost(
  outdir: string,
  minify: boolean,
  options: { split?: boolean } = {},
): Promise<esbuild.Metafile> {
  const { runtimes } = await buildScript();
  const { plugins, supported, ...single } = runtimes['extension host']!;
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result = await esbuild.build({
      ...(options.split === false ? single : { ...single, plugins, supported }),
      outdir,
      minify,
      sourcemap: false,
      metafile: true,
      logLevel: 'silent',
    });
    return result.metafile;
  } finally {
    process.chdir(cwd);
  }
}

/** The names of the 'vscode' module the stand-in has: its namespaces and the classes we use. */
const VSCODE_NAMES = [
  ...['authentication', 'commands', 'debug', 'env', 'extensions', 'l10n', 'languages', 'tasks'],
  ...['window', 'workspace', 'CancellationError', 'CancellationTokenSource', 'CodeLens'],
  ...['ConfigurationTarget', 'Disposable', 'EventEmitter', 'FileType', 'MarkdownString'],
  ...['Position', 'ProgressLocation', 'Range', 'RelativePattern', 'StatusBarAlignment'],
  ...['TabInputCustom', 'TabInputText', 'ThemeColor', 'ThemeIcon', 'TreeItem'],
  ...['TreeItemCollapsibleState', 'Uri', 'ViewColumn'],
];

/**
 * The stand-in for 'vscode': any property is a callable, constructible object whose calls return
 * another such object (a registration, a status item, an event), except what decides what
 * activate() does: no workspace folder, no open document, settings at their defaults.
 */
const VSCODE_STUB = `
'use strict';
const any = () =>
  new Proxy(function () {}, {
    get: (_, key) =>
      key === 'then' ? undefined
      : key === Symbol.toPrimitive ? () => ''
      : key === Symbol.iterator ? function* () {}
      : any(),
    set: () => true,
    apply: () => any(),
    construct: () => any(),
  });
const configuration = { get: (_key, fallback) => fallback, has: () => false, inspect: () => undefined, update: async () => {} };
const overrides = {
  workspace: new Proxy({}, {
    get: (_, key) =>
      key === 'textDocuments' ? []
      : key === 'workspaceFolders' ? undefined
      : key === 'getConfiguration' ? () => configuration
      : any(),
  }),
};
// Own properties, as esbuild's import helper copies only those from a CommonJS module.
for (const name of ${JSON.stringify(VSCODE_NAMES)}) exports[name] = overrides[name] ?? any();
`;

/** A fresh process loads the bundle, then calls activate() with an extension context. */
const PROBE = (bundle: string, stub: string) => `
const Module = require('module');
const path = require('path');
const os = require('os');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? ${JSON.stringify(stub)} : resolveFilename.call(this, request, ...rest);
};
const required = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request !== 'vscode') required.push(request);
  return load.call(this, request, ...rest);
};
const memento = { get: (_key, fallback) => fallback, update: async () => {}, keys: () => [] };
const context = {
  subscriptions: [],
  extensionPath: ${JSON.stringify(root)},
  asAbsolutePath: (relative) => path.join(${JSON.stringify(root)}, relative),
  workspaceState: memento,
  globalState: Object.assign({ setKeysForSync: () => {} }, memento),
  storageUri: undefined,
  globalStorageUri: { fsPath: os.tmpdir() },
  extensionMode: 1,
};
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const extension = require(${JSON.stringify(bundle)});
const t1 = process.hrtime.bigint();
extension.activate(context);
const t2 = process.hrtime.bigint();
const cpu = process.cpuUsage(cpu0);
setImmediate(() => {
  process.stdout.write(JSON.stringify({
    loadMs: Number(t1 - t0) / 1e6,
    activateMs: Number(t2 - t1) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1e3,
    required: required.slice(1),
  }));
  process.exit(0);
});
`;

export interface ActivationProbe {
  /** Evaluating the bundle (require), in milliseconds. */
  readonly loadMs: number;
  /** activate() until it returned, in milliseconds. */
  readonly activateMs: number;
  /** CPU time of the process over both (user + system; steadier than wall time on a busy machine). */
  readonly cpuMs: number;
  /** Every module the bundle required while loading and activating (Node built-ins included). */
  readonly required: string[];
}

/** Loads and activates `dir`/extension.js once, in a fresh process. */
export function probeActivation(dir: string): ActivationProbe {
  const stub = join(dir, 'vscode-stub.js');
  writeFileSync(stub, VSCODE_STUB);
  const run = spawnSync(process.execPath, ['-e', PROBE(join(dir, 'extension.js'), stub)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0)
    throw new Error(
      `loading or activating the bundle failed: ${(run.stderr || run.stdout).slice(-2000)}`,
    );
  return JSON.parse(run.stdout) as ActivationProbe;
}
