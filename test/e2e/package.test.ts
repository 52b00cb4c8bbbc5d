import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listBuildContext } from '../../src/core/image/buildContext';
import { findBuildContext } from '../../src/core/image/trainingImage';

// The packaged .vsix (npm test packages it before this layer) holds only what runs in VS Code.
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  main: string;
};
const vsix = join(root, 'dist', `${pkg.name}-${pkg.version}.vsix`);

function entries(): string[] {
  const listing = execFileSync(
    'python3',
    ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix],
    {
      encoding: 'utf8',
    },
  );
  return listing.trim().split('\n');
}

describe('the .vsix', () => {
  it('exists and is small', () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\``);
    const size = statSync(vsix).size;
    assert.ok(size < 5 * 1024 * 1024, `${(size / 1024).toFixed(0)} KiB`);
  });

  it('holds the manifest, the bundles and the media, and nothing else', () => {
    const files = entries().filter((name) => name.startsWith('extension/'));
    const allowed = [
      /^extension\/package\.json$/,
      // The manifest's strings, and the messages' English bundle (translations beside it).
      /^extension\/package\.nls\.json$/,
      /^extension\/l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
      /^extension\/(readme|changelog)\.md$/i,
      /^extension\/LICENSE(\.txt)?$/,
      /^extension\/dist\/(extension|server|serverWorker|datasetWorker)\.js$/,
      // Loaded by extension.js on first use (scripts/build.mjs).
      /^extension\/dist\/(aws|tfjs|docker|images|languageclient)\.js$/,
      // The tfod CLI, which tasks of type tfod run; the schema of .tfod/job.json.
      /^extension\/dist\/cli\.js$/,
      /^extension\/media\/job\.schema\.json$/,
      /^extension\/dist\/media\/[\w-]+\.(js|css)$/,
      /^extension\/dist\/tfjs-backend-wasm[\w-]*\.wasm$/,
      // The activity bar's and the file icons (SVG), the Marketplace icon (PNG, scripts/icon.mjs).
      /^extension\/media\/icons\/[\w-]+\.(svg|png)$/,
      // The Get Started walkthrough's steps.
      /^extension\/media\/walkthrough\/[\w-]+\.md$/,
      /^extension\/syntaxes\/[\w.-]+\.json$/,
      /^extension\/language-configuration\/[\w.-]+\.json$/,
      // The training image's build context (Build Training Image builds from it).
      /^extension\/container\/(Dockerfile|install\.sh|package\.json|[\w-]+\.(py|txt))$/,
      /^extension\/container\/(bin\/\w+|dist\/[\w-]+\.(js|wasm)|local\/README\.md)$/,
    ];
    const unexpected = files.filter((name) => !allowed.some((pattern) => pattern.test(name)));
    assert.deepEqual(unexpected, [], 'only runtime files');
    for (const needed of [
      'extension/package.json',
      'extension/package.nls.json',
      'extension/media/icons/tfod.png',
      'extension/l10n/bundle.l10n.json',
      'extension/dist/extension.js',
      'extension/dist/server.js',
      // The language server's worker for large documents, started from beside server.js.
      'extension/dist/serverWorker.js',
      // A dataset conversion's worker threads, started from beside the bundle that converts.
      'extension/dist/datasetWorker.js',
      // The bundles extension.js loads on first use.
      'extension/dist/aws.js',
      'extension/dist/tfjs.js',
      'extension/dist/docker.js',
      'extension/dist/images.js',
      'extension/dist/languageclient.js',
      'extension/dist/cli.js',
      'extension/media/job.schema.json',
      'extension/media/walkthrough/target.md',
      'extension/media/walkthrough/preview.md',
      // The preview runs models in the extension host on the wasm backend.
      'extension/dist/tfjs-backend-wasm-simd.wasm',
    ]) {
      assert.ok(files.includes(needed), needed);
    }
    assert.ok(
      files.some((name) => name.startsWith('extension/dist/media/')),
      'webview bundles',
    );
  });

  it('carries the build context of the training image: everything container/Dockerfile copies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-vsix-'));
    try {
      execFileSync('python3', [
        '-c',
        'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])',
        vsix,
        dir,
      ]);
      const extension = join(dir, 'extension');
      assert.equal(await findBuildContext([join(dir, 'no-workspace'), extension]), extension);
      const dockerfile = readFileSync(join(extension, 'container', 'Dockerfile'), 'utf8');
      const sources = [...dockerfile.matchAll(/^COPY\s+(.+)\s+\S+$/gm)].flatMap((m) =>
        (m[1] ?? '').split(/\s+/),
      );
      assert.ok(sources.length >= 8, `COPY sources: ${sources.join(' ')}`);
      const listing = await listBuildContext(extension, 'container/Dockerfile');
      const sent = listing.files.map((file) => file.path);
      for (const source of sources)
        assert.ok(
          sent.some((path) => path === source || path.startsWith(source.replace(/\/?$/, '/'))),
          `the context the extension sends has ${source}`,
        );
      assert.deepEqual(
        sent.filter((path) => !path.startsWith('container/')),
        [],
        'only container/ is sent',
      );
      for (const entrypoint of ['train.js', 'serve.js', 'servingWorker.js'])
        assert.ok(sent.includes(`container/dist/${entrypoint}`), entrypoint);
      // SageMaker runs `train` and `serve` by name: they keep their executable bit in the zip
      // (VS Code's installer applies the entry's mode; Python's extractall does not).
      const modes = JSON.parse(
        execFileSync(
          'python3',
          [
            '-c',
            'import sys, json, zipfile; print(json.dumps({i.filename: i.external_attr >> 16 for i in zipfile.ZipFile(sys.argv[1]).infolist()}))',
            vsix,
          ],
          { encoding: 'utf8' },
        ),
      ) as Record<string, number>;
      for (const script of ['train', 'serve'])
        assert.ok(
          (modes[`extension/container/bin/${script}`] ?? 0) & 0o100,
          `container/bin/${script} is executable`,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
