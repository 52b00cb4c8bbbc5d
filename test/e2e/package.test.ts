import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

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
      /^extension\/(readme|changelog)\.md$/i,
      /^extension\/LICENSE(\.txt)?$/,
      /^extension\/dist\/(extension|server|serverWorker)\.js$/,
      // Loaded by extension.js on first use (scripts/build.mjs).
      /^extension\/dist\/(aws|tfjs|docker|images|languageclient)\.js$/,
      /^extension\/dist\/media\/[\w-]+\.(js|css)$/,
      /^extension\/dist\/tfjs-backend-wasm[\w-]*\.wasm$/,
      /^extension\/media\/icons\/[\w-]+\.svg$/,
      /^extension\/syntaxes\/[\w.-]+\.json$/,
      /^extension\/language-configuration\/[\w.-]+\.json$/,
    ];
    const unexpected = files.filter((name) => !allowed.some((pattern) => pattern.test(name)));
    assert.deepEqual(unexpected, [], 'only runtime files');
    for (const needed of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/server.js',
      // The language server's worker for large documents, started from beside server.js.
      'extension/dist/serverWorker.js',
      // The bundles extension.js loads on first use.
      'extension/dist/aws.js',
      'extension/dist/tfjs.js',
      'extension/dist/docker.js',
      'extension/dist/images.js',
      'extension/dist/languageclient.js',
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
});
