import { buildReport, type EvaluationReport } from '../../../src/core/evaluation';
import { CocoEvaluator, ConfusionAccumulator } from '../../../src/detection/evaluation';

// A small evaluation built by the real metrics: two images, a cat (1) and dogs (2), class 3 in the
// label map without ground truth. `findsTheLoneDog` is a better model: it also finds image 9's dog.

export interface SampleOptions {
  readonly model?: string;
  readonly records?: readonly string[];
  readonly names?: ReadonlyMap<number, string> | undefined;
  readonly findsTheLoneDog?: boolean;
  /** An image with one more bird (class 4), so the ground truth differs. */
  readonly withBird?: boolean;
}

export function sampleReport(options: SampleOptions = {}): EvaluationReport {
  const ids = options.withBird ? [1, 2, 3, 4] : [1, 2, 3];
  const coco = new CocoEvaluator(ids);
  const confusion = new ConfusionAccumulator(0.5, 0.5, ids);
  const images = [
    {
      id: 4,
      truths: [
        { categoryId: 1, bbox: [0, 0, 100, 100] as const },
        { categoryId: 2, bbox: [200, 200, 50, 50] as const },
      ],
      detections: [
        { categoryId: 1, bbox: [0, 0, 100, 90] as const, score: 0.9 },
        { categoryId: 1, bbox: [200, 200, 50, 50] as const, score: 0.8 }, // wrong class
        { categoryId: 2, bbox: [400, 400, 30, 30] as const, score: 0.6 }, // false
      ],
    },
    {
      id: 9,
      truths: [{ categoryId: 2, bbox: [10, 10, 40, 40] as const }],
      detections: options.findsTheLoneDog
        ? [{ categoryId: 2, bbox: [10, 10, 40, 40] as const, score: 0.7 }]
        : [],
    },
    ...(options.withBird
      ? [{ id: 12, truths: [{ categoryId: 4, bbox: [5, 5, 60, 60] as const }], detections: [] }]
      : []),
  ];
  for (const image of images) {
    coco.addImage(image.id, image.truths, image.detections);
    confusion.addImage(image.id, image.truths, image.detections);
  }
  return buildReport(
    {
      coco: coco.evaluate(),
      confusion: confusion.result(),
      images: images.length,
      skipped: 0,
      worst: [],
    },
    {
      model: options.model ?? '/models/ssd',
      records: options.records ?? ['val.record'],
      threshold: 0.5,
      names:
        'names' in options
          ? options.names
          : new Map([
              [1, 'cat, "big"'],
              [2, 'dog'],
            ]),
    },
  );
}
