import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { requireService } from '../harness/services';
import { serveJs, testImageContext } from '../training/harness';
import { COCO, fixtures } from './fixtures';

// The serving contract in a real Docker container, as SageMaker (and the local target) runs it:
// `docker run <image> serve`, the model mounted at /opt/ml/model, port 8080 published. The image
// is FROM scratch with Node and the bundled serve.js on the wasm backend (tfjs-node cannot install
// here); the production image differs only in the TensorFlow backend.
const image = `tfod-serve-test:${process.pid}`;

/** GET /ping over node:http: on Node 20, fetch to a port Docker publishes before the server
 *  inside listens can stall without keeping the process alive. */
function pingStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(`${url}/ping`, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

async function waitForPing(url: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await pingStatus(url)) === 200) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no 200 from ${url}/ping within ${timeoutMs} ms`);
}

describe('serve entrypoint in a real Docker container', () => {
  let docker: Docker;
  let context: string;
  let container: Docker.Container;
  let url: string;

  before(async () => {
    requireService('DOCKER');
    assert.ok(existsSync(serveJs), `${serveJs} is missing: run \`npm run build\``);
    docker = connectDocker();
    context = testImageContext();
    execFileSync('docker', ['build', '-q', '-t', image, context], { stdio: 'pipe' });
    container = await docker.createContainer({
      Image: image,
      Cmd: ['serve'],
      Env: ['MODEL_SERVER_WORKERS=2', 'MODEL_SERVER_TIMEOUT=30'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        Binds: [`${fixtures().modelDir}:/opt/ml/model:ro`],
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      },
      Labels: { 'org.tfod.test': 'serve' },
    });
    await container.start();
    const info = await container.inspect();
    const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
    assert.ok(port, 'port 8080 is published');
    url = `http://127.0.0.1:${port}`;
    await waitForPing(url, 60_000);
  });

  after(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
    await docker
      ?.getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('detects the cat on chelsea through /invocations (JSON base64, the seed request)', async () => {
    const response = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: fixtures().photo('chelsea').toString('base64') }),
    });
    assert.equal(response.status, 200);
    const { prediction } = (await response.json()) as { prediction: number[][] };
    const [classId, confidence, xmin, ymin, xmax, ymax] = prediction[0] ?? [];
    assert.equal(classId, COCO.cat);
    assert.ok((confidence ?? 0) > 0.8, `cat confidence ${confidence}`);
    for (const v of [xmin, ymin, xmax, ymax])
      assert.ok(v !== undefined && v >= 0 && v <= 1, 'normalised coordinates');
    assert.ok((xmax ?? 0) - (xmin ?? 0) > 0.3, 'the cat fills much of the photo');
  });

  it('detects the person on astronaut from a raw image/png body', async () => {
    const response = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: fixtures().photo('astronaut'),
    });
    assert.equal(response.status, 200);
    const { prediction } = (await response.json()) as { prediction: number[][] };
    assert.equal(prediction[0]?.[0], COCO.person);
  });

  it('a bad request is a 4xx with the reason, and the container keeps serving', async () => {
    const bad = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: Buffer.from('not an image').toString('base64') }),
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /not a JPEG or PNG|image/i);
    assert.equal(await pingStatus(url), 200);
  });

  it('docker stop (SIGTERM) ends the server cleanly', async () => {
    await container.stop({ t: 20 });
    const info = await container.inspect();
    assert.equal(info.State.ExitCode, 0, 'exit 0 after draining');
  });
});
