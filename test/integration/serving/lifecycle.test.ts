// The serving app's life: 503 until the model is loaded, 503 with the reason when it cannot be,
// 504 past MODEL_SERVER_TIMEOUT, and a drain on close that finishes what is in flight. A stand-in
// detector makes the timing deterministic; the real model is covered in http.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import type { Detector, Prediction } from '../../../src/detection';
import { createServingApp, type ServingApp } from '../../../src/detection/server';
import { ping, postImage, postJson } from './client';

const tinyPng = (() => {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(200);
  return PNG.sync.write(png);
})();

/** A detector that answers one cat after `delayMs`. */
function slowDetector(delayMs: number): Detector & { calls: number } {
  const detector = {
    calls: 0,
    folder: { dir: '/fake' },
    format: 'graph-model' as const,
    backend: 'cpu' as const,
    runtimeVersion: 'none',
    runtimeNotes: [],
    layout: { kind: 'raw' as const, boxes: 'b', scores: 's' },
    async detect(): Promise<Prediction[]> {
      detector.calls++;
      await new Promise((r) => setTimeout(r, delayMs));
      return [[17, 0.9, 0.1, 0.1, 0.9, 0.9]];
    },
    dispose() {},
  };
  return detector;
}

async function start(app: ServingApp): Promise<string> {
  const { port } = await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

describe('serving app lifecycle', () => {
  it('answers /ping 503 while the model loads and 200 once it has', async () => {
    let resolve: (d: Detector) => void = () => undefined;
    const loading = new Promise<Detector>((r) => (resolve = r));
    const app = createServingApp({ modelDir: '/fake', detector: loading });
    const base = await start(app);
    try {
      const before = await ping(base);
      assert.equal(before.status, 503);
      assert.match(before.body.error ?? '', /still loading/);
      // An invocation that arrives meanwhile waits for the model instead of failing.
      const early = postImage(base, tinyPng);
      resolve(slowDetector(0));
      assert.equal((await early).status, 200);
      assert.equal((await ping(base)).status, 200);
    } finally {
      await app.close();
    }
  });

  it('says why when the model cannot be loaded, on /ping and /invocations', async () => {
    const app = createServingApp({ modelDir: '/nonexistent/model', backend: 'cpu' });
    const base = await start(app);
    try {
      await assert.rejects(app.ready, /does not exist/);
      const health = await ping(base);
      assert.equal(health.status, 503);
      assert.match(
        health.body.error ?? '',
        /failed to load: model folder \/nonexistent\/model does not exist/,
      );
      const invocation = await postImage(base, tinyPng);
      assert.equal(invocation.status, 503);
      assert.match(invocation.body.error ?? '', /failed to load/);
    } finally {
      await app.close();
    }
  });

  it('answers 504 past the timeout and keeps serving', async () => {
    const app = createServingApp({ modelDir: '/fake', detector: slowDetector(300), timeoutMs: 50 });
    const base = await start(app);
    try {
      const answer = await postJson(base, { image: tinyPng.toString('base64') });
      assert.equal(answer.status, 504);
      assert.match(answer.body.error ?? '', /longer than 0.05 s \(MODEL_SERVER_TIMEOUT\)/);
      assert.equal((await ping(base)).status, 200);
    } finally {
      await app.close();
    }
  });

  it('drains on close: requests in flight finish with 200, new connections are refused', async () => {
    const detector = slowDetector(150);
    const app = createServingApp({ modelDir: '/fake', detector });
    const base = await start(app);
    const inFlight = [1, 2, 3].map(() => postImage(base, tinyPng));
    while (app.inFlight < 3) await new Promise((r) => setTimeout(r, 5));
    const closed = app.close();
    const answers = await Promise.all(inFlight);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    await closed;
    assert.equal(app.server.listening, false);
    await assert.rejects(ping(base), /ECONNREFUSED/);
  });

  it('gives up on requests still running after the grace period', async () => {
    const app = createServingApp({ modelDir: '/fake', detector: slowDetector(2000) });
    const base = await start(app);
    const stuck = postImage(base, tinyPng).catch((error: Error) => error);
    while (app.inFlight < 1) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await app.close(100);
    assert.ok(performance.now() - started < 1000, 'close waited for the stuck request');
    assert.ok((await stuck) instanceof Error, 'the stuck request was cut off');
  });
});
