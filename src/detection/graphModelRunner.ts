import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { NamedTensorMap } from '@tensorflow/tfjs-core';
import { ModelFolderError } from './errors';
import { graphModelFromFiles } from './graphModelFiles';
import { findOutputLayout, findRenamedOutputLayout, layoutOutputNames } from './outputs';
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
  const signature = (model.modelSignature as ConvertedSignature | undefined)?.outputs ?? {};
  const signatureOutputs = Object.keys(signature);
  const named = [signatureOutputs, model.outputNodes, model.outputs.map((o) => o.name)];
  // The post-processed outputs first, by name, then by the order the converter renamed them in
  // (tensorflowjs 3.x keeps some names and leaves others Identity_N even with
  // --use_structured_outputs_names), and only then the raw ones, which need NMS here.
  const layout =
    named.map((names) => findOutputLayout(names, { raw: false })).find(Boolean) ??
    findRenamedOutputLayout(
      Object.entries(signature).map(([name, output]) => ({
        name,
        ...(output.tensorShape?.dim
          ? { shape: output.tensorShape.dim.map((d) => Number(d.size ?? -1)) }
          : {}),
      })),
      structuredOutputKeys(model),
    ) ??
    named.map((names) => findOutputLayout(names)).find(Boolean);
  if (!layout) {
    model.dispose();
    throw new ModelFolderError(
      `${modelJson} is not an object detection model this code understands (outputs: ${model.outputNodes.join(', ')})`,
      'Export it with the Object Detection API (outputs detection_boxes, detection_scores, detection_classes); when converting it yourself, pass --use_structured_outputs_names=true to tensorflowjs_converter so the output names are kept',
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
      let result;
      try {
        result = await model.executeAsync({ [first.name]: input } as NamedTensorMap, names);
      } catch (error) {
        throw missingOpError(error, modelJson, runtime.backend) ?? error;
      }
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

/** The part of a converted model.json's `signature` read here. */
interface ConvertedSignature {
  readonly outputs?: Record<
    string,
    { readonly tensorShape?: { readonly dim?: readonly { readonly size?: string | number }[] } }
  >;
}

/** The signature's output keys the converter recorded (`--use_structured_outputs_names`). */
function structuredOutputKeys(model: GraphModel): string[] | undefined {
  const keys = (model.metadata as { structuredOutputKeys?: unknown } | undefined)
    ?.structuredOutputKeys;
  return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? keys : undefined;
}

/**
 * TensorFlow.js names an op it cannot run only when the graph reaches it: "Unknown op 'X'" (the
 * converter's executor has no mapping), "X is not implemented", or a kernel missing on the backend.
 * Those become a model error that names the op; anything else stays as it was.
 */
export function missingOpError(
  error: unknown,
  modelJson: string,
  backend: string,
): ModelFolderError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const op =
    /Unknown op '([^']+)'/.exec(message)?.[1] ??
    /(?:Node type|Op) '?([A-Za-z0-9_]+)'? is not implemented/.exec(message)?.[1];
  if (op)
    return new ModelFolderError(
      `${modelJson} uses the op ${op}, which TensorFlow.js cannot run`,
      'Serve the SavedModel with the serving image (tfod serve --target local, or deploy to SageMaker), where TensorFlow runs it natively',
      { cause: error },
    );
  const kernel = /'([A-Za-z0-9_]+)' not yet implemented or not found in the registry/.exec(
    message,
  )?.[1];
  if (kernel)
    return new ModelFolderError(
      `${modelJson} needs the kernel ${kernel}, which the ${backend} backend does not have`,
      'Try another backend (--backend cpu, or TFOD_BACKEND=cpu), or serve the SavedModel with the serving image',
      { cause: error },
    );
  return undefined;
}
