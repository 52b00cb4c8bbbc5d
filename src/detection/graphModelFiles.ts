import type { io } from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { ModelFolderError } from './errors';

/**
 * An IOHandler that reads a TensorFlow.js GraphModel (`model.json` and the weight shards its
 * manifest lists) from disk. `tf.io.fileSystem` exists only in tfjs-node; this works on every
 * backend. Shard paths must stay inside the model's folder.
 */
export function graphModelFromFiles(modelJsonPath: string): io.IOHandler {
  const folder = dirname(modelJsonPath);
  return {
    load: async () => {
      const modelJson = await readModelJson(modelJsonPath);
      const weightSpecs: io.WeightsManifestEntry[] = [];
      const shards: ArrayBuffer[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) shards.push(await readShard(folder, path));
      }
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        signature: modelJson.signature,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        modelInitializer: modelJson.modelInitializer,
        initializerSignature: modelJson.initializerSignature,
        weightSpecs,
        weightData: shards,
      };
    },
  };
}

async function readModelJson(path: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ModelFolderError(`cannot read ${path}`, undefined, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelFolderError(
      `${path} is not valid JSON`,
      'Convert the model again with tensorflowjs_converter',
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || !('modelTopology' in parsed))
    throw new ModelFolderError(
      `${path} is not a TensorFlow.js model (it has no modelTopology)`,
      'Convert the model with tensorflowjs_converter --output_format=tfjs_graph_model',
    );
  return parsed as io.ModelJSON;
}

async function readShard(folder: string, path: string): Promise<ArrayBuffer> {
  const full = resolve(folder, path);
  const inside = relative(folder, full);
  if (inside.startsWith(`..${sep}`) || inside === '..')
    throw new ModelFolderError(`model.json lists a weight file outside its folder: ${path}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (error) {
    throw new ModelFolderError(
      `the weight file ${full} named in model.json cannot be read`,
      'Copy every group*-shard* file that came with model.json into the same folder',
      { cause: error },
    );
  }
  // Small files share Node's buffer pool: copy out exactly this file's bytes.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
