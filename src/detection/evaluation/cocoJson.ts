import type { CocoBox } from './boxIou';
import { CocoEvaluator, type CocoEvaluation } from './cocoEvaluator';
import type { DetectedObject, GroundTruthObject } from './matchImage';

/** The parts of a COCO ground-truth file that box evaluation reads. */
export interface CocoDataset {
  readonly images: readonly { readonly id: number }[];
  readonly categories: readonly { readonly id: number }[];
  readonly annotations: readonly {
    readonly image_id: number;
    readonly category_id: number;
    readonly bbox: CocoBox;
    readonly area?: number;
    readonly iscrowd?: number | boolean;
  }[];
}

/** One detection of a COCO results file. */
export interface CocoResult {
  readonly image_id: number;
  readonly category_id: number;
  readonly bbox: CocoBox;
  readonly score: number;
}

/**
 * Evaluates a COCO results list against a COCO dataset, grouping objects per image in file order
 * as pycocotools does (`COCO.loadRes` + `COCOeval(..., 'bbox')`). Results for an image the
 * dataset lacks are refused, as pycocotools refuses them.
 */
export function evaluateCocoDataset(
  dataset: CocoDataset,
  results: readonly CocoResult[],
): CocoEvaluation {
  const truths = new Map<number, GroundTruthObject[]>();
  const detections = new Map<number, DetectedObject[]>();
  for (const image of dataset.images) {
    truths.set(image.id, []);
    detections.set(image.id, []);
  }
  for (const a of dataset.annotations)
    truths.get(a.image_id)?.push({
      categoryId: a.category_id,
      bbox: a.bbox,
      ...(a.area !== undefined ? { area: a.area } : {}),
      iscrowd: Boolean(a.iscrowd),
    });
  for (const r of results) {
    const list = detections.get(r.image_id);
    if (!list) throw new RangeError(`a result names image ${r.image_id}, which the dataset lacks`);
    list.push({ categoryId: r.category_id, bbox: r.bbox, score: r.score });
  }
  const evaluator = new CocoEvaluator(dataset.categories.map((c) => c.id));
  for (const [imageId, list] of truths) evaluator.addImage(imageId, list, detections.get(imageId)!);
  return evaluator.evaluate();
}
