// The serving app's life, over its real worker processes: 503 until the model is loaded, 503 with
// the reason when it cannot be, /ping answered while every worker is stuck in synchronous work,
// 504 past MODEL_SERVER_TIMEOUT while an image runs (and the runaway worker replaced), a worker
// that dies replaced, every request received before close answered within the drain, and JSON
// for what never became a request. A stand-in worker (stubWorker.ts) makes the cost of each image
// the test's to choose; the real model is covered in http.test.ts.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServingApp, type ServingApp } from '../../../src/detection/server';
import { ping, postImage, postJson, serverTiming, type Answer } from './client';
import { STUB_WORKER, stubImage, stubModel } from './stub';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function stubApp(
  options: {
    model?: Parameters<typeof stubModel>[0];
    workers?: number;
    timeoutMs?: number;
    drainMs?: number;
  } = {},
): { app: ServingApp; lines: string[] } {
  const modelDir = stubModel(options.model);
  folders.push(modelDir);
  const lines: string[] = [];
  const app = createServingApp({
    modelDir,
    workerScript: STUB_WORKER,
    log: (line) => lines.push(line),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.drainMs ? { drainMs: options.drainMs } : {}),
  });
  return { app, lines };
}

async function start(app: ServingApp): Promise<string> {
  const { port } = await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends raw bytes on a fresh connection and resolves with all the server sent back. */
function raw(base: string, write: (socket: import('node:net').Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1', () => write(socket));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Status and parsed JSON body of a raw HTTP answer; throws if the body is not JSON. */
function parseRaw(reply: string): { status: number; body: { error?: string } } {
  const [head = '', body = ''] = reply.split('\r\n\r\n');
  assert.match(head, /content-type: application\/json/i, reply);
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), body: JSON.parse(body) };
}

describe('serving app lifecycle', () => {
  it('answers /ping 503 while the model loads and 200 once it has', async () => {
    const go = `${stubModel()}/go`;
    folders.push(dirname(go));
    const { app } = stubApp({ model: { readyWhen: go } });
    const base = await start(app);
    try {
      const before = await ping(base);
      assert.equal(before.status, 503);
      assert.match(before.body.error ?? '', /still loading/);
      // An invocation that arrives meanwhile waits for the model instead of failing.
      const early = postImage(base, stubImage());
      writeFileSync(go, '');
      assert.equal((await early).status, 200);
      assert.equal((await ping(base)).status, 200);
    } finally {
      await app.close();
    }
  });

  it('says why when the model cannot be loaded, on /ping and /invocations', async () => {
    // The real worker program, on a folder that does not exist.
    const app = createServingApp({ modelDir: '/nonexistent/model', backend: 'cpu' });
    const base = await start(app);
    try {
      await assert.rejects(app.ready, /does not exist/);
      assert.match(await app.failed, /failed to load/);
      const health = await ping(base);
      assert.equal(health.status, 503);
      assert.match(
        health.body.error ?? '',
        /failed to load: model folder \/nonexistent\/model does not exist/,
      );
      const invocation = await postImage(base, stubImage());
      assert.equal(invocation.status, 503);
      assert.match(invocation.body.error ?? '', /failed to load/);
    } finally {
      await app.close();
    }
  });

  it('answers /ping while every worker is stuck in synchronous work', async () => {
    const { app } = stubApp({ workers: 2 });
    const base = await start(app);
    try {
      await app.ready;
      // Two workers, four images of 2.5 s each: both workers are busy for 5 s.
      const sent = performance.now();
      const imageMs: number[] = [];
      const images = [1, 2, 3, 4].map(() =>
        postImage(base, stubImage('block=2500')).then((answer) => {
          imageMs.push(performance.now() - sent);
          return answer;
        }),
      );
      const latencies: number[] = [];
      while (latencies.length < 25) {
        const started = performance.now();
        assert.equal((await ping(base)).status, 200);
        latencies.push(performance.now() - started);
        await sleep(150);
      }
      assert.deepEqual(
        (await Promise.all(images)).map((a) => a.status),
        [200, 200, 200, 200],
      );
      // SageMaker's contract is 2 s; answered by the HTTP process, a ping takes milliseconds.
      // Measured against the images of this run, not the clock (2 noisy cores): a ping queued
      // behind an image would take about as long as the quickest image answered.
      const slowest = Math.max(...latencies);
      const quickestImage = Math.min(...imageMs);
      assert.ok(
        slowest < quickestImage / 2,
        `slowest /ping ${slowest.toFixed(0)} ms against ${quickestImage.toFixed(0)} ms for the quickest image`,
      );
    } finally {
      await app.close();
    }
  });

  it('says in Server-Timing and in its log how long an image waited for the busy worker and ran', async () => {
    const { app, lines } = stubApp();
    const base = await start(app);
    try {
      await app.ready;
      const first = postImage(base, stubImage('block=1000'));
      // Once the first request is received its image is on the only worker (its body is a few
      // bytes): the second one arrives behind it and is handed to the busy worker ahead.
      while (app.inFlight === 0) await sleep(5);
      await sleep(20);
      const [busy, behind] = await Promise.all([first, postImage(base, stubImage())]);
      assert.equal(busy.status, 200);
      assert.equal(behind.status, 200);
      const ran = serverTiming(busy);
      const waited = serverTiming(behind);
      // The stand-in reports its busy-waiting as detection time: most of the blocked request's
      // total, and more than the other's (compared within the run, not with the clock).
      assert.ok(ran.detect! > ran.total! / 2, JSON.stringify(ran));
      assert.ok(ran.detect! > waited.detect!, `${JSON.stringify(ran)} ${JSON.stringify(waited)}`);
      // The second waited for most of the first one's run.
      assert.ok(
        waited.queue! > ran.detect! / 2,
        `queue ${waited.queue} ms behind an image that ran ${ran.detect} ms`,
      );
      // Each total holds its parts (each rounded to 0.1 ms): the wait of an image handed ahead
      // ends when its worker started it, not when the server heard the one before was done.
      for (const timing of [ran, waited])
        assert.ok(
          timing.total! + 0.2 >= timing.queue! + timing.decode! + timing.detect!,
          JSON.stringify(timing),
        );
      // The log line says the same as the header, in whole milliseconds.
      const logged = lines.filter((line) => line.startsWith('POST /invocations 200'));
      assert.equal(logged.length, 2, lines.join('\n'));
      logged.forEach((line, i) => {
        const parts =
          /^POST \/invocations 200 \d+ ms \(queue (\d+) ms, decode (\d+) ms, detect (\d+) ms\)$/.exec(
            line,
          );
        assert.ok(parts, line);
        const header = [ran, waited][i]!;
        ['queue', 'decode', 'detect'].forEach((name, j) =>
          assert.ok(
            Math.abs(Number(parts[j + 1]) - header[name]!) <= 1,
            `${name} in '${line}' against ${JSON.stringify(header)}`,
          ),
        );
      });
    } finally {
      await app.close();
    }
  });

  it('answers 504 past the timeout while the image still runs, and replaces that worker', async () => {
    const { app, lines } = stubApp({ timeoutMs: 1000 });
    const base = await start(app);
    try {
      await app.ready;
      const answer = await postImage(base, stubImage('block=60000'));
      assert.equal(answer.status, 504);
      assert.match(answer.body.error ?? '', /longer than 1 s \(MODEL_SERVER_TIMEOUT\)/);
      assert.equal((await ping(base)).status, 200);
      // The next image is answered by a fresh worker: the runaway one was killed. It is sent once
      // that worker has loaded, since the 1 s timeout counts its wait for a worker too (a loaded
      // machine can take longer than that to start a process).
      const readyLines = () => lines.filter((l) => /model ready: .* in worker 1 /.test(l)).length;
      for (const deadline = Date.now() + 30_000; readyLines() < 2 && Date.now() < deadline;)
        await sleep(50);
      assert.equal(readyLines(), 2, 'the replacement worker loaded the model');
      assert.equal((await postImage(base, stubImage())).status, 200);
      assert.ok(lines.some((l) => /ran longer than 1 s; killing the worker/.test(l)));
      assert.ok(lines.some((l) => /worker 1 was killed \(SIGKILL\); starting another/.test(l)));
    } finally {
      await app.close();
    }
  });

  it('answers 500 in JSON when a worker dies on an image, and replaces it', async () => {
    const { app, lines } = stubApp();
    const base = await start(app);
    try {
      await app.ready;
      const answer = await postImage(base, stubImage('exit=3'));
      assert.equal(answer.status, 500);
      assert.match(answer.body.error ?? '', /inference worker exited \(3\) while working/);
      assert.equal((await postImage(base, stubImage())).status, 200);
      assert.ok(lines.some((l) => /worker 1 exited \(3\); starting another/.test(l)));
    } finally {
      await app.close();
    }
  });

  it('gives the image a dying worker was handed next to its replacement, not an error', async () => {
    const { app, lines } = stubApp();
    const base = await start(app);
    try {
      await app.ready;
      // One worker: while it is on the first image it is handed the second, then dies.
      const first = postImage(base, stubImage('block=400;exit=3'));
      while (app.inFlight < 1) await sleep(5);
      const second = postImage(base, stubImage());
      const [dead, next] = await Promise.all([first, second]);
      assert.equal(dead.status, 500);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.ok(lines.some((l) => /worker 1 exited \(3\); starting another/.test(l)));
    } finally {
      await app.close();
    }
  });

  it('drains on close: every request received is answered, queued ones too', async () => {
    const { app, lines } = stubApp();
    const base = await start(app);
    await app.ready;
    // One worker, 30 images of 50 ms: most of them wait in the queue when close() is called.
    const sent = Array.from({ length: 30 }, () => postImage(base, stubImage('block=50')));
    while (app.inFlight < 30) await sleep(5);
    const closed = app.close();
    const answers = await Promise.all(sent);
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(30).fill(200),
    );
    await closed;
    assert.ok(lines.includes('draining 30 request(s)'), lines.join('\n'));
    assert.equal(app.server.listening, false);
    await assert.rejects(ping(base), /ECONNREFUSED/);
  });

  it('answers what is still running at the drain deadline with a 503 in JSON', async () => {
    const { app } = stubApp({ timeoutMs: 120_000 });
    const base = await start(app);
    await app.ready;
    const stuck = postImage(base, stubImage('block=60000'));
    const queued = postJson(base, { image: stubImage().toString('base64') });
    while (app.inFlight < 2) await sleep(5);
    await app.close(300);
    for (const answer of await Promise.all([stuck, queued])) {
      assert.equal(answer.status, 503);
      assert.match(answer.body.error ?? '', /shutting down .* within 0.3 s; send it again/);
    }
  });

  it("ends the default drain within 25 s, inside SageMaker's 30 s after SIGTERM", async () => {
    const { app } = stubApp({ timeoutMs: 120_000 });
    const base = await start(app);
    await app.ready;
    const stuck = postImage(base, stubImage('block=120000'));
    while (app.inFlight < 1) await sleep(5);
    const started = performance.now();
    await app.close();
    const seconds = (performance.now() - started) / 1000;
    assert.equal((await stuck).status, 503);
    // The contract is SageMaker's: it kills the container 30 s after SIGTERM. 25 s leaves the
    // process time to exit; the drain itself is 20 s, and stopping the workers about 2 s more.
    assert.ok(seconds < 25, `the drain took ${seconds.toFixed(1)} s`);
  });
});

