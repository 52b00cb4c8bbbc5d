import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { CancelledError, UserError } from '../../../src/core/errors';
import { buildImage, tagImage, type BuildProgress } from '../../../src/core/image/build';
import { RegistryCredentials } from '../../../src/core/image/ecr';
import { pushImage, type PushSnapshot } from '../../../src/core/image/push';
import { registry, requireService } from '../harness/services';

// A real Docker engine builds a FROM scratch image (Docker Hub is out of reach) and pushes it to
// the password-protected registry the harness started. The registry stands in for ECR through
// the same pushImage path; answering for the ECR host name itself is a later step.

async function filesInImage(docker: Docker, image: string): Promise<string[]> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/nothing'] });
  try {
    const archive = await container.getArchive({ path: '/ctx' });
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    const tar = join(tmpdir(), `tfod-archive-${process.pid}.tar`);
    writeFileSync(tar, Buffer.concat(chunks));
    try {
      return execFileSync('tar', ['-tf', tar], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((name) => !name.endsWith('/'));
    } finally {
      rmSync(tar, { force: true });
    }
  } finally {
    await container.remove({ force: true });
  }
}

describe('image build and push (Docker engine, registry)', () => {
  let docker: Docker;
  let context: string;
  const tag = `tfod-build-itest:${process.pid}`;
  let remote = '';

  before(() => {
    requireService('DOCKER');
    docker = connectDocker();
    context = mkdtempSync(join(tmpdir(), 'tfod-build-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(context, path)), { recursive: true });
      writeFileSync(join(context, path), text);
    };
    write(
      'container/Dockerfile',
      [
        'FROM scratch',
        'ARG ARCHITECTURE',
        'LABEL org.tfod.architecture=$ARCHITECTURE org.tfod.test=1',
        'COPY . /ctx/',
        '',
      ].join('\n'),
    );
    write('container/dist/train.js', `console.log(${process.pid});\n`);
    write('container/package.json', '{}\n');
    write('container/src/train.ts', 'left out by the default rules\n');
    write('node_modules/big/index.js', 'left out\n');
    write('README.md', 'left out\n');
  });

  after(async () => {
    if (context) rmSync(context, { recursive: true, force: true });
    // A cancelled build of this tiny context may still finish in the engine and be tagged.
    for (const name of [tag, remote, `tfod-cancelled:${process.pid}`])
      if (name)
        await docker
          ?.getImage(name)
          .remove({ force: true })
          .catch(() => undefined);
  });

  it('builds with ARCHITECTURE, streams the output and sends only the allowed files', async () => {
    const logs: string[] = [];
    const steps: BuildProgress[] = [];
    const result = await buildImage({
      docker,
      contextDir: context,
      buildArgs: { ARCHITECTURE: '2.9.1' },
      tag,
      onLog: (line) => logs.push(line),
      onProgress: (p) => steps.push(p),
    });
    assert.match(result.imageId, /^(sha256:)?[0-9a-f]{12,64}$/);
    assert.equal(result.contextFiles, 3, 'Dockerfile, dist/train.js, package.json');
    assert.ok(
      logs.some((l) => /^Step 1\/4 : FROM scratch$/.test(l)),
      logs.join('\n'),
    );
    assert.ok(logs.some((l) => /no \.dockerignore/.test(l)));
    assert.deepEqual(
      steps.filter((s) => s.phase === 'step').map((s) => `${s.step}/${s.totalSteps}`),
      ['1/4', '2/4', '3/4', '4/4'],
    );
    const inspected = await docker.getImage(tag).inspect();
    assert.equal(inspected.Config.Labels?.['org.tfod.architecture'], '2.9.1');
    assert.deepEqual((await filesInImage(docker, tag)).sort(), [
      'ctx/container/Dockerfile',
      'ctx/container/dist/train.js',
      'ctx/container/package.json',
    ]);
  });

  it('a failing Dockerfile step is a UserError with the engine’s message', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'tfod-broken-'));
    try {
      mkdirSync(join(broken, 'container'));
      writeFileSync(join(broken, 'container/Dockerfile'), 'FROM scratch\nCOPY missing.txt /\n');
      await assert.rejects(
        buildImage({ docker, contextDir: broken, tag: `tfod-broken:${process.pid}` }),
        (e: unknown) =>
          e instanceof UserError && /docker build failed: .*missing\.txt/.test(e.message),
      );
      await assert.rejects(
        buildImage({ docker, contextDir: broken, dockerfile: 'Dockerfile', tag: 'x:1' }),
        (e: unknown) =>
          e instanceof UserError && /no Dockerfile in the build context/.test(e.message),
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('is cancelled by its AbortSignal, before and during the build stream', async () => {
    const before = new AbortController();
    await assert.rejects(
      buildImage({
        docker,
        contextDir: context,
        tag: `tfod-cancelled:${process.pid}`,
        signal: before.signal,
        onProgress: () => before.abort(),
      }),
      CancelledError,
    );
    const during = new AbortController();
    const lines: string[] = [];
    await assert.rejects(
      buildImage({
        docker,
        contextDir: context,
        tag: `tfod-cancelled:${process.pid}`,
        signal: during.signal,
        onLog: (line) => {
          lines.push(line);
          if (line.startsWith('Step 1/')) during.abort();
        },
      }),
      CancelledError,
    );
    assert.ok(!lines.some((l) => l.startsWith('Step 4/')), 'the build stopped being followed');
  });

  it('pushes to the password registry with per-layer progress, never showing the password', async () => {
    const { host, username, password } = registry();
    remote = `${host}/tfod/build-push:${process.pid}`;
    await tagImage(docker, tag, remote);
    const auth = new RegistryCredentials(username, password, host);
    const seen: string[] = [];
    const snapshots: PushSnapshot[] = [];
    const result = await pushImage({
      docker,
      image: remote,
      auth,
      onLog: (line) => seen.push(line),
      onProgress: (snapshot) => {
        snapshots.push(snapshot);
        seen.push(JSON.stringify(snapshot));
      },
    });
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
    const last = snapshots.at(-1)!;
    assert.ok(last.layers.length >= 1);
    assert.equal(last.layersDone, last.layers.length);
    assert.ok(
      snapshots.some((s) => s.layers.some((l) => l.status === 'Pushing' || l.done)),
      'layer states were reported',
    );
    for (const text of seen) assert.ok(!text.includes(password), 'the password leaked into output');

    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const manifest = await fetch(`http://${host}/v2/tfod/build-push/manifests/${process.pid}`, {
      method: 'HEAD',
      headers: {
        authorization: basic,
        accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), result.digest);
  });

  it('a refused login says to log in again; a missing image says to build first', async () => {
    const { host, username } = registry();
    assert.ok(remote, 'the push test ran first');
    await assert.rejects(
      pushImage({ docker, image: remote, auth: new RegistryCredentials(username, 'wrong', host) }),
      (e: unknown) =>
        e instanceof UserError &&
        /refused the push/.test(e.message) &&
        /Log in again/.test(e.fix ?? ''),
    );
    await assert.rejects(
      pushImage({
        docker,
        image: `${host}/tfod/never-built:${process.pid}`,
        auth: new RegistryCredentials(username, 'x', host),
      }),
      (e: unknown) => e instanceof UserError && /Build the image first/.test(e.fix ?? ''),
    );
  });
});
