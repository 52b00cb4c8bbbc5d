import type { Tensor } from '@tensorflow/tfjs-core';
import { predictionFromBox, selectPredictions, type ResolvedDetectOptions } from './predictions';
import type { TfCore } from './runtime';
import type { Prediction } from './types';

/**
 * How a detection graph presents its results.
 * - `postprocessed`: the Object Detection API's exported signature (TF1 frozen graphs and TF2
 *   SavedModels use the same names): boxes [1,N,4] as ymin,xmin,ymax,xmax, scores [1,N], classes
 *   [1,N] already label-map ids, and optionally the count [1]. NMS happened inside the graph.
 * - `raw`: graphs cut before the postprocessor, which leave NMS to the caller (the COCO SSD test
 *   model): per-class scores [1,N,C] without the background column (class id = column + 1) and
 *   boxes [1,N,1,4] or [1,N,4] as ymin,xmin,ymax,xmax.
 */
export type OutputLayout =
  | {
      readonly kind: 'postprocessed';
      readonly boxes: string;
      readonly scores: string;
      readonly classes: string;
      readonly count?: string;
    }
  | { readonly kind: 'raw'; readonly boxes: string; readonly scores: string };

/** An output tensor's values, already read back from the backend. */
export interface OutputArray {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

const RAW_SCORE_NAMES = ['Postprocessor/Slice', 'Postprocessor/convert_scores', 'concat_1'];
const RAW_BOX_NAMES = ['Postprocessor/ExpandDims_1', 'Postprocessor/Decode/transpose_1'];

/**
 * Finds the layout from the graph's output names (signature keys or node names; a `:0` suffix
 * is ignored). Returns undefined when the names say nothing this code understands.
 */
export function findOutputLayout(
  outputNames: readonly string[],
  { raw = true }: { readonly raw?: boolean } = {},
): OutputLayout | undefined {
  const names = new Map(outputNames.map((name) => [name.replace(/:\d+$/, ''), name]));
  const boxes = names.get('detection_boxes');
  const scores = names.get('detection_scores');
  const classes = names.get('detection_classes');
  if (boxes && scores && classes) {
    const count = names.get('num_detections');
    return { kind: 'postprocessed', boxes, scores, classes, ...(count ? { count } : {}) };
  }
  if (!raw) return undefined;
  const rawScores = RAW_SCORE_NAMES.map((n) => names.get(n)).find(Boolean);
  const rawBoxes = RAW_BOX_NAMES.map((n) => names.get(n)).find(Boolean);
  if (rawScores && rawBoxes) return { kind: 'raw', boxes: rawBoxes, scores: rawScores };
  return undefined;
}

/** A graph output as the converted model's signature describes it. */
export interface GraphOutput {
  /** The name to ask the graph for, e.g. `Identity_1:0`. */
  readonly name: string;
  /** Its dimensions as the signature gives them (-1 where unknown), when it gives them. */
  readonly shape?: readonly number[];
}

/**
 * The output key sets of the Object Detection API's TF2 exporter (`exporter_main_v2.py`,
 * `input_type image_tensor`), sorted as TensorFlow flattens a signature's output dict: SSD and
 * Faster R-CNN models, and CenterNet models without keypoints.
 */
const EXPORTER_KEY_SETS: readonly (readonly string[])[] = [
  [
    'detection_anchor_indices',
    'detection_boxes',
    'detection_classes',
    'detection_multiclass_scores',
    'detection_scores',
    'num_detections',
    'raw_detection_boxes',
    'raw_detection_scores',
  ],
  ['detection_boxes', 'detection_classes', 'detection_scores', 'num_detections'],
];

/**
 * Finds the layout of a SavedModel converted to a TensorFlow.js GraphModel whose outputs lost
 * their signature keys: the converter names them after the graph's output nodes, `Identity`,
 * `Identity_1`, ... in the order TensorFlow flattens the output dict (its keys sorted). With
 * `--use_structured_outputs_names` the converter also records those keys (`keys`); without, the
 * exporter's own key sets are tried. Every guess must agree with the outputs' ranks (boxes
 * [1, N, 4], scores and classes [1, N], the count [1]), so a model of another kind is never
 * misread. tfjs's own use of the recorded keys pairs them with the signature's outputs in the
 * order the file lists them, which is not that order.
 */
export function findRenamedOutputLayout(
  outputs: readonly GraphOutput[],
  keys?: readonly string[],
): OutputLayout | undefined {
  const candidates = keys
    ? [keys]
    : EXPORTER_KEY_SETS.filter((set) => set.length === outputs.length);
  for (const candidate of candidates) {
    const byKey = new Map<string, GraphOutput>();
    for (const output of outputs) {
      const node = output.name.replace(/:\d+$/, '');
      const index = /^Identity(?:_(\d+))?$/.exec(node);
      const key = candidate.includes(node)
        ? node
        : index
          ? candidate[index[1] === undefined ? 0 : Number(index[1])]
          : undefined;
      if (key !== undefined) byKey.set(key, output);
    }
    const boxes = byKey.get('detection_boxes');
    const scores = byKey.get('detection_scores');
    const classes = byKey.get('detection_classes');
    const count = byKey.get('num_detections');
    // With the converter's recorded keys a missing shape is no reason to refuse; a guess from
    // the exporter's key sets must be borne out by every shape it relies on.
    const fits = (output: GraphOutput | undefined, rank: number, last?: number) =>
      output !== undefined &&
      (output.shape === undefined
        ? keys !== undefined
        : output.shape.length === rank &&
          (last === undefined || [last, -1].includes(output.shape[rank - 1])));
    if (fits(boxes, 3, 4) && fits(scores, 2) && fits(classes, 2) && (!count || fits(count, 1)))
      return {
        kind: 'postprocessed',
        boxes: boxes!.name,
        scores: scores!.name,
        classes: classes!.name,
        ...(count ? { count: count.name } : {}),
      };
  }
  return undefined;
}

/** Says which outputs a layout needs, in a fixed order. */
export function layoutOutputNames(layout: OutputLayout): string[] {
  if (layout.kind === 'raw') return [layout.scores, layout.boxes];
  return [layout.boxes, layout.scores, layout.classes, ...(layout.count ? [layout.count] : [])];
}

/**
 * Turns a graph's outputs into the prediction list: normalised boxes, strongest first, at or
 * above the threshold. `tf` is needed only for the NMS of `raw` layouts.
 */
export async function interpretOutputs(
  tf: TfCore,
  layout: OutputLayout,
  outputs: ReadonlyMap<string, OutputArray>,
  options: ResolvedDetectOptions,
): Promise<Prediction[]> {
  const get = (name: string): OutputArray => {
    const output = outputs.get(name);
    if (!output) throw new Error(`the model produced no output named ${name}`);
    return output;
  };
  if (layout.kind === 'postprocessed')
    return interpretPostprocessed(
      get(layout.boxes),
      get(layout.scores),
      get(layout.classes),
      layout.count ? get(layout.count) : undefined,
      options,
    );
  return interpretRaw(tf, get(layout.boxes), get(layout.scores), options);
}

export function interpretPostprocessed(
  boxes: OutputArray,
  scores: OutputArray,
  classes: OutputArray,
  count: OutputArray | undefined,
  options: ResolvedDetectOptions,
): Prediction[] {
  const n = Math.min(
    scores.data.length,
    classes.data.length,
    Math.floor(boxes.data.length / 4),
    count && count.data.length > 0 ? Math.max(0, Math.round(count.data[0])) : Infinity,
  );
  const predictions: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const score = scores.data[i];
    if (!(score >= options.threshold)) continue;
    const b = 4 * i;
    predictions.push(
      predictionFromBox(
        Math.round(classes.data[i]),
        score,
        boxes.data[b],
        boxes.data[b + 1],
        boxes.data[b + 2],
        boxes.data[b + 3],
      ),
    );
  }
  return selectPredictions(predictions, options.threshold, options.maxDetections);
}

