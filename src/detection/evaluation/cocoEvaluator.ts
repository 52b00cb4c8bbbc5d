import {
  matchImageCategory,
  stableOrder,
  type DetectedObject,
  type GroundTruthObject,
  type ImageCategoryResult,
} from './matchImage';
import {
  AREA_RANGES,
  IOU_THRESHOLDS,
  iouThresholdIndex,
  MAX_DETECTIONS,
  RECALL_THRESHOLDS,
  type AreaRangeName,
} from './params';

/** pycocotools' twelve summary numbers, in its order (`COCOeval.stats`); -1 where undefined. */
export interface CocoSummary {
  readonly AP: number;
  readonly AP50: number;
  readonly AP75: number;
  readonly APs: number;
  readonly APm: number;
  readonly APl: number;
  readonly AR1: number;
  readonly AR10: number;
  readonly AR100: number;
  readonly ARs: number;
  readonly ARm: number;
  readonly ARl: number;
}

export const SUMMARY_KEYS = [
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'AR1',
  'AR10',
  'AR100',
  'ARs',
  'ARm',
  'ARl',
] as const satisfies readonly (keyof CocoSummary)[];

/** One category's numbers over all images (all areas, 100 detections); -1 without ground truth. */
export interface ClassEvaluation {
  readonly categoryId: number;
  /** Ground-truth objects that count (crowd regions excluded). */
  readonly groundTruth: number;
  /** Detections evaluated (at most 100 per image). */
  readonly detections: number;
  readonly AP: number;
  readonly AP50: number;
  readonly AP75: number;
  readonly AR100: number;
}

/**
 * Interpolated precision at each of the 101 recall thresholds for one category and IoU threshold
 * (all areas, 100 detections), and the score of the detection where each is reached; precision 0
 * past the highest recall, the whole curve -1 without ground truth.
 */
export interface PrecisionRecallCurve {
  readonly categoryId: number;
  readonly iouThreshold: number;
  readonly precision: readonly number[];
  readonly scores: readonly number[];
}

export interface CocoEvaluation {
  readonly summary: CocoSummary;
  readonly classes: readonly ClassEvaluation[];
  /** Per category, at IoU .50 and .75. The recall axis is {@link RECALL_THRESHOLDS}. */
  readonly curves: readonly PrecisionRecallCurve[];
  readonly images: number;
  /** COCOeval.eval['precision'], shape [T, R, K, A, M], row-major; -1 where undefined. */
  readonly precision: Float64Array;
  /** COCOeval.eval['recall'], shape [T, K, A, M]. */
  readonly recall: Float64Array;
  readonly categoryIds: readonly number[];
}

const T = IOU_THRESHOLDS.length;
const R = RECALL_THRESHOLDS.length;
const A = AREA_RANGES.length;
const M = MAX_DETECTIONS.length;
/** np.spacing(1): keeps precision finite where nothing has been detected yet. */
const EPSILON = 2 ** -52;

/**
 * COCO box-detection metrics with pycocotools' `COCOeval` semantics (iouType 'bbox', default
 * parameters), fed one image at a time so that only the compact per-image match results are held:
 * at most 100 detections per image and category, one byte per detection, IoU threshold and area
 * range. `evaluate()` is pycocotools' `accumulate()` + `summarize()`.
 */
export class CocoEvaluator {
  private readonly results = new Map<number, ImageCategoryResult[]>();
  private readonly imageIds = new Set<number>();
  private readonly fixed: ReadonlySet<number> | undefined;

  /**
   * `categoryIds`: the categories evaluated (a COCO file's, a label map's); objects of others are
   * left out, as pycocotools leaves them out. Without it, every category that appears is evaluated
   * (one without ground truth is -1 and changes no summary number either way).
   */
  constructor(categoryIds?: Iterable<number>) {
    if (categoryIds) {
      this.fixed = new Set(categoryIds);
      for (const id of this.fixed) this.results.set(id, []);
    }
  }

  get imageCount(): number {
    return this.imageIds.size;
  }

  hasImage(imageId: number): boolean {
    return this.imageIds.has(imageId);
  }

