import type { NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';
import { ModelFolderError } from './errors';
import { findOutputLayout, layoutOutputNames } from './outputs';
import { readOutputs, type ModelRunner } from './runner';
import type { TfRuntime } from './runtime';

const SERVE_TAG = 'serve';
const SIGNATURE = 'serving_default';

/**
 * Runs an exported SavedModel's `serving_default` signature through tfjs-node (native
 * libtensorflow). Only the serving container has tfjs-node, so this path is exercised there and
 * not by the tests on a development machine. The Object Detection API's exporters name the
 * signature's outputs detection_boxes / detection_scores / detection_classes / num_detections in
 * TF1 and TF2 alike; its input (`input_tensor` or `inputs`, uint8) is fed as int32, which
 * tfjs-node maps to DT_UINT8.
 */
export async function loadSavedModelRunner(runtime: TfRuntime, dir: string): Promise<ModelRunner> {
  const node = runtime.node;
  if (!node) throw new Error('SavedModels need the tensorflow backend (@tensorflow/tfjs-node)');
  const metaGraphs = await node.getMetaGraphsFromSavedModel(dir);
  const metaGraph = metaGraphs.find((g) => g.tags.includes(SERVE_TAG));
  const signature = metaGraph?.signatureDefs[SIGNATURE];
  if (!metaGraph || !signature)
    throw new ModelFolderError(
      `the SavedModel in ${dir} has no '${SERVE_TAG}' meta graph with a '${SIGNATURE}' signature`,
      'Export it with the Object Detection API exporter (exporter_main_v2.py or export_inference_graph.py)',
    );
  const inputKeys = Object.keys(signature.inputs);
  const inputKey = inputKeys[0];
  if (!inputKey || inputKeys.length !== 1)
    throw new ModelFolderError(
      `the SavedModel's ${SIGNATURE} signature takes inputs ${inputKeys.join(', ') || '(none)'}; a detection model takes one image tensor`,
    );
  const layout = findOutputLayout(Object.keys(signature.outputs));
  if (!layout)
    throw new ModelFolderError(
      `the SavedModel in ${dir} is not an Object Detection API export (outputs: ${Object.keys(signature.outputs).join(', ')})`,
    );
  const model = await node.loadSavedModel(dir, [...metaGraph.tags], SIGNATURE);
  const names = layoutOutputNames(layout);
  const inputInfo = signature.inputs[inputKey];
  return {
    layout,
    input: {
      dtype: inputInfo.dtype === 'float32' ? 'float32' : 'int32',
      ...(inputInfo.shape ? { shape: inputInfo.shape } : {}),
    },
    async run(input) {
      const result = model.predict({ [inputKey]: input } as NamedTensorMap);
      const map = asNamedMap(result, Object.keys(signature.outputs));
      try {
        return await readOutputs(
          names,
          names.map((name) => {
            const tensor = map[name];
            if (!tensor) throw new Error(`the SavedModel produced no output named ${name}`);
            return tensor;
          }),
        );
      } finally {
        runtime.tf.dispose(Object.values(map));
      }
    },
    dispose: () => model.dispose(),
  };
}

/** tfjs-node answers a NamedTensorMap for named inputs; older versions a tensor or a list. */
function asNamedMap(result: Tensor | Tensor[] | NamedTensorMap, keys: string[]): NamedTensorMap {
  if (Array.isArray(result)) return Object.fromEntries(keys.map((k, i) => [k, result[i]]));
  if ('dataSync' in result && typeof result.dataSync === 'function')
    return { [keys[0]]: result as Tensor };
  return result as NamedTensorMap;
}