describe('what never became a request is answered in JSON too', () => {
  let app: ServingApp;
  let base: string;
  let lines: string[];

  before(async () => {
    ({ app, lines } = stubApp({ timeoutMs: 1000 }));
    base = await start(app);
    await app.ready;
  });

  after(async () => {
    await app?.close();
  });

  it('not HTTP: 400', async () => {
    const reply = parseRaw(await raw(base, (s) => s.write('HELLO THERE\r\n\r\n')));
    assert.equal(reply.status, 400);
    assert.match(reply.body.error ?? '', /not valid HTTP\/1\.1/);
  });

  it('headers over 16 KB: 431', async () => {
    const reply = parseRaw(
      await raw(base, (s) =>
        s.write(`GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      ),
    );
    assert.equal(reply.status, 431);
    assert.match(reply.body.error ?? '', /headers are over the 16 KB limit/);
  });

  it('headers that do not arrive in time: 408', async () => {
    const reply = parseRaw(await raw(base, (s) => s.write('POST /invocations HTTP/1.1\r\nHost')));
    assert.equal(reply.status, 408);
    assert.match(reply.body.error ?? '', /headers did not arrive within 1 s/);
  });

  it('a body that does not arrive in time: 408', async () => {
    const reply = parseRaw(
      await raw(base, (s) =>
        s.write(
          'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n0123456789',
        ),
      ),
    );
    assert.equal(reply.status, 408);
    assert.match(reply.body.error ?? '', /body did not arrive within 1 s \(MODEL_SERVER_TIMEOUT\)/);
  });

  it('an upload the client abandons is logged as abandoned, not as answered', async () => {
    const before = lines.length;
    await new Promise<void>((resolve) => {
      const req = request(`${base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', 'content-length': 100_000 },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1000));
      setTimeout(() => req.destroy(), 100);
    });
    while (app.inFlight > 0) await sleep(5);
    const logged = lines.slice(before).filter((l) => l.startsWith('POST /invocations'));
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0]!, /the client closed the connection after \d+ ms, before the answer/);
    assert.equal((await ping(base)).status, 200);
  });

  it('keeps serving after all of them', async () => {
    const answer: Answer = await postImage(base, stubImage());
    assert.equal(answer.status, 200);
  });
});