  /** Evaluates one image. Image ids must be unique; their order does not matter. */
  addImage(
    imageId: number,
    truths: readonly GroundTruthObject[],
    detections: readonly DetectedObject[],
  ): void {
    if (!Number.isFinite(imageId)) throw new RangeError(`image id ${imageId} is not a number`);
    if (this.imageIds.has(imageId)) throw new RangeError(`image id ${imageId} was already added`);
    for (const truth of truths) checkBox(truth.bbox, imageId, 'ground-truth');
    for (const detection of detections) {
      checkBox(detection.bbox, imageId, 'detection');
      if (!Number.isFinite(detection.score))
        throw new RangeError(`a detection in image ${imageId} has score ${detection.score}`);
    }
    this.imageIds.add(imageId);
    const truthsBy = groupByCategory(truths, this.fixed);
    const detectionsBy = groupByCategory(detections, this.fixed);
    for (const id of new Set([...truthsBy.keys(), ...detectionsBy.keys()])) {
      let list = this.results.get(id);
      if (!list) this.results.set(id, (list = []));
      list.push(matchImageCategory(imageId, truthsBy.get(id) ?? [], detectionsBy.get(id) ?? []));
    }
  }

  evaluate(): CocoEvaluation {
    const categoryIds = [...this.results.keys()].sort((a, b) => a - b);
    const K = categoryIds.length;
    const precision = new Float64Array(T * R * K * A * M).fill(-1);
    const scoreAt = new Float64Array(T * R * K * A * M).fill(-1);
    const recall = new Float64Array(T * K * A * M).fill(-1);
    const at = (t: number, r: number, k: number, a: number, m: number) =>
      (((t * R + r) * K + k) * A + a) * M + m;
    const classes: ClassEvaluation[] = [];
    for (let k = 0; k < K; k++) {
      const counts = accumulateCategory(
        this.results.get(categoryIds[k]!)!,
        (t, k2, a, m, curve) => {
          recall[((t * K + k2) * A + a) * M + m] = curve.recall;
          for (let r = 0; r < R; r++) {
            precision[at(t, r, k2, a, m)] = curve.precision[r]!;
            scoreAt[at(t, r, k2, a, m)] = curve.scores[r]!;
          }
        },
        k,
      );
      classes.push({
        categoryId: categoryIds[k]!,
        ...counts,
        AP: 0,
        AP50: 0,
        AP75: 0,
        AR100: 0,
      });
    }

    const all = 0;
    const m100 = M - 1;
    const meanPrecision = (ts: readonly number[], ks: readonly number[], a: number, m: number) => {
      let sum = 0;
      let n = 0;
      for (const t of ts)
        for (let r = 0; r < R; r++)
          for (const k of ks) {
            const v = precision[at(t, r, k, a, m)]!;
            if (v > -1) {
              sum += v;
              n++;
            }
          }
      return n === 0 ? -1 : sum / n;
    };
    const meanRecall = (ts: readonly number[], ks: readonly number[], a: number, m: number) => {
      let sum = 0;
      let n = 0;
      for (const t of ts)
        for (const k of ks) {
          const v = recall[((t * K + k) * A + a) * M + m]!;
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      return n === 0 ? -1 : sum / n;
    };
    const allT = IOU_THRESHOLDS.map((_, t) => t);
    const only = (iou: number) => {
      const t = iouThresholdIndex(iou);
      return t < 0 ? [] : [t];
    };
    const area = (name: AreaRangeName) => AREA_RANGES.findIndex((range) => range.name === name);
    const maxDets = (n: number) => MAX_DETECTIONS.indexOf(n as (typeof MAX_DETECTIONS)[number]);
    const allK = categoryIds.map((_, k) => k);
    const summary: CocoSummary = {
      AP: meanPrecision(allT, allK, all, m100),
      AP50: meanPrecision(only(0.5), allK, all, m100),
      AP75: meanPrecision(only(0.75), allK, all, m100),
      APs: meanPrecision(allT, allK, area('small'), m100),
      APm: meanPrecision(allT, allK, area('medium'), m100),
      APl: meanPrecision(allT, allK, area('large'), m100),
      AR1: meanRecall(allT, allK, all, maxDets(1)),
      AR10: meanRecall(allT, allK, all, maxDets(10)),
      AR100: meanRecall(allT, allK, all, m100),
      ARs: meanRecall(allT, allK, area('small'), m100),
      ARm: meanRecall(allT, allK, area('medium'), m100),
      ARl: meanRecall(allT, allK, area('large'), m100),
    };
    const curves: PrecisionRecallCurve[] = [];
    for (let k = 0; k < K; k++) {
      classes[k] = {
        ...classes[k]!,
        AP: meanPrecision(allT, [k], all, m100),
        AP50: meanPrecision(only(0.5), [k], all, m100),
        AP75: meanPrecision(only(0.75), [k], all, m100),
        AR100: meanRecall(allT, [k], all, m100),
      };
      for (const iou of [0.5, 0.75]) {
        const t = iouThresholdIndex(iou);
        if (t < 0) continue;
        const p: number[] = [];
        const s: number[] = [];
        for (let r = 0; r < R; r++) {
          p.push(precision[at(t, r, k, all, m100)]!);
          s.push(scoreAt[at(t, r, k, all, m100)]!);
        }
        curves.push({
          categoryId: categoryIds[k]!,
          iouThreshold: iou,
          precision: p,
          scores: s,
        });
      }
    }
    return {
      summary,
      classes,
      curves,
      images: this.imageIds.size,
      precision,
      recall,
      categoryIds,
    };
  }
}

interface CurvePoint {
  readonly recall: number;
  readonly precision: Float64Array;
  readonly scores: Float64Array;
}

/**
 * pycocotools' `accumulate` for one category: the detections of every image, cut to each image's
 * best `maxDet`, ranked by score (stable: ties in image-id order, then in each image's order),
 * cumulative true and false positives, recall and precision made monotone, sampled at the
 * recall thresholds.
 */
function accumulateCategory(
  entries: ImageCategoryResult[],
  emit: (t: number, k: number, a: number, m: number, curve: CurvePoint) => void,
  k: number,
): { groundTruth: number; detections: number } {
  entries.sort((x, y) => x.imageId - y.imageId);
  let n = 0;
  for (const entry of entries) n += entry.scores.length;
  const score = new Float64Array(n);
  const entryOf = new Uint32Array(n);
  const rank = new Uint32Array(n);
  let i = 0;
  entries.forEach((entry, e) => {
    for (let d = 0; d < entry.scores.length; d++, i++) {
      score[i] = entry.scores[d]!;
      entryOf[i] = e;
      rank[i] = d;
    }
  });
  // One ranking serves every maxDets: cutting each image to its best m keeps the others' order.
  const ranked = stableOrder(n, (j) => -score[j]!);
  const counted = new Int32Array(A);
  for (const entry of entries) for (let a = 0; a < A; a++) counted[a] += entry.countedTruth[a]!;

  const tpSum = new Float64Array(n);
  const fpSum = new Float64Array(n);
  const pr = new Float64Array(n);
  for (let m = 0; m < M; m++) {
    const maxDet = MAX_DETECTIONS[m]!;
    const kept = ranked.filter((j) => rank[j]! < maxDet);
    const nd = kept.length;
    for (let a = 0; a < A; a++) {
      const npig = counted[a]!;
      if (npig === 0) continue;
      for (let t = 0; t < T; t++) {
        let tp = 0;
        let fp = 0;
        const offset = a * T + t;
        for (let q = 0; q < nd; q++) {
          const j = kept[q]!;
          const entry = entries[entryOf[j]!]!;
          const outcome = entry.outcomes[offset * entry.scores.length + rank[j]!];
          if (outcome === 1) tp++;
          else if (outcome === 0) fp++;
          tpSum[q] = tp;
          fpSum[q] = fp;
        }
        for (let q = 0; q < nd; q++) pr[q] = tpSum[q]! / (fpSum[q]! + tpSum[q]! + EPSILON);
        for (let q = nd - 1; q > 0; q--) if (pr[q]! > pr[q - 1]!) pr[q - 1] = pr[q]!;
        const precision = new Float64Array(R);
        const scores = new Float64Array(R);
        let q = 0;
        for (let r = 0; r < R; r++) {
          const threshold = RECALL_THRESHOLDS[r]!;
          while (q < nd && tpSum[q]! / npig < threshold) q++;
          if (q >= nd) break;
          precision[r] = pr[q]!;
          scores[r] = score[kept[q]!]!;
        }
        emit(t, k, a, m, { recall: nd ? tpSum[nd - 1]! / npig : 0, precision, scores });
      }
    }
  }
  return { groundTruth: counted[0]!, detections: n };
}

function groupByCategory<T extends { readonly categoryId: number }>(
  objects: readonly T[],
  only: ReadonlySet<number> | undefined,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const object of objects) {
    if (only && !only.has(object.categoryId)) continue;
    let group = groups.get(object.categoryId);
    if (!group) groups.set(object.categoryId, (group = []));
    group.push(object);
  }
  return groups;
}

function checkBox(box: readonly number[], imageId: number, what: string): void {
  if (box.length !== 4 || !box.every(Number.isFinite))
    throw new RangeError(
      `a ${what} box in image ${imageId} is not [x, y, width, height]: ${JSON.stringify(box)}`,
    );
}
