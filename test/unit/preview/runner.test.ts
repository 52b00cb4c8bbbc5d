import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodePng } from '../../../src/detection';
import type { HostMessage } from '../../../src/core/preview/protocol';
import { PreviewRunner } from '../../../src/core/preview/runner';
import type { PredictionSource } from '../../../src/core/preview/sources';
import { UserError } from '../../../src/core/errors';

/** A small PNG whose first pixel is `shade`, so images differ by content. */
function png(shade: number): Buffer {
  const data = new Uint8Array(4 * 4 * 4).fill(shade);
  return Buffer.from(encodePng({ width: 4, height: 4, data }));
}

/** A source that answers on demand: each call waits until the test releases it. */
function gatedSource() {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  const source: PredictionSource = async (bytes) => {
    calls.push(`${bytes.length} bytes`);
    await new Promise<void>((resolve) => waiting.push(resolve));
    return { predictions: [[17, 0.9, 0, 0, 1, 1]], raw: '{"prediction":[]}', notes: [] };
  };
  return {
    source,
    calls,
    /** Lets every call made so far answer. */
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
  };
}

/** A runner over `images`, recording what it sends; `prepare` gives the source (or fails). */
function harness(prepare: () => Promise<PredictionSource | undefined>, images: string[]) {
  const messages: HostMessage[] = [];
  const errors: Array<{ message: string; path?: string }> = [];
  let key = 'source-a';
  const runner = new PreviewRunner({
    prepare,
    sourceKey: () => key,
    images: () => images,
    sendSession: () =>
      messages.push({
        type: 'session',
        sourceLabel: key,
        images,
        labelMaps: [],
        labelChoice: 'auto',
      }),
    post: (message) => messages.push(message),
    postError: (error, path) =>
      errors.push({
        message: error instanceof Error ? error.message : String(error),
        ...(path ? { path } : {}),
      }),
  });
  const results = () =>
    messages.flatMap((m) => (m.type === 'result' ? [m.result.path.split('/').pop()] : []));
  const pending = () => messages.flatMap((m) => (m.type === 'pending' ? [m.name] : []));
  return { runner, messages, errors, results, pending, setKey: (k: string) => (key = k) };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the preview's run queue", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-runner-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const image = (name: string, shade: number) => {
    const path = join(dir, name);
    writeFileSync(path, png(shade));
    return path;
  };
  const a = image('a.png', 10);
  const b = image('b.png', 20);
  const c = image('c.png', 30);

  it('queues images added while others run: nothing running is dropped', async () => {
    const gate = gatedSource();
    const images = [a, b];
    const h = harness(async () => gate.source, images);
    await h.runner.restart({ fresh: true });
    await until('a to start', () => gate.calls.length === 1);
    images.push(c);
    h.runner.add([c]);
    for (let i = 0; i < 3; i++) {
      await until(`call ${i + 1}`, () => gate.calls.length === i + 1);
      gate.release();
    }
    await until('three results', () => h.results().length === 3);
    assert.deepEqual(h.results(), ['a.png', 'b.png', 'c.png']);
    assert.equal(h.errors.length, 0);
  });

  it('answers a reloaded webview from memory, and asks again when told to or when the bytes change', async () => {
    const gate = gatedSource();
    const images = [a, b];
    const h = harness(async () => gate.source, images);
    const settle = async (calls: number, results: number) => {
      await until(`${calls} calls`, () => {
        gate.release();
        return gate.calls.length >= calls;
      });
      await until(`${results} results`, () => {
        gate.release();
        return h.results().length >= results;
      });
    };
    await h.runner.restart({ fresh: true });
    await settle(2, 2);
    // The webview loaded again: both answers come back, the source is not asked.
    await h.runner.restart();
    await until('four results', () => h.results().length === 4);
    assert.equal(gate.calls.length, 2);
    assert.equal(h.pending().length, 2, 'no Running… for remembered answers');
    const remembered = h.messages.flatMap((m) =>
      m.type === 'result' ? [m.result.remembered === true] : [],
    );
    assert.deepEqual(remembered, [false, false, true, true]);
    // Run again asks anew.
    await h.runner.restart({ fresh: true });
    await settle(4, 6);
    // A changed file is asked about again, the other comes from memory.
    writeFileSync(b, png(21));
    await h.runner.restart();
    await settle(5, 8);
    assert.equal(gate.calls.length, 5);
    // Another source: asked again.
    h.setKey('source-b');
    await h.runner.restart();
    await settle(7, 10);
    assert.equal(gate.calls.length, 7);
  });

  it('without a source, images wait: nothing is shown as running', async () => {
    const images = [a];
    const h = harness(async () => undefined, images);
    await h.runner.restart();
    h.runner.add([a]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(h.pending(), []);
    assert.deepEqual(h.results(), []);
    assert.ok(h.messages.some((m) => m.type === 'session'));
  });

  it('a source that fails to load is one error of the panel, not one per image', async () => {
    const images = [a, b];
    const h = harness(async () => {
      throw new UserError('the model cannot be loaded', 'Pick another');
    }, images);
    await h.runner.restart();
    h.runner.add([c]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(h.errors, [{ message: 'the model cannot be loaded' }]);
    assert.deepEqual(h.pending(), []);
  });

  it('an image that is not one fails alone, in place', async () => {
    const gate = gatedSource();
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a picture');
    const images = [bad, a];
    const h = harness(async () => gate.source, images);
    await h.runner.restart();
    await until('a to run', () => {
      gate.release();
      return h.results().length === 1;
    });
    assert.equal(h.errors.length, 1);
    assert.equal(h.errors[0]?.path, bad);
    assert.match(h.errors[0]?.message ?? '', /bad\.png is not a PNG or JPEG image/);
  });

  it('a forgotten image leaves the queue; dispose stops the rest', async () => {
    const gate = gatedSource();
    const images = [a, b, c];
    const h = harness(async () => gate.source, images);
    await h.runner.restart();
    await until('a to start', () => gate.calls.length === 1);
    h.runner.forget(b);
    gate.release();
    await until('c to start', () => gate.calls.length === 2);
    h.runner.dispose();
    gate.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(h.results(), ['a.png'], 'b was forgotten, c was stopped');
  });
});
