import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { UserError } from '../../../src/core/errors';
import {
  buildProgressMessage,
  buildTrainingImage,
  defaultArchitecture,
  findBuildContext,
  imageReferenceProblem,
  localImageName,
} from '../../../src/core/image/trainingImage';

// "Build Training Image" (tfod.image.build): the image is built from container/ of the workspace
// or of the installed extension, with no AWS call; pushing to ECR is its own step.
const root = resolve(__dirname, '..', '..', '..');

/** Every module a source file reaches through relative and package imports (type-only excluded). */
function importClosure(file: string, seen = new Set<string>(), packages = new Set<string>()) {
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const [, typeOnly, spec] = m;
    if (typeOnly || !spec) continue;
    if (spec.startsWith('.')) {
      const base = resolve(dirname(file), spec);
      const next = [`${base}.ts`, join(base, 'index.ts')].find((path) => {
        try {
          readFileSync(path);
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(next, `${spec} from ${relative(root, file)} resolves`);
      importClosure(next, seen, packages);
    } else packages.add(spec);
  }
  return packages;
}

describe('the training image, built locally', () => {
  let dir: string;
  let workspace: string;
  let extension: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-training-image-'));
    workspace = join(dir, 'workspace');
    extension = join(dir, 'extension');
    mkdirSync(workspace);
    // The installed extension's folder, laid out as the .vsix has it: its own files beside the
    // build context, and no .dockerignore.
    for (const [path, text] of Object.entries({
      'package.json': '{}',
      'dist/extension.js': '// the extension',
      'container/Dockerfile': 'FROM scratch\nCOPY container/bin/ /opt/tfod/bin/\n',
      'container/install.sh': '#!/bin/bash\n',
      'container/bin/train': '#!/bin/sh\n',
      'container/dist/train.js': '// train',
      'container/local/README.md': 'local files\n',
    })) {
      mkdirSync(join(extension, dirname(path)), { recursive: true });
      writeFileSync(join(extension, path), text);
    }
    chmodSync(join(extension, 'container/bin/train'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the image tfod-sagemaker:<architecture>, CPU first on local, GPU on SageMaker', () => {
    assert.equal(localImageName('2.9.1'), 'tfod-sagemaker:2.9.1');
    assert.equal(defaultArchitecture('local'), '2.9.1');
    assert.equal(defaultArchitecture('sagemaker'), '2.9.1-gpu');
    assert.equal(imageReferenceProblem('tfod-sagemaker:2.9.1'), undefined);
    assert.match(imageReferenceProblem('has space:1') ?? '', /Docker image reference/);
    assert.match(imageReferenceProblem('') ?? '', /Give an image name/);
  });

  it('finds container/Dockerfile in the workspace first, else in the extension', async () => {
    assert.equal(await findBuildContext([workspace, extension]), extension);
    mkdirSync(join(workspace, 'container'));
    writeFileSync(join(workspace, 'container', 'Dockerfile'), 'FROM scratch\n');
    try {
      assert.equal(await findBuildContext([workspace, extension]), workspace);
    } finally {
      rmSync(join(workspace, 'container'), { recursive: true });
    }
  });

  it('says where it looked and what to do when no folder has container/Dockerfile', async () => {
    await assert.rejects(
      findBuildContext([workspace, join(dir, 'missing')]),
      (e: unknown) =>
        e instanceof UserError &&
        e.message.includes(workspace) &&
        e.message.includes(join(dir, 'missing')) &&
        /Reinstall the extension/.test(e.fix ?? ''),
    );
  });

  it("sends the extension's container/ files only, with the architecture, to the engine", async () => {
    const sent: { tar?: Buffer; options?: Record<string, unknown> } = {};
    // The engine's side of the build API: it reads the real tar stream and answers as Docker's
    // legacy builder does.
    const engine = {
      buildImage: async (context: NodeJS.ReadableStream, options: Record<string, unknown>) => {
        const chunks: Buffer[] = [];
        for await (const chunk of context as AsyncIterable<Buffer>) chunks.push(chunk);
        sent.tar = Buffer.concat(chunks);
        sent.options = options;
        return Readable.from(
          [
            { stream: 'Step 1/2 : FROM scratch\n' },
            { stream: 'Step 2/2 : COPY container/bin/ /opt/tfod/bin/\n' },
            { aux: { ID: 'sha256:0123abcd' } },
            { stream: 'Successfully built 0123abcd\n' },
          ].map((event) => `${JSON.stringify(event)}\r\n`),
        );
      },
    } as unknown as Docker;
    const logs: string[] = [];
    const steps: string[] = [];
    const result = await buildTrainingImage({
      docker: engine,
      candidates: [workspace, extension],
      architecture: '2.9.1',
      onLog: (line) => logs.push(line),
      onProgress: (p) => steps.push(buildProgressMessage(p)),
    });
    assert.equal(result.contextDir, extension);
    assert.equal(result.tag, 'tfod-sagemaker:2.9.1');
    assert.equal(result.imageId, 'sha256:0123abcd');
    assert.equal(sent.options?.t, 'tfod-sagemaker:2.9.1');
    assert.equal(sent.options?.dockerfile, 'container/Dockerfile');
    assert.deepEqual(sent.options?.buildargs, {
      ARCHITECTURE: '2.9.1',
      BASE_IMAGE: 'tensorflow/tensorflow:2.9.1',
    });
    const archive = join(dir, 'context.tar');
    writeFileSync(archive, sent.tar ?? Buffer.alloc(0));
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(names.sort(), [
      'container/Dockerfile',
      'container/bin/train',
      'container/dist/train.js',
      'container/install.sh',
      'container/local/README.md',
    ]);
    assert.match(
      execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' }),
      /-rwxr-xr-x .* container\/bin\/train/,
    );
    assert.ok(logs.some((line) => line.startsWith(`building tfod-sagemaker:2.9.1`)));
    assert.deepEqual(steps.slice(1), [
      'build step 1/2: FROM scratch',
      'build step 2/2: COPY container/bin/ /opt/tfod/bin/',
    ]);
    assert.match(steps[0] ?? '', /^sending build context \(\d+ B\)$/);
  });

  it("applies the settings' build arguments over the architecture's, and adds their CA file", async () => {
    const pem = join(dir, 'proxy.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const sent: { tar?: Buffer; options?: Record<string, unknown> } = {};
    const engine = {
      buildImage: async (context: NodeJS.ReadableStream, options: Record<string, unknown>) => {
        const chunks: Buffer[] = [];
        for await (const chunk of context as AsyncIterable<Buffer>) chunks.push(chunk);
        sent.tar = Buffer.concat(chunks);
        sent.options = options;
        return Readable.from([`${JSON.stringify({ aux: { ID: 'sha256:4567' } })}\r\n`]);
      },
    } as unknown as Docker;
    const logs: string[] = [];
    await buildTrainingImage({
      docker: engine,
      candidates: [extension],
      architecture: '2.9.1',
      tag: 'mine:1',
      buildArgs: { BASE_IMAGE: 'mirror.example.com/tf:2.9.1', NODE_SOURCE: 'npm' },
      caCertificates: [pem],
      onLog: (line) => logs.push(line),
    });
    assert.deepEqual(sent.options?.buildargs, {
      ARCHITECTURE: '2.9.1',
      BASE_IMAGE: 'mirror.example.com/tf:2.9.1',
      NODE_SOURCE: 'npm',
    });
    const archive = join(dir, 'context-settings.tar');
    writeFileSync(archive, sent.tar ?? Buffer.alloc(0));
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(
      names.includes('container/local/ca-certificates/tfod-extra-0-proxy.pem.crt'),
      names.join(' '),
    );
    assert.ok(
      logs.includes(
        `building mine:1 (ARCHITECTURE=2.9.1 BASE_IMAGE=mirror.example.com/tf:2.9.1 NODE_SOURCE=npm) from ${extension}`,
      ),
      logs.join('\n'),
    );
  });

  it('reaches no AWS SDK package, from the core function or the palette command', () => {
    for (const file of [
      'src/core/image/trainingImage.ts',
      'src/extension/commands/image/build.ts',
    ]) {
      const packages = [...importClosure(join(root, file))];
      assert.ok(packages.includes('node:fs/promises'), `${file}: the closure was followed`);
      assert.deepEqual(
        packages.filter((name) => name.startsWith('@aws-sdk/')),
        [],
        `${file} imports`,
      );
    }
    // The command reaches the engine, so the walk is not trivially empty of packages.
    assert.ok(importClosure(join(root, 'src/extension/commands/image/build.ts')).has('dockerode'));
  });
});