/**
 * Each anchor's best class (argmax + 1: the scores have no background column), then non-max
 * suppression per class, so a cup on a table is not suppressed by the table, as the Object
 * Detection API's own multiclass NMS behaves.
 */
export async function interpretRaw(
  tf: TfCore,
  boxes: OutputArray,
  scores: OutputArray,
  options: ResolvedDetectOptions,
): Promise<Prediction[]> {
  const classCount = scores.shape[scores.shape.length - 1] ?? 0;
  const anchors = classCount > 0 ? Math.floor(scores.data.length / classCount) : 0;
  if (anchors * 4 !== boxes.data.length)
    throw new Error(
      `the model's boxes [${boxes.shape.join(',')}] do not match its scores [${scores.shape.join(',')}]`,
    );
  const byClass = new Map<number, number[]>();
  const best = new Float32Array(anchors);
  for (let a = 0; a < anchors; a++) {
    let top = -Infinity;
    let topClass = 0;
    const row = a * classCount;
    for (let c = 0; c < classCount; c++) {
      const s = scores.data[row + c];
      if (s > top) {
        top = s;
        topClass = c;
      }
    }
    if (!(top >= options.threshold)) continue;
    best[a] = top;
    const classId = topClass + 1;
    const list = byClass.get(classId);
    if (list) list.push(a);
    else byClass.set(classId, [a]);
  }
  const predictions: Prediction[] = [];
  for (const [classId, members] of byClass) {
    const kept = await nonMaxSuppression(tf, boxes, best, members, options);
    for (const a of kept)
      predictions.push(
        predictionFromBox(
          classId,
          best[a],
          boxes.data[4 * a],
          boxes.data[4 * a + 1],
          boxes.data[4 * a + 2],
          boxes.data[4 * a + 3],
        ),
      );
  }
  return selectPredictions(predictions, options.threshold, options.maxDetections);
}

/** Indices (into the anchors) that survive NMS among `members`. */
async function nonMaxSuppression(
  tf: TfCore,
  boxes: OutputArray,
  best: Float32Array,
  members: readonly number[],
  options: ResolvedDetectOptions,
): Promise<number[]> {
  if (members.length === 1) return [...members];
  const boxData = new Float32Array(members.length * 4);
  const scoreData = new Float32Array(members.length);
  members.forEach((a, i) => {
    for (let k = 0; k < 4; k++) boxData[4 * i + k] = boxes.data[4 * a + k];
    scoreData[i] = best[a];
  });
  const tensors: Tensor[] = [];
  try {
    const boxTensor = tf.tensor2d(boxData, [members.length, 4]);
    const scoreTensor = tf.tensor1d(scoreData);
    tensors.push(boxTensor, scoreTensor);
    const selected = await tf.image.nonMaxSuppressionAsync(
      boxTensor,
      scoreTensor,
      options.maxDetections,
      options.iouThreshold,
      options.threshold,
    );
    tensors.push(selected);
    return Array.from(await selected.data(), (i) => members[i]);
  } finally {
    tf.dispose(tensors);
  }
}
