import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import { ModelFolderError } from './errors';
import { graphModelFromFiles } from './graphModelFiles';
import { findOutputLayout, layoutOutputNames } from './outputs';
import { readOutputs, type ModelRunner } from './runner';
import type { TfRuntime } from './runtime';

/** A TensorFlow.js GraphModel from disk, on whatever backend the runtime has. */
export async function loadGraphModelRunner(
  runtime: TfRuntime,
  modelJson: string,
): Promise<ModelRunner> {
  let model: GraphModel;
  try {
    model = await runtime.loadGraphModel(graphModelFromFiles(modelJson));
  } catch (error) {
    if (error instanceof ModelFolderError) throw error;
    throw new ModelFolderError(
      `${modelJson} could not be loaded as a TensorFlow.js GraphModel: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  }
  const signatureOutputs = Object.keys(
    (model.modelSignature as { outputs?: Record<string, unknown> } | undefined)?.outputs ?? {},
  );
  const layout =
    findOutputLayout(signatureOutputs) ??
    findOutputLayout(model.outputNodes) ??
    findOutputLayout(model.outputs.map((o) => o.name));
  if (!layout) {
    model.dispose();
    throw new ModelFolderError(
      `${modelJson} is not an object detection model this code understands (outputs: ${model.outputNodes.join(', ')})`,
      'Export it with the Object Detection API (outputs detection_boxes, detection_scores, detection_classes)',
    );
  }
  const first = model.inputs[0];
  if (!first || model.inputs.length !== 1)
    throw new ModelFolderError(
      `${modelJson} takes ${model.inputs.length} inputs; a detection model takes one image tensor`,
    );
  const names = layoutOutputNames(layout);
  return {
    layout,
    input: {
      dtype: first.dtype === 'float32' ? 'float32' : 'int32',
      ...(first.shape ? { shape: first.shape } : {}),
    },
    async run(input) {
      const result = await model.executeAsync({ [first.name]: input } as NamedTensorMap, names);
      const tensors = Array.isArray(result) ? result : [result];
      try {
        return await readOutputs(names, tensors);
      } finally {
        runtime.tf.dispose(tensors);
      }
    },
    dispose: () => model.dispose(),
  };
}
