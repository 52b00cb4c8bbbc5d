import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker, describeDockerEngine } from '../../src/core/docker/engine';
import { UserError } from '../../src/core/errors';
import { registry, requireService } from './harness/services';

/** Reads a Docker progress stream to the end; rejects on the first error event. */
function followStream(
  docker: Docker,
  stream: NodeJS.ReadableStream,
): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: Array<Record<string, unknown>>) => {
        if (error) return reject(error);
        const failed = events.find((event) => event.error);
        return failed ? reject(new Error(String(failed.error))) : resolve(events);
      },
    );
  });
}

describe('Docker engine and registry (real)', () => {
  let docker: Docker;
  let context: string;
  const tag = `tfod-itest-${process.pid}:latest`;

  before(() => {
    requireService('DOCKER');
    docker = connectDocker();
    // A build context with no base image: Docker Hub is out of reach, FROM scratch is not.
    context = mkdtempSync(join(tmpdir(), 'tfod-ctx-'));
    writeFileSync(join(context, 'hello.txt'), `built by ${process.pid}\n`);
    writeFileSync(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY hello.txt /hello.txt\nLABEL org.tfod.test=1\n',
    );
  });

  after(async () => {
    rmSync(context, { recursive: true, force: true });
    for (const name of [tag, `${process.env.TFOD_TEST_REGISTRY}/tfod/itest:${process.pid}`]) {
      await docker
        ?.getImage(name)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it('core reaches the engine and reads its version', async () => {
    const info = await describeDockerEngine(docker);
    assert.match(info.version, /^\d+\.\d+/);
    assert.match(info.apiVersion, /^1\.\d+$/);
    assert.equal(info.os, 'linux');
  });

  it('an unreachable engine is a UserError that says how to fix it', async () => {
    const missing = connectDocker('unix:///nonexistent/docker.sock');
    await assert.rejects(
      describeDockerEngine(missing, 'unix:///nonexistent/docker.sock'),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(
          error.toLine(),
          /cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker.sock.*Start Docker/,
        );
        return true;
      },
    );
  });

  it('dockerode builds an image and lists it', async () => {
    const tar = execFileSync('tar', ['-C', context, '-c', '.']);
    const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: tag });
    const events = await followStream(docker, stream);
    assert.ok(events.some((event) => String(event.stream ?? '').includes('Successfully tagged')));
    const images = await docker.listImages({ filters: { label: ['org.tfod.test=1'] } });
    assert.ok(
      images.some((image) => image.RepoTags?.includes(tag)),
      `listImages has ${tag}`,
    );
  });

  it('pushes to a password-protected registry and the registry has the manifest', async () => {
    const { host, username, password } = registry();
    const remote = `${host}/tfod/itest`;
    await docker.getImage(tag).tag({ repo: remote, tag: String(process.pid) });
    const stream = await docker
      .getImage(`${remote}:${process.pid}`)
      .push({ authconfig: { username, password, serveraddress: host } });
    const events = await followStream(docker, stream);
    assert.ok(events.some((event) => String(event.status ?? '').includes('digest: sha256:')));

    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const tags = await fetch(`http://${host}/v2/tfod/itest/tags/list`, {
      headers: { authorization: auth },
    });
    assert.equal(tags.status, 200);
    assert.ok(((await tags.json()) as { tags: string[] }).tags.includes(String(process.pid)));
    const anonymous = await fetch(`http://${host}/v2/tfod/itest/tags/list`);
    assert.equal(anonymous.status, 401, 'the registry really requires the password');
  });

  it('a push with a wrong password is refused', async () => {
    const { host, username } = registry();
    const stream = await docker
      .getImage(`${host}/tfod/itest:${process.pid}`)
      .push({ authconfig: { username, password: 'wrong', serveraddress: host } });
    await assert.rejects(
      followStream(docker, stream),
      /unauthorized|authentication required|no basic auth/i,
    );
  });
});
