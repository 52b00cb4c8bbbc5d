import {
  Cast,
  getKernel,
  registerKernel,
  unregisterKernel,
  type DataType,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { registerOp as RegisterOp } from '@tensorflow/tfjs-converter';

/**
 * Ops that graphs exported by the Object Detection API carry and TensorFlow.js does not
 * implement, registered with the converter copy that loads the model (the bundled one, or
 * tfjs-node's own).
 *
 * `Assert`: the exporter's preprocessing checks its input's shape with `tf.debugging` asserts,
 * and tensorflowjs_converter keeps them (it strips Assert only from graphs it optimises with
 * TensorFlow's debug stripper, which it does not run). Here it does what TensorFlow does: passes
 * when its condition holds, fails the inference with its message otherwise. TensorFlow gives it
 * no outputs, but TensorFlow.js waits for a value from every input of a node, control inputs
 * (`^Assert`) included: it answers with its condition, which nothing reads.
 */
const registered = new WeakSet<typeof RegisterOp>();

export function registerDetectionOps(registerOp: typeof RegisterOp): void {
  if (registered.has(registerOp)) return;
  registered.add(registerOp);
  registerOp('Assert', (node) => {
    const [condition, ...data] = node.inputs;
    if (condition && condition.size > 0 && !condition.dataSync().every(Boolean)) {
      const shown = data
        .filter((t) => t.dtype === 'string' || t.size <= 8)
        .map((t) => String(t.dataSync()))
        .join(' ');
      throw new Error(`an assertion in the model failed${shown ? `: ${shown}` : ''}`);
    }
    return condition ? [condition] : [];
  });
}

/** The part of tfjs-backend-wasm's backend a kernel uses here. */
interface WasmKernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Uint8Array | Int32Array | Float32Array;
}

let wasmCastFixed = false;

/**
 * tfjs-backend-wasm's Cast copies values into the output's typed array, so a cast to bool keeps
 * the low byte of the truncated value: 0.3 and 256 become false where TensorFlow says true (x != 0).
 * The Object Detection API's NMS casts box areas to bool to drop empty boxes, so on wasm every
 * box of a model whose boxes are smaller than the image was dropped. Casts to bool are redone here
 * by TensorFlow's rule; every other cast stays the backend's.
 */
export function fixWasmCastToBool(): void {
  if (wasmCastFixed) return;
  const original = getKernel(Cast, 'wasm');
  if (!original) return;
  wasmCastFixed = true;
  unregisterKernel(Cast, 'wasm');
  registerKernel({
    kernelName: Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = (args.inputs as { x?: TensorInfo }).x;
      const dtype = (args.attrs as { dtype?: DataType } | undefined)?.dtype;
      if (!x || dtype !== 'bool' || x.dtype === 'bool') return original.kernelFunc(args);
      const backend = args.backend as unknown as WasmKernelBackend;
      const out = backend.makeOutput([...x.shape], 'bool');
      const input = backend.typedArrayFromHeap(x);
      const output = backend.typedArrayFromHeap(out);
      for (let i = 0; i < input.length; i++) output[i] = input[i] !== 0 ? 1 : 0;
      return out;
    },
  });
}
