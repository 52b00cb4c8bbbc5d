// The container's `serve` entrypoint as SageMaker runs it: a process configured by the hosting
// contract's environment (here with two inference workers), on the real COCO SSD model, that
// answers every request it received and exits 0 on SIGTERM; and exits 1 with the reason when the
// model folder is unusable.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ping, postImage } from './client';
import { COCO, fixtures } from './fixtures';

const root = join(__dirname, '..', '..', '..');
const entry = join(root, 'container', 'src', 'serve.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function startServe(env: Record<string, string>, args: string[] = ['serve']) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { ...process.env, TFOD_BACKEND: 'wasm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitForPing(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${output()}`);
    const answer = await ping(base).catch(() => undefined);
    if (answer?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`serve never answered /ping with 200:\n${output()}`);
}

describe('container/src/serve.ts', () => {
  it('serves with MODEL_SERVER_WORKERS=2 and drains on SIGTERM, exiting 0', async (t) => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const serve = startServe({
      SM_MODEL_DIR: fixtures().modelDir,
      SAGEMAKER_BIND_TO_PORT: String(port),
      MODEL_SERVER_WORKERS: '2',
      MODEL_SERVER_TIMEOUT: '30',
    });
    try {
      await waitForPing(base, serve.child, serve.output);
      // /ping answers 200 once every worker has loaded the model.
      assert.equal(serve.output().match(/model ready/g)?.length, 2);
      const answer = await postImage(base, fixtures().photo('chelsea'));
      assert.equal(answer.status, 200);
      assert.equal(answer.body.prediction?.[0]?.[0], COCO.cat);
      // A request in flight when SIGTERM arrives still gets its answer.
      const inFlight = postImage(base, fixtures().photo('motorcycle_left'));
      await new Promise((r) => setTimeout(r, 30));
      serve.child.kill('SIGTERM');
      const last = await inFlight;
      assert.equal(last.status, 200);
      assert.equal(last.body.prediction?.[0]?.[0], COCO.motorcycle);
      assert.equal(await serve.exited, 0, serve.output());
      const log = serve.output();
      t.diagnostic(log.split('\n').filter(Boolean).length + ' log lines');
      assert.match(log, /loading the model in 2 inference workers/);
      assert.equal(log.match(/model ready/g)?.length, 2);
      assert.match(log, /SIGTERM received: draining/);
      assert.match(log, /server closed/);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });

  it('answers every one of 30 requests sent before SIGTERM, then exits 0 within 25 s', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const serve = startServe({
      SM_MODEL_DIR: fixtures().modelDir,
      SAGEMAKER_BIND_TO_PORT: String(port),
      // With two node:cluster workers, each blocked by inference, 5 of these 30 were reset.
      MODEL_SERVER_WORKERS: '2',
    });
    try {
      await waitForPing(base, serve.child, serve.output);
      const photo = fixtures().photo('chelsea');
      let answered = 0;
      const sent = Array.from({ length: 30 }, () =>
        postImage(base, photo).finally(() => answered++),
      );
      // Once a few have been answered the server has read the rest: they wait for the worker.
      while (answered < 3) await new Promise((r) => setTimeout(r, 10));
      const signalled = performance.now();
      serve.child.kill('SIGTERM');
      const answers = await Promise.all(sent);
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(30).fill(200),
      );
      for (const answer of answers) assert.equal(answer.body.prediction?.[0]?.[0], COCO.cat);
      assert.equal(await serve.exited, 0, serve.output());
      const seconds = (performance.now() - signalled) / 1000;
      // SageMaker kills a hosting container 30 s after SIGTERM; these take about 3 s.
      assert.ok(seconds < 25, `${seconds.toFixed(1)} s from SIGTERM to exit`);
      const draining = Number(/draining (\d+) request\(s\)/.exec(serve.output())?.[1]);
      assert.ok(draining > 0 && draining <= 27, serve.output());
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });

  it('exits 1 with the reason when the model folder has no model', async () => {
    const port = await freePort();
    const serve = startServe({ MODEL_SERVER_WORKERS: '1', SAGEMAKER_BIND_TO_PORT: String(port) }, [
      'serve',
      '--model',
      join(root, 'test', 'integration', 'serving'),
    ]);
    assert.equal(await serve.exited, 1);
    assert.match(serve.output(), /error: .*holds no model: neither model.json/);
  });

  it('exits 1 naming a bad setting', async () => {
    const serve = startServe({ MODEL_SERVER_WORKERS: 'lots' });
    assert.equal(await serve.exited, 1);
    assert.match(serve.output(), /MODEL_SERVER_WORKERS=lots must be a whole number/);
  });
});
