import type { Tensor } from '@tensorflow/tfjs-core';
import { ModelFolderError } from './errors';
import { loadGraphModelRunner } from './graphModelRunner';
import { inspectModelFolder, type ModelFolder } from './modelFolder';
import { interpretOutputs, type OutputLayout } from './outputs';
import { resolveDetectOptions } from './predictions';
import type { ModelRunner } from './runner';
import { getTfRuntime, type BackendChoice, type TfRuntime } from './runtime';
import { loadSavedModelRunner } from './savedModelRunner';
import type { DetectOptions, Prediction, RgbaImage } from './types';

/** A loaded detection model: image in, prediction list out. */
export interface Detector {
  readonly folder: ModelFolder;
  readonly format: 'graph-model' | 'saved-model';
  readonly backend: TfRuntime['backend'];
  /** The TensorFlow.js packages and versions running the model, for logs. */
  readonly runtimeVersion: string;
  /** Why faster backends were passed over (empty when the preferred one runs). */
  readonly runtimeNotes: readonly string[];
  readonly layout: OutputLayout;
  /** Detections on one image, strongest first. Calls run one at a time, in call order. */
  detect(image: RgbaImage, options?: DetectOptions): Promise<Prediction[]>;
  dispose(): void;
}

export interface LoadDetectorOptions {
  readonly backend?: BackendChoice;
  readonly wasmDir?: string;
}

/**
 * Loads the model in a folder (see {@link inspectModelFolder}). A SavedModel runs on tfjs-node
 * where it is installed (the serving container); otherwise the TensorFlow.js GraphModel runs on
 * the chosen backend (wasm by default).
 */
export async function loadDetector(
  modelDir: string,
  options: LoadDetectorOptions = {},
): Promise<Detector> {
  const folder = await inspectModelFolder(modelDir);
  const runtime = await getTfRuntime(options);
  let runner: ModelRunner;
  let format: Detector['format'];
  if (folder.savedModelDir && runtime.node) {
    runner = await loadSavedModelRunner(runtime, folder.savedModelDir);
    format = 'saved-model';
  } else if (folder.graphModelJson) {
    runner = await loadGraphModelRunner(runtime, folder.graphModelJson);
    format = 'graph-model';
  } else {
    throw savedModelOnly(folder);
  }
  return createDetector(runtime, runner, folder, format);
}

/** Builds a detector over any runner; exposed for tests that bring their own graph. */
export function createDetector(
  runtime: TfRuntime,
  runner: ModelRunner,
  folder: ModelFolder,
  format: Detector['format'],
): Detector {
  const { tf } = runtime;
  // tfjs runs one graph at a time per process anyway; queueing keeps memory flat under load.
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  const detectNow = async (image: RgbaImage, options: DetectOptions): Promise<Prediction[]> => {
    if (disposed) throw new Error('the detector was disposed');
    options.signal?.throwIfAborted();
    const resolved = resolveDetectOptions(options);
    const input = imageTensor(runtime, image, runner.input);
    try {
      const outputs = await runner.run(input);
      return await interpretOutputs(tf, runner.layout, outputs, resolved);
    } finally {
      input.dispose();
    }
  };
  return {
    folder,
    format,
    backend: runtime.backend,
    runtimeVersion: runtime.version,
    runtimeNotes: runtime.notes,
    layout: runner.layout,
    detect(image, options = {}) {
      const result = queue.then(() => detectNow(image, options));
      queue = result.catch(() => undefined);
      return result;
    },
    dispose() {
      disposed = true;
      runner.dispose();
    },
  };
}

/** RGBA pixels to the [1,h,w,3] tensor the graph takes, resized when its input size is fixed. */
function imageTensor(runtime: TfRuntime, image: RgbaImage, input: ModelRunner['input']): Tensor {
  const { tf } = runtime;
  const pixels = image.width * image.height;
  const rgb = new Int32Array(pixels * 3);
  for (let p = 0, q = 0; p < pixels; p++, q += 4) {
    rgb[3 * p] = image.data[q];
    rgb[3 * p + 1] = image.data[q + 1];
    rgb[3 * p + 2] = image.data[q + 2];
  }
  const height = input.shape?.[1] ?? -1;
  const width = input.shape?.[2] ?? -1;
  const fixed = height > 0 && width > 0 && (height !== image.height || width !== image.width);
  return tf.tidy(() => {
    const t = tf.tensor4d(rgb, [1, image.height, image.width, 3], 'int32');
    if (!fixed) return input.dtype === 'int32' ? t : tf.cast(t, 'float32');
    const resized = tf.image.resizeBilinear(tf.cast(t, 'float32'), [height, width]);
    return input.dtype === 'int32' ? tf.cast(tf.round(resized), 'int32') : resized;
  });
}

/** Why a folder with only a SavedModel cannot run here, naming the ops the conversion lacked. */
function savedModelOnly(folder: ModelFolder): ModelFolderError {
  const conversion = folder.conversion;
  const serveInImage =
    'It runs where TensorFlow runs it natively: the serving image (tfod serve --target local <job>, or deploy to SageMaker), then preview that endpoint';
  if (conversion && !conversion.converted) {
    const ops = conversion.unsupportedOps;
    const what =
      ops.length > 0
        ? `TensorFlow.js has no kernel for the op${ops.length === 1 ? '' : 's'} ${ops.join(', ')}, which this model uses`
        : `the converter failed: ${conversion.error ?? 'no reason was recorded'}`;
    return new ModelFolderError(
      `${folder.dir} holds a SavedModel that the training image could not convert to TensorFlow.js (${what}), and only the tensorflow backend (@tensorflow/tfjs-node, in the serving image) runs a SavedModel`,
      ops.length > 0
        ? `${serveInImage}; or change the model so it avoids ${ops.join(', ')} (a different feature extractor or post-processing) and train again`
        : serveInImage,
    );
  }
  return new ModelFolderError(
    `${folder.dir} holds a SavedModel, which only the tensorflow backend (@tensorflow/tfjs-node, installed in the serving container) can run`,
    'Serve it with the container, or convert it with tensorflowjs_converter --input_format=tf_saved_model --output_format=tfjs_graph_model into model.json beside it',
  );
}
