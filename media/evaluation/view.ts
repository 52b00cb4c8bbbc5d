// Pure helpers of the evaluation report webview (no DOM): what to list, in which order, and the
// shapes to draw. Kept apart from main.ts so unit tests can check them.
import type { ClassComparison, EvaluationComparison } from '../../src/core/evaluation/compare';
import type { EvaluationReport } from '../../src/core/evaluation/report';
import { t } from '../common/l10n';

export type ClassRow = EvaluationReport['classes'][number];
export type SortKey = 'AP' | 'AP50' | 'name' | 'objects';

/** A class's label: its name from the label map, else its id. */
export function classLabel(row: { readonly categoryId: number; readonly name?: string }): string {
  return row.name ?? t('class {0}', row.categoryId);
}

/** Classes with ground truth (the others have no AP), sorted, and filtered to one when asked. */
export function classRows(
  report: EvaluationReport,
  sort: SortKey,
  only: number | undefined,
): ClassRow[] {
  const rows = report.classes.filter(
    (c) => c.groundTruth > 0 && (only === undefined || c.categoryId === only),
  );
  const by: Record<SortKey, (a: ClassRow, b: ClassRow) => number> = {
    AP: (a, b) => b.AP - a.AP,
    AP50: (a, b) => b.AP50 - a.AP50,
    objects: (a, b) => b.groundTruth - a.groundTruth,
    name: (a, b) => classLabel(a).localeCompare(classLabel(b)),
  };
  return rows.sort((a, b) => by[sort](a, b) || a.categoryId - b.categoryId);
}

/** An SVG path through a PR curve in a box (recall along x, precision up y); '' when undefined. */
export function curvePath(
  recall: readonly number[],
  precision: readonly number[],
  box: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
  },
): string {
  if (precision.length === 0 || precision[0]! < 0) return '';
  return precision
    .map((p, i) => {
      const x = box.left + recall[i]! * box.width;
      const y = box.top + (1 - p) * box.height;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** "12 images from 1 record file", "12 images from 3 record files": the size of an evaluation. */
export function imagesFromRecords(images: number, recordFiles: number): string {
  return recordFiles === 1
    ? t('{0} images from {1} record file', images, recordFiles)
    : t('{0} images from {1} record files', images, recordFiles);
}

/** Heat level 0..5 of a confusion cell against the largest count (0 only for 0). */
export function heatLevel(count: number, largest: number): number {
  if (count <= 0 || largest <= 0) return 0;
  return Math.max(1, Math.min(5, Math.ceil((5 * count) / largest)));
}

/** Rows and columns of the confusion matrix worth showing: classes with any count, and background. */
export function confusionIndices(
  confusion: EvaluationReport['confusion'],
  only: number | undefined,
): number[] {
  const size = confusion.counts.length;
  const background = size - 1;
  const used = (i: number) =>
    confusion.counts[i]!.some((n) => n > 0) || confusion.counts.some((row) => row[i]! > 0);
  const k = only === undefined ? -1 : confusion.categoryIds.indexOf(only);
  // With one class chosen: it, and the classes it is confused with either way.
  const wanted = (i: number) =>
    only === undefined ||
    i === k ||
    (k >= 0 && ((confusion.counts[i]![k] ?? 0) > 0 || (confusion.counts[k]![i] ?? 0) > 0));
  return Array.from({ length: size }, (_, i) => i).filter(
    (i) => i === background || (used(i) && wanted(i)),
  );
}

/** A number as the report shows it: three decimals, '–' where COCO has -1 (nothing to measure). */
export function metric(value: number): string {
  return value < 0 ? '–' : value.toFixed(3);
}

export type GalleryImage = EvaluationReport['gallery'][number];

/** Gallery images that involve a class (in their ground truth or detections), or all of them. */
export function galleryFor(report: EvaluationReport, only: number | undefined): GalleryImage[] {
  if (only === undefined) return [...report.gallery];
  return report.gallery.filter(
    (g) =>
      g.truths.some((truth) => truth.categoryId === only) ||
      g.detections.some((d) => d.categoryId === only),
  );
}

export type CompareSortKey = 'delta' | 'a' | 'b' | 'objects' | 'name';

/**
 * The compared classes to draw, sorted and filtered to one class id when asked: by B − A (largest
 * gain first; classes in one evaluation only last), by either side's AP, by objects or by name.
 */
export function comparisonRows(
  comparison: EvaluationComparison,
  sort: CompareSortKey,
  only: number | undefined,
): ClassComparison[] {
  const rows = comparison.classes.filter((c) => only === undefined || c.categoryId === only);
  const objects = (c: ClassComparison) => Math.max(c.a?.groundTruth ?? 0, c.b?.groundTruth ?? 0);
  const by: Record<CompareSortKey, (x: ClassComparison, y: ClassComparison) => number> = {
    delta: (x, y) => (y.delta ?? -Infinity) - (x.delta ?? -Infinity),
    a: (x, y) => (y.a?.AP ?? -2) - (x.a?.AP ?? -2),
    b: (x, y) => (y.b?.AP ?? -2) - (x.b?.AP ?? -2),
    objects: (x, y) => objects(y) - objects(x),
    name: (x, y) => classLabel(x).localeCompare(classLabel(y)),
  };
  // Infinity − Infinity is NaN: two classes without a difference tie.
  const order = (x: ClassComparison, y: ClassComparison) => by[sort](x, y) || 0;
  return [...rows].sort(
    (x, y) =>
      order(x, y) ||
      x.categoryId - y.categoryId ||
      Number(x.presence === 'b') - Number(y.presence === 'b'),
  );
}

/** A report's PR curve for a class at an IoU threshold (.5 or .75), if it has one. */
export function curveOf(
  report: EvaluationReport,
  categoryId: number,
  iouThreshold: number,
): EvaluationReport['curves']['classes'][number] | undefined {
  return report.curves.classes.find(
    (c) => c.categoryId === categoryId && c.iouThreshold === iouThreshold,
  );
}
