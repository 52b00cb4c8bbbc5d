import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_DOCKERIGNORE,
  DockerIgnore,
  listBuildContext,
  patternRegex,
  tarBuildContext,
} from '../../../src/core/image/buildContext';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('.dockerignore rules (Docker’s semantics)', () => {
  it('translates glob patterns', () => {
    assert.ok(patternRegex('*.md').test('README.md'));
    assert.ok(!patternRegex('*.md').test('docs/README.md'), '* stays within one folder');
    assert.ok(patternRegex('**/*.md').test('docs/a/README.md'));
    assert.ok(patternRegex('**/*.md').test('README.md'));
    assert.ok(patternRegex('file?.txt').test('file1.txt'));
    assert.ok(patternRegex('[a-c].txt').test('b.txt'));
    assert.ok(!patternRegex('[!a-c].txt').test('b.txt'));
    assert.ok(patternRegex('a\\*b').test('a*b'));
  });

  it('lets the last matching pattern win, with ! re-including, and folders covering their files', () => {
    const ignore = new DockerIgnore('# comment\nnode_modules\n*.log\n!keep.log\n/dist/\n./tmp\n');
    assert.ok(ignore.ignores('node_modules/x/index.js'));
    assert.ok(ignore.ignores('app.log'));
    assert.ok(!ignore.ignores('keep.log'));
    assert.ok(ignore.ignores('dist/a.js'));
    assert.ok(ignore.ignores('tmp/x'));
    assert.ok(!ignore.ignores('src/a.ts'));
    assert.ok(!ignore.ignores('src/node_modules/x'), 'a bare name matches at the root only');
  });

  it('skips folders only when no exception reaches into them', () => {
    const ignore = new DockerIgnore(DEFAULT_DOCKERIGNORE);
    assert.ok(!ignore.canSkipFolder('container'), 'exceptions name files inside container/');
    assert.ok(ignore.canSkipFolder('node_modules'));
    assert.ok(ignore.canSkipFolder('container/src'));
    assert.ok(!ignore.canSkipFolder('container/dist'));
    assert.ok(!ignore.ignores('container/dist/train.js'));
    assert.ok(!ignore.ignores('container/bin/train'));
    assert.ok(ignore.ignores('container/src/train.ts'));
    assert.ok(ignore.ignores('src/core/errors.ts'));
  });
});

describe('build context tar', () => {
  const root = mkdtempSync(join(tmpdir(), 'tfod-context-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const longPath = `container/dist/${'deep/'.repeat(30)}${'n'.repeat(90)}.js`;
  write('container/Dockerfile', 'FROM scratch\n');
  write('container/dist/train.js', 'console.log(1)\n');
  write(longPath, 'long\n');
  write('container/bin/train', '#!/bin/sh\n');
  chmodSync(join(root, 'container/bin/train'), 0o755);
  write('container/src/train.ts', 'x');
  write('node_modules/big/index.js', Buffer.alloc(100_000));
  write('README.md', 'readme');

  it('sends what the default rules let through when there is no .dockerignore', async () => {
    const listing = await listBuildContext(root, 'container/Dockerfile');
    assert.equal(listing.ignoreSource, 'default');
    assert.deepEqual(
      listing.files.map((f) => f.path),
      ['container/bin/train', 'container/Dockerfile', longPath, 'container/dist/train.js'].sort(),
    );
  });

  it('honours the folder’s .dockerignore and always sends the Dockerfile', async () => {
    write('.dockerignore', '*\n!README.md\n');
    try {
      const listing = await listBuildContext(root, 'container/Dockerfile');
      assert.equal(listing.ignoreSource, '.dockerignore');
      assert.deepEqual(
        listing.files.map((f) => f.path),
        ['.dockerignore', 'README.md', 'container/Dockerfile'],
      );
    } finally {
      rmSync(join(root, '.dockerignore'));
    }
  });

  it('is a tar that GNU tar reads: names (long ones too), sizes and modes', async () => {
    const listing = await listBuildContext(root, 'container/Dockerfile');
    const tar = await collect(tarBuildContext(root, listing.files));
    assert.equal(tar.length % 512, 0);
    const archive = join(root, '..', `${root.split('/').pop()}.tar`);
    writeFileSync(archive, tar);
    try {
      const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
      assert.deepEqual(names.sort(), listing.files.map((f) => f.path).sort());
      const verbose = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
      assert.match(verbose, /-rwxr-xr-x .* 10 .* container\/bin\/train/);
      const content = execFileSync('tar', ['-xOf', archive, longPath], { encoding: 'utf8' });
      assert.equal(content, 'long\n');
    } finally {
      rmSync(archive, { force: true });
    }
  });
});
