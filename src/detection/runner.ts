import type { Tensor } from '@tensorflow/tfjs-core';
import type { OutputArray, OutputLayout } from './outputs';

/**
 * One inference on the loaded graph: the image as the graph's input tensor in, the named outputs
 * read back. Graph models and SavedModels differ only here.
 */
export interface ModelRunner {
  readonly layout: OutputLayout;
  run(input: Tensor): Promise<Map<string, OutputArray>>;
  /** The input's dtype and fixed height/width (-1 or absent when any size is accepted). */
  readonly input: { readonly dtype: 'int32' | 'float32'; readonly shape?: readonly number[] };
  dispose(): void;
}

/** Reads the tensors' values back from the backend, keyed by output name. */
export async function readOutputs(
  names: readonly string[],
  tensors: readonly Tensor[],
): Promise<Map<string, OutputArray>> {
  const values = await Promise.all(tensors.map((t) => t.data()));
  return new Map(
    names.map((name, i) => [
      name,
      { shape: tensors[i].shape, data: values[i] as ArrayLike<number> },
    ]),
  );
}
