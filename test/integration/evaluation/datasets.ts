import type { CocoDataset, CocoResult } from '../../../src/detection/evaluation';
import { seededRandom } from '../../unit/prng';

type Box = [number, number, number, number];
type Annotation = CocoDataset['annotations'][number] & { id: number; area: number; iscrowd: 0 | 1 };

/** A COCO ground-truth file and the results to hold against it, and what our side is given. */
export interface EvaluationCase {
  readonly name: string;
  /** As pycocotools reads it: every annotation has an id and an area. */
  readonly dataset: CocoDataset & {
    readonly images: { id: number; width: number; height: number }[];
    readonly categories: { id: number; name: string }[];
    readonly annotations: Annotation[];
  };
  readonly results: CocoResult[];
  /** Our side: annotations whose area is only width * height carry none (the default applies). */
  readonly ourDataset: CocoDataset;
}

export interface GeneratorOptions {
  readonly images: number;
  readonly categories: number;
  /** Most ground-truth objects in one image. */
  readonly maxObjects: number;
  /** Extra false positives in one image, at most. */
  readonly maxClutter: number;
}

/**
 * A seeded random dataset with what the fidelity tests need to see: small, medium and large
 * objects, boxes touching the image border, crowd regions, explicit areas that differ from
 * width * height, duplicate ground truth (IoU ties), images without detections or without ground
 * truth, a category without ground truth, detections of a category the dataset lacks, scores tied
 * within and across images, and integer boxes whose IoU lands exactly on thresholds.
 */
export function randomCase(seed: number, options: GeneratorOptions): EvaluationCase {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p: number) => random() < p;
  const categories = Array.from({ length: options.categories }, (_, i) => ({
    id: i + 1 + (i >= 2 ? 7 : 0), // ids need not be contiguous
    name: `class-${i + 1}`,
  }));
  // The last category never gets ground truth; detections of it still appear.
  const withTruth = categories.slice(0, Math.max(1, categories.length - 1));
  const images: EvaluationCase['dataset']['images'] = [];
  const annotations: Annotation[] = [];
  const implicitArea = new Set<number>();
  const results: CocoResult[] = [];
  const integerBoxes = chance(0.5);
  const coarseScores = chance(0.5);
  const score = () => (coarseScores ? int(1, 20) / 20 : Math.round(random() * 1e6) / 1e6);

  // Image ids out of order, to check that order of addition does not matter.
  const imageIds = Array.from({ length: options.images }, (_, i) => i * 3 + 1);
  for (let i = imageIds.length - 1; i > 0; i--) {
    const j = int(0, i);
    [imageIds[i], imageIds[j]] = [imageIds[j]!, imageIds[i]!];
  }
  for (const imageId of imageIds) {
    const width = int(40, 900);
    const height = int(40, 900);
    images.push({ id: imageId, width, height });
    const round = (v: number) => (integerBoxes ? Math.round(v) : Math.round(v * 100) / 100);
    const randomBox = (): Box => {
      // Log-uniform sides from 2 to 400 pixels: small, medium and large objects.
      let w = round(Math.min(width, Math.exp(Math.log(2) + random() * Math.log(200))));
      let h = round(Math.min(height, Math.exp(Math.log(2) + random() * Math.log(200))));
      w = Math.max(w, 1);
      h = Math.max(h, 1);
      let x = round(random() * (width - w));
      let y = round(random() * (height - h));
      if (chance(0.15)) x = chance(0.5) ? 0 : width - w; // touching the border
      if (chance(0.15)) y = chance(0.5) ? 0 : height - h;
      return [x, y, w, h];
    };
    const objects = chance(0.1) ? 0 : int(0, options.maxObjects);
    const truths: Annotation[] = [];
    for (let o = 0; o < objects; o++) {
      const category = withTruth[int(0, withTruth.length - 1)]!;
      const bbox =
        truths.length > 0 && chance(0.08)
          ? ([...truths[truths.length - 1]!.bbox] as Box)
          : randomBox();
      const explicit = chance(0.3);
      const area = explicit
        ? Math.round(bbox[2] * bbox[3] * (0.4 + 0.6 * random()) * 100) / 100
        : bbox[2] * bbox[3];
      const annotation: Annotation = {
        id: annotations.length + truths.length + 1,
        image_id: imageId,
        category_id: category.id,
        bbox,
        area,
        iscrowd: chance(0.08) ? 1 : 0,
      };
      if (!explicit) implicitArea.add(annotation.id);
      truths.push(annotation);
    }
    annotations.push(...truths);
    if (chance(0.12)) continue; // an image without detections
    for (const truth of truths) {
      const copies = chance(0.15) ? 2 : chance(0.75) ? 1 : 0;
      for (let c = 0; c < copies; c++) {
        const [x, y, w, h] = truth.bbox;
        const jitter = (v: number, scale: number) => round(v + (random() - 0.5) * scale);
        let bbox: Box;
        if (integerBoxes && chance(0.2)) {
          // Half the box: IoU exactly 0.5 (or a crowd's 1).
          bbox = [x, y, w, Math.max(1, Math.round(h / 2))];
        } else {
          const dw = Math.max(1, jitter(w, w * 0.5));
          const dh = Math.max(1, jitter(h, h * 0.5));
          bbox = [jitter(x, w * 0.3), jitter(y, h * 0.3), dw, dh];
        }
        const category = chance(0.85)
          ? truth.category_id
          : categories[int(0, categories.length - 1)]!.id;
        results.push({ image_id: imageId, category_id: category, bbox, score: score() });
      }
    }
    const clutter = int(0, options.maxClutter);
    for (let c = 0; c < clutter; c++) {
      const category = chance(0.03) ? 999 : categories[int(0, categories.length - 1)]!.id;
      results.push({ image_id: imageId, category_id: category, bbox: randomBox(), score: score() });
    }
  }
  if (results.length === 0)
    results.push({
      image_id: imageIds[0]!,
      category_id: categories[0]!.id,
      bbox: [0, 0, 5, 5],
      score: 0.5,
    });
  const dataset = { images, categories, annotations };
  const ourDataset: CocoDataset = {
    images,
    categories,
    annotations: annotations.map(({ area, ...rest }) =>
      implicitArea.has(rest.id) ? rest : { ...rest, area },
    ),
  };
  return { name: `seed-${seed}`, dataset, results, ourDataset };
}

/** A case from hand-written annotations; every area is width * height unless given. */
export function handCase(
  name: string,
  categories: number[],
  images: number[],
  truths: { image: number; category: number; bbox: Box; iscrowd?: boolean; area?: number }[],
  results: CocoResult[],
): EvaluationCase {
  const annotations: Annotation[] = truths.map((t, i) => ({
    id: i + 1,
    image_id: t.image,
    category_id: t.category,
    bbox: t.bbox,
    area: t.area ?? t.bbox[2] * t.bbox[3],
    iscrowd: t.iscrowd ? 1 : 0,
  }));
  const dataset = {
    images: images.map((id) => ({ id, width: 1000, height: 1000 })),
    categories: categories.map((id) => ({ id, name: `class-${id}` })),
    annotations,
  };
  return {
    name,
    dataset,
    results,
    ourDataset: {
      ...dataset,
      annotations: annotations.map(({ area, ...rest }, i) =>
        truths[i]!.area === undefined ? rest : { ...rest, area },
      ),
    },
  };
}
