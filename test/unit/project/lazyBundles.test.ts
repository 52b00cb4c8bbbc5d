import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import {
  buildExtensionHost,
  buildScript,
  probeActivation,
  type ActivationProbe,
  type BuildScript,
} from '../../bench/activationProbe';

// Activation loads only dist/extension.js: the AWS SDK, TensorFlow.js, dockerode (with ssh2),
// the image codecs and the language client are bundles of their own, loaded on first use
// (scripts/build.mjs, LAZY_PACKAGES and DYNAMIC_PACKAGES).
const root = join(__dirname, '..', '..', '..');

/** Packages (and what they bring) that must not be inside dist/extension.js. */
const KEPT_OUT =
  /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@tensorflow|dockerode|docker-modem|ssh2|@grpc|vscode-languageclient|vscode-jsonrpc|vscode-languageserver-protocol|pngjs|jpeg-js)\//;

describe('the extension host bundle loads heavy packages on first use', () => {
  let dir: string;
  let script: BuildScript;
  let metafile: esbuild.Metafile;
  let probe: ActivationProbe;
  let groups: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-lazy-bundles-'));
    script = await buildScript();
    groups = [...Object.keys(script.LAZY_PACKAGES), ...Object.keys(script.DYNAMIC_PACKAGES)];
    metafile = await buildExtensionHost(dir, false);
    probe = probeActivation(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds none of their code', () => {
    const inputs = Object.keys(metafile.inputs);
    assert.ok(
      inputs.some((input) => input.startsWith('src/extension/')),
      'built from our code',
    );
    const inside = inputs.filter((input) => KEPT_OUT.test(input));
    assert.deepEqual(inside, [], 'packages bundled into dist/extension.js');
    const text = readFileSync(join(dir, 'extension.js'), 'utf8');
    for (const marker of ['SageMakerClient =', 'class Engine', 'function Docker(', 'class Client'])
      assert.ok(!text.includes(marker), `dist/extension.js contains ${marker}`);
  });

  it('requires none of their bundles while loading and activating with nothing used', () => {
    assert.ok(probe.required.length > 0, 'the probe records requires');
    const loaded = probe.required.filter((request) =>
      groups.some((group) => request === `./${group}.js`),
    );
    assert.deepEqual(loaded, []);
    const packages = probe.required.filter((request) => !/^(node:|\.\/|\/)/.test(request));
    assert.deepEqual(packages, [], 'bare package requires (all code is bundled)');
  });

  it('names each group bundle in the allow-list of the .vsix', () => {
    const allowed = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const group of groups) assert.ok(allowed.includes(`!dist/${group}.js`), group);
  });

  it('gives the real export on first read, from the group bundle beside it', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      for (const group of ['docker', 'images', 'aws'])
        await esbuild.build({
          ...script.runtimes[`extension host ${group}`],
          outfile: join(dir, `${group}.js`),
          sourcemap: false,
          logLevel: 'silent',
        });
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        [
          `import Docker from 'dockerode';`,
          `import { PNG } from 'pngjs';`,
          `import jpeg from 'jpeg-js';`,
          `import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';`,
          `export const docker = () => new Docker({ socketPath: '/nonexistent/docker.sock' });`,
          `export const png = () => PNG.sync.write(Object.assign(new PNG({ width: 2, height: 1 }), {}));`,
          `export const jpg = () => jpeg.encode({ width: 1, height: 1, data: Buffer.alloc(4) }, 90).data;`,
          `export const sts = () => new STSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }).send(new GetCallerIdentityCommand({})).then(() => 'answered', (error) => String(error.code ?? error.name));`,
        ].join('\n'),
      );
      await esbuild.build({
        ...script.runtimes['extension host'],
        entryPoints: { probe: entry },
        outdir: dir,
        sourcemap: false,
        logLevel: 'silent',
      });
    } finally {
      process.chdir(cwd);
    }
    const program = `
      const Module = require('module');
      const seen = [];
      const load = Module._load;
      Module._load = function (request, ...rest) { seen.push(request); return load.call(this, request, ...rest); };
      const probe = require(${JSON.stringify(join(dir, 'probe.js'))});
      const groups = () => [...new Set(seen.filter((r) => /^[.][/][a-z]+[.]js$/.test(r)))];
      const before = groups();
      const docker = probe.docker();
      const png = probe.png();
      const jpg = probe.jpg();
      probe.sts().then((sts) => console.log(JSON.stringify({
        sts,
        before,
        after: groups(),
        socket: docker.modem.socketPath,
        png: Buffer.from(png).subarray(1, 4).toString('latin1'),
        jpg: Buffer.from(jpg).subarray(0, 2).toString('hex'),
      })));`;
    const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(result.before, [], 'nothing loaded before first use');
    assert.deepEqual(result.after, ['./docker.js', './images.js', './aws.js']);
    // The SDK's client, signer and HTTP handler ran: the request reached the closed port.
    assert.equal(result.sts, 'ECONNREFUSED');
    assert.equal(result.socket, '/nonexistent/docker.sock', 'a real dockerode client');
    assert.equal(result.png, 'PNG', 'pngjs wrote a PNG');
    assert.equal(result.jpg, 'ffd8', 'jpeg-js wrote a JPEG');
  });

  it('runs TensorFlow.js on the wasm backend through the stand-ins, as the preview does', async () => {
    const out = join(dir, 'tfjs-probe');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await esbuild.build({
        ...script.runtimes['extension host tfjs'],
        outfile: join(out, 'tfjs.js'),
        sourcemap: false,
        logLevel: 'silent',
      });
      const entry = join(dir, 'tfjsEntry.ts');
      writeFileSync(
        entry,
        [
          `import { getTfRuntime } from ${JSON.stringify(join(root, 'src', 'detection', 'runtime'))};`,
          `export async function run(wasmDir: string) {`,
          `  const runtime = await getTfRuntime({ backend: 'wasm', wasmDir });`,
          `  const sum = await runtime.tf.sum(runtime.tf.tensor1d([1, 2, 3.5])).data();`,
          `  return { backend: runtime.backend, tfBackend: runtime.tf.getBackend(), sum: sum[0] };`,
          `}`,
        ].join('\n'),
      );
      await esbuild.build({
        ...script.runtimes['extension host'],
        entryPoints: { probe: entry },
        outdir: out,
        sourcemap: false,
        logLevel: 'silent',
      });
    } finally {
      process.chdir(cwd);
    }
    const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
    const program = `
      const Module = require('module');
      const seen = new Set();
      const load = Module._load;
      Module._load = function (request, ...rest) { seen.add(request); return load.call(this, request, ...rest); };
      const probe = require(${JSON.stringify(join(out, 'probe.js'))});
      const before = seen.has('./tfjs.js');
      probe.run(${JSON.stringify(wasmDir)}).then((result) => {
        console.log(JSON.stringify({ before, after: seen.has('./tfjs.js'), ...result }));
      }, (error) => { console.error(error); process.exit(1); });`;
    const run = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.deepEqual(JSON.parse(run.stdout), {
      before: false,
      after: true,
      backend: 'wasm',
      tfBackend: 'wasm',
      sum: 6.5,
    });
  });

  it('activates in well under the time it took with everything loaded', () => {
    // The figure itself is bench:activate's (about 25 ms of CPU); this catches a regression that
    // brings a heavy package back (about 350 ms of CPU with every package inside). CPU time, not wall
    // time: the unit layer shares a busy machine.
    assert.ok(probe.cpuMs < 150, `${probe.cpuMs} ms of CPU to load and activate`);
    assert.ok(probe.activateMs < probe.loadMs + 50, 'activate() itself does next to nothing');
  });
});
