import { boxIou } from './boxIou';
import { stableOrder, type DetectedObject, type GroundTruthObject } from './matchImage';

/** What went wrong in one image at the confusion matrix's score threshold. */
export interface ImageErrors {
  readonly imageId: number;
  /** Detections matched to ground truth of their own class. */
  readonly correct: number;
  /** Detections matched to ground truth of another class. */
  readonly wrongClass: number;
  /** Ground truth no detection matched. */
  readonly misses: number;
  /** Detections that matched no ground truth. */
  readonly falsePositives: number;
}

/** A ground-truth box and what became of it at the threshold. */
export interface JudgedTruth extends GroundTruthObject {
  readonly outcome: 'found' | 'missed' | 'crowd';
}

/** A detection at or above the threshold and what it counted as. */
export interface JudgedDetection extends DetectedObject {
  readonly outcome: 'right' | 'wrongClass' | 'false' | 'crowd';
}

/** One image's counts, and its boxes with their outcomes (to draw the image's mistakes). */
export interface ImageVerdict extends ImageErrors {
  readonly truths: readonly JudgedTruth[];
  readonly detections: readonly JudgedDetection[];
}

export interface ConfusionMatrix {
  /** Class ids of the rows and columns; one more row and column, last, is background. */
  readonly categoryIds: readonly number[];
  /**
   * `counts[truth][predicted]`: matched pairs; the last column holds missed ground truth, the
   * last row false positives.
   */
  readonly counts: readonly (readonly number[])[];
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
  readonly images: readonly ImageErrors[];
}

/**
 * A confusion matrix over all classes at one score threshold, built an image at a time.
 * Detections at or above the threshold are paired with non-crowd ground truth of any class,
 * highest IoU first (ties: the stronger detection, then input order), one to one, when the IoU is
 * at least `iouThreshold`. An unpaired detection inside a crowd region (its crowd IoU reaches the
 * threshold) counts nowhere. Categories outside `categoryIds` are left out.
 */
export class ConfusionAccumulator {
  private readonly fixed: ReadonlySet<number> | undefined;
  private readonly seen = new Set<number>();
  /** `${truth} ${predicted}` -> count; NaN stands for background. */
  private readonly pairs = new Map<string, number>();
  private readonly images: ImageErrors[] = [];

  /** `categoryIds`: the classes counted (others are left out); without it, every class seen. */
  constructor(
    readonly scoreThreshold: number,
    readonly iouThreshold = 0.5,
    categoryIds?: Iterable<number>,
  ) {
    this.fixed = categoryIds ? new Set(categoryIds) : undefined;
    for (const id of this.fixed ?? []) this.seen.add(id);
  }

  addImage(
    imageId: number,
    truths: readonly GroundTruthObject[],
    detections: readonly DetectedObject[],
  ): ImageVerdict {
    const known = (o: { readonly categoryId: number }) =>
      !this.fixed || this.fixed.has(o.categoryId);
    const regular = truths.filter((g) => known(g) && !g.iscrowd);
    const crowds = truths.filter((g) => known(g) && g.iscrowd);
    const kept = detections.filter((d) => known(d) && d.score >= this.scoreThreshold);
    const byScore = stableOrder(kept.length, (i) => -kept[i]!.score).map((i) => kept[i]!);
    for (const o of [...regular, ...byScore]) this.seen.add(o.categoryId);

    const pairs: { d: number; g: number; iou: number }[] = [];
    byScore.forEach((det, d) =>
      regular.forEach((truth, g) => {
        const iou = boxIou(det.bbox, truth.bbox, false);
        if (iou >= this.iouThreshold) pairs.push({ d, g, iou });
      }),
    );
    pairs.sort((x, y) => y.iou - x.iou || x.d - y.d || x.g - y.g);
    const truthOf = new Int32Array(byScore.length).fill(-1);
    const pairedTruth = new Uint8Array(regular.length);
    for (const { d, g } of pairs) {
      if (truthOf[d]! >= 0 || pairedTruth[g]) continue;
      truthOf[d] = g;
      pairedTruth[g] = 1;
    }
    let correct = 0;
    let wrongClass = 0;
    let falsePositives = 0;
    const judged: JudgedDetection[] = byScore.map((det, d) => {
      const g = truthOf[d]!;
      if (g >= 0) {
        const truth = regular[g]!.categoryId;
        this.count(truth, det.categoryId);
        if (truth === det.categoryId) correct++;
        else wrongClass++;
        return { ...det, outcome: truth === det.categoryId ? 'right' : 'wrongClass' };
      }
      if (crowds.some((c) => boxIou(det.bbox, c.bbox, true) >= this.iouThreshold))
        return { ...det, outcome: 'crowd' };
      this.count(NaN, det.categoryId);
      falsePositives++;
      return { ...det, outcome: 'false' };
    });
    let misses = 0;
    const judgedTruths: JudgedTruth[] = regular.map((truth, g) => {
      if (pairedTruth[g]) return { ...truth, outcome: 'found' };
      this.count(truth.categoryId, NaN);
      misses++;
      return { ...truth, outcome: 'missed' };
    });
    for (const crowd of crowds) judgedTruths.push({ ...crowd, outcome: 'crowd' });
    const errors = { imageId, correct, wrongClass, misses, falsePositives };
    this.images.push(errors);
    return { ...errors, truths: judgedTruths, detections: judged };
  }

  result(): ConfusionMatrix {
    const categoryIds = [...this.seen].sort((a, b) => a - b);
    const index = (id: number) => (Number.isNaN(id) ? categoryIds.length : categoryIds.indexOf(id));
    const size = categoryIds.length + 1;
    const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (const [key, n] of this.pairs) {
      const [truth, predicted] = key.split(' ').map(Number) as [number, number];
      counts[index(truth)]![index(predicted)] = n;
    }
    return {
      categoryIds,
      counts,
      scoreThreshold: this.scoreThreshold,
      iouThreshold: this.iouThreshold,
      images: [...this.images],
    };
  }

  private count(truth: number, predicted: number): void {
    const key = `${truth} ${predicted}`;
    this.pairs.set(key, (this.pairs.get(key) ?? 0) + 1);
  }
}
