import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { io } from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { getTfRuntime, type TfRuntime } from '../../../src/detection';

// What graphs exported by the Object Detection API need from TensorFlow.js beyond its own ops, on
// the wasm backend the preview, `tfod predict` and a `serve` without libtensorflow run on.
let runtime: TfRuntime;
before(async () => {
  runtime = await getTfRuntime({ backend: 'wasm' });
});

/** A graph: out = Identity(x) with a control input on Assert(x > 0, x). */
function assertingGraph(): io.ModelArtifacts {
  const float = { type: 'DT_FLOAT' };
  return {
    format: 'graph-model',
    modelTopology: {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: { dtype: float, shape: { shape: { dim: [{ size: '1' }] } } },
        },
        {
          name: 'zero',
          op: 'Const',
          attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT' } } },
        },
        { name: 'positive', op: 'Greater', input: ['x', 'zero'], attr: { T: float } },
        {
          name: 'check',
          op: 'Assert',
          input: ['positive', 'x'],
          attr: { T: { list: { type: ['DT_FLOAT'] } }, summarize: { i: '3' } },
        },
        { name: 'out', op: 'Identity', input: ['x', '^check'], attr: { T: float } },
      ],
      versions: { producer: 1000 },
    },
    weightSpecs: [{ name: 'zero', shape: [], dtype: 'float32' }],
    weightData: new Float32Array([0]).buffer,
  };
}

describe('TensorFlow.js additions for Object Detection API graphs', () => {
  it('runs Assert: passes when its condition holds, fails the inference with its data otherwise', async () => {
    const model = await loadGraphModel(io.fromMemory(assertingGraph()));
    const { tf } = runtime;
    const passed = (await model.executeAsync({ x: tf.tensor1d([2]) }, 'out')) as ReturnType<
      typeof tf.tensor1d
    >;
    assert.deepEqual(Array.from(await passed.data()), [2]);
    await assert.rejects(
      model.executeAsync({ x: tf.tensor1d([-1]) }, 'out') as Promise<unknown>,
      /an assertion in the model failed: -1/,
    );
  });

  it("casts to bool as TensorFlow does (x != 0), where wasm's own Cast kept the low byte", async () => {
    const { tf } = runtime;
    assert.equal(tf.getBackend(), 'wasm');
    const floats = tf.cast(tf.tensor1d([0.3, 0, 256, -0.5, 1e-9, 1]), 'bool');
    assert.deepEqual(Array.from(await floats.data()), [1, 0, 1, 1, 1, 1]);
    const ints = tf.cast(tf.tensor1d([256, 0, 3, -512], 'int32'), 'bool');
    assert.deepEqual(Array.from(await ints.data()), [1, 0, 1, 1]);
    // Other casts are the backend's own: float to int truncates toward zero, as TensorFlow's.
    const truncated = tf.cast(tf.tensor1d([1.7, -1.7]), 'int32');
    assert.deepEqual(Array.from(await truncated.data()), [1, -1]);
  });
});
