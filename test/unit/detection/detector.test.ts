import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  createDetector,
  getTfRuntime,
  inspectModelFolder,
  loadDetector,
  ModelFolderError,
  type ModelRunner,
  type OutputArray,
  type RgbaImage,
  type TfRuntime,
} from '../../../src/detection';

let runtime: TfRuntime;
let scratch: string;
before(async () => {
  runtime = await getTfRuntime({ backend: 'cpu' });
  scratch = await mkdtemp(join(tmpdir(), 'tfod-detector-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const folder = { dir: '/models/fake' };

function image(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 255], i);
  return { width, height, data };
}

/** A runner that records its inputs and answers one fixed postprocessed detection. */
function fakeRunner(input: ModelRunner['input'], delayMs = 0) {
  const seen: { shape: number[]; dtype: string; first: number[] }[] = [];
  const order: number[] = [];
  let calls = 0;
  const runner: ModelRunner = {
    layout: { kind: 'postprocessed', boxes: 'b', scores: 's', classes: 'c' },
    input,
    async run(tensor: Tensor) {
      const call = ++calls;
      seen.push({
        shape: tensor.shape,
        dtype: tensor.dtype,
        first: Array.from(await tensor.data()).slice(0, 3),
      });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      order.push(call);
      return new Map<string, OutputArray>([
        ['b', { shape: [1, 1, 4], data: [0.1, 0.2, 0.3, 0.4] }],
        ['s', { shape: [1, 1], data: [0.8] }],
        ['c', { shape: [1, 1], data: [call] }],
      ]);
    },
    dispose() {},
  };
  return { runner, seen, order };
}

describe('createDetector', () => {
  it('feeds the image as an int32 [1, h, w, 3] tensor without alpha', async () => {
    const { runner, seen } = fakeRunner({ dtype: 'int32', shape: [-1, -1, -1, 3] });
    const detector = createDetector(runtime, runner, folder, 'graph-model');
    const predictions = await detector.detect(image(5, 3, [10, 20, 30]));
    assert.deepEqual(seen[0], { shape: [1, 3, 5, 3], dtype: 'int32', first: [10, 20, 30] });
    assert.deepEqual(
      predictions.map((p) => p.map((v) => Math.round(v * 1000) / 1000)),
      [[1, 0.8, 0.2, 0.1, 0.4, 0.3]],
    );
  });

  it('resizes to a fixed input size and casts to float32 when the graph asks', async () => {
    const { runner, seen } = fakeRunner({ dtype: 'float32', shape: [1, 4, 6, 3] });
    const detector = createDetector(runtime, runner, folder, 'graph-model');
    await detector.detect(image(12, 8, [200, 100, 50]));
    assert.deepEqual(seen[0], { shape: [1, 4, 6, 3], dtype: 'float32', first: [200, 100, 50] });
  });

  it('runs one detection at a time, in call order', async () => {
    const { runner, order } = fakeRunner({ dtype: 'int32' }, 20);
    const detector = createDetector(runtime, runner, folder, 'graph-model');
    const results = await Promise.all([1, 2, 3].map(() => detector.detect(image(2, 2, [0, 0, 0]))));
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual(
      results.map((r) => r[0]![0]),
      [1, 2, 3],
    );
  });

  it('skips a queued detection whose signal aborted, and carries on with the next', async () => {
    const { runner, order } = fakeRunner({ dtype: 'int32' }, 20);
    const detector = createDetector(runtime, runner, folder, 'graph-model');
    const abort = new AbortController();
    const first = detector.detect(image(2, 2, [0, 0, 0]));
    const skipped = detector.detect(image(2, 2, [0, 0, 0]), { signal: abort.signal });
    abort.abort();
    const third = detector.detect(image(2, 2, [0, 0, 0]));
    await assert.rejects(skipped);
    await first;
    await third;
    assert.equal(order.length, 2);
  });

  it('refuses an out-of-range threshold and leaves no tensors behind', async () => {
    const { runner } = fakeRunner({ dtype: 'int32' });
    const detector = createDetector(runtime, runner, folder, 'graph-model');
    const before = runtime.tf.memory().numTensors;
    await assert.rejects(detector.detect(image(2, 2, [0, 0, 0]), { threshold: 3 }), RangeError);
    await detector.detect(image(4, 4, [0, 0, 0]));
    assert.equal(runtime.tf.memory().numTensors, before);
  });
});

describe('inspectModelFolder', () => {
  it('finds a GraphModel, a SavedModel under saved_model/, the label map and hyperparameters', async () => {
    const dir = join(scratch, 'full');
    await mkdir(join(dir, 'saved_model'), { recursive: true });
    await writeFile(join(dir, 'model.json'), '{}');
    await writeFile(join(dir, 'saved_model', 'saved_model.pb'), '');
    await writeFile(join(dir, 'label_map.pbtxt'), '');
    await writeFile(join(dir, 'hyperparameters.json'), '{}');
    assert.deepEqual(await inspectModelFolder(dir), {
      dir,
      graphModelJson: join(dir, 'model.json'),
      savedModelDir: join(dir, 'saved_model'),
      labelMapPath: join(dir, 'label_map.pbtxt'),
      hyperparametersPath: join(dir, 'hyperparameters.json'),
    });
  });

  it('accepts a SavedModel at the top and a path to model.json', async () => {
    const dir = join(scratch, 'top');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'saved_model.pb'), '');
    assert.equal((await inspectModelFolder(dir)).savedModelDir, dir);
    await writeFile(join(dir, 'model.json'), '{}');
    assert.equal((await inspectModelFolder(join(dir, 'model.json'))).dir, dir);
  });

  it('says what is missing', async () => {
    await assert.rejects(
      inspectModelFolder(join(scratch, 'nope')),
      (e: unknown) => e instanceof ModelFolderError && /does not exist/.test(e.message),
    );
    const empty = join(scratch, 'empty');
    await mkdir(empty);
    await assert.rejects(inspectModelFolder(empty), /holds no model: neither model.json/);
  });
});

describe('loadDetector', () => {
  it('says a SavedModel needs tfjs-node when only a SavedModel is there', async () => {
    const dir = join(scratch, 'saved-only');
    await mkdir(dir);
    await writeFile(join(dir, 'saved_model.pb'), '');
    await assert.rejects(
      loadDetector(dir, { backend: 'cpu' }),
      (e: unknown) =>
        e instanceof ModelFolderError &&
        /@tensorflow\/tfjs-node/.test(e.message) &&
        /tensorflowjs_converter/.test(e.fix ?? ''),
    );
  });

  it('says which weight file is missing', async () => {
    const dir = join(scratch, 'no-shards');
    await mkdir(dir);
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: { node: [] },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
      }),
    );
    await assert.rejects(
      loadDetector(dir, { backend: 'cpu' }),
      /group1-shard1of1.bin named in model.json cannot be read/,
    );
  });

  it('refuses a weight path that leaves the model folder', async () => {
    const dir = join(scratch, 'escape');
    await mkdir(dir);
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: { node: [] },
        weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }],
      }),
    );
    await assert.rejects(loadDetector(dir, { backend: 'cpu' }), /outside its folder/);
  });

  it('says when model.json is not a model', async () => {
    const dir = join(scratch, 'not-json');
    await mkdir(dir);
    await writeFile(join(dir, 'model.json'), 'this is not json');
    await assert.rejects(loadDetector(dir, { backend: 'cpu' }), /is not valid JSON/);
  });
});
