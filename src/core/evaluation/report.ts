import {
  RECALL_THRESHOLDS,
  SUMMARY_KEYS,
  type ClassEvaluation,
  type CocoSummary,
  type ImageErrors,
  type JudgedDetection,
  type JudgedTruth,
  type PrecisionRecallCurve,
} from '../../detection/evaluation';
import type { RecordsEvaluation } from './evaluateRecords';

/**
 * One evaluation as plain JSON: what `tfod evaluate --json` prints (the summary's twelve keys
 * first) and what the report webview shows and exports.
 */
export interface EvaluationReport {
  readonly summary: CocoSummary;
  readonly model: string;
  readonly records: readonly string[];
  readonly images: number;
  readonly skipped: number;
  readonly threshold: number;
  /** ISO time the evaluation finished. */
  readonly createdAt: string;
  readonly classes: readonly (ClassEvaluation & { readonly name?: string })[];
  readonly curves: {
    /** The recall axis shared by every curve (0, .01, ..., 1). */
    readonly recall: readonly number[];
    readonly classes: readonly PrecisionRecallCurve[];
  };
  readonly confusion: {
    readonly categoryIds: readonly number[];
    /** Class names where the label map has them, else null; the last row and column are background. */
    readonly names: readonly (string | null)[];
    readonly counts: readonly (readonly number[])[];
    readonly scoreThreshold: number;
    readonly iouThreshold: number;
  };
  /** Images with the most errors at the threshold (missed + wrong class + false), worst first. */
  readonly worstImages: readonly ImageErrors[];
  /** The worst of them with their boxes (pixels) judged, and where each image's record is. */
  readonly gallery: readonly GalleryImage[];
}

export interface GalleryImage {
  readonly imageId: number;
  readonly file: string;
  readonly offset: number;
  readonly record: number;
  readonly width: number;
  readonly height: number;
  readonly misses: number;
  readonly wrongClass: number;
  readonly falsePositives: number;
  readonly truths: readonly JudgedTruth[];
  readonly detections: readonly JudgedDetection[];
}

const WORST_IMAGES = 50;

/** The twelve numbers in a few words each, for tables narrower than pycocotools' lines. */
export const SUMMARY_NAMES: Readonly<Record<keyof CocoSummary, string>> = {
  AP: 'AP @ IoU .50:.95',
  AP50: 'AP @ IoU .50',
  AP75: 'AP @ IoU .75',
  APs: 'AP small (< 32²)',
  APm: 'AP medium',
  APl: 'AP large (> 96²)',
  AR1: 'AR, 1 detection',
  AR10: 'AR, 10 detections',
  AR100: 'AR, 100 detections',
  ARs: 'AR small',
  ARm: 'AR medium',
  ARl: 'AR large',
};

export function buildReport(
  evaluation: RecordsEvaluation,
  meta: {
    readonly model: string;
    readonly records: readonly string[];
    readonly threshold: number;
    readonly names?: ReadonlyMap<number, string> | undefined;
  },
): EvaluationReport {
  const { coco, confusion } = evaluation;
  const name = (id: number) => meta.names?.get(id);
  const errors = (e: ImageErrors) => e.misses + e.falsePositives + e.wrongClass;
  return {
    summary: coco.summary,
    model: meta.model,
    records: meta.records,
    images: evaluation.images,
    skipped: evaluation.skipped,
    threshold: meta.threshold,
    createdAt: new Date().toISOString(),
    classes: coco.classes.map((c) => {
      const label = name(c.categoryId);
      return label === undefined ? c : { ...c, name: label };
    }),
    curves: { recall: RECALL_THRESHOLDS, classes: coco.curves },
    confusion: {
      categoryIds: confusion.categoryIds,
      names: confusion.categoryIds.map((id) => name(id) ?? null),
      counts: confusion.counts,
      scoreThreshold: confusion.scoreThreshold,
      iouThreshold: confusion.iouThreshold,
    },
    worstImages: confusion.images
      .filter((e) => errors(e) > 0)
      .sort((a, b) => errors(b) - errors(a) || a.imageId - b.imageId)
      .slice(0, WORST_IMAGES),
    gallery: evaluation.worst.map((w) => ({
      imageId: w.imageId,
      file: w.file,
      offset: w.offset,
      record: w.record,
      width: w.width,
      height: w.height,
      misses: w.misses,
      wrongClass: w.wrongClass,
      falsePositives: w.falsePositives,
      truths: w.truths,
      detections: w.detections,
    })),
  };
}

/** The report as `--json` prints it: pycocotools' twelve numbers first, in its order. */
export function reportJson(report: EvaluationReport): string {
  const { summary, ...rest } = report;
  const first = Object.fromEntries(SUMMARY_KEYS.map((key) => [key, summary[key]]));
  return `${JSON.stringify({ ...first, ...rest }, null, 2)}\n`;
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report's tables as CSV: the twelve numbers, then one row per class, then the confusion
 * matrix, separated by blank lines (a spreadsheet opens it as one sheet).
 */
export function reportCsv(report: EvaluationReport): string {
  const rows: (string | number)[][] = [['metric', 'value']];
  for (const key of SUMMARY_KEYS) rows.push([key, report.summary[key]]);
  rows.push([]);
  rows.push(['class', 'name', 'objects', 'detections', 'AP', 'AP50', 'AP75', 'AR100']);
  for (const c of report.classes)
    rows.push([
      c.categoryId,
      c.name ?? '',
      c.groundTruth,
      c.detections,
      c.AP,
      c.AP50,
      c.AP75,
      c.AR100,
    ]);
  rows.push([]);
  const { confusion } = report;
  const label = (i: number) =>
    i === confusion.categoryIds.length
      ? 'background'
      : (confusion.names[i] ?? String(confusion.categoryIds[i]));
  rows.push([
    `truth \\ predicted (score >= ${confusion.scoreThreshold}, IoU >= ${confusion.iouThreshold})`,
    ...confusion.counts.map((_, i) => label(i)),
  ]);
  confusion.counts.forEach((row, i) => rows.push([label(i), ...row]));
  return csvText(rows);
}

/** Rows as CSV text, CRLF line ends (RFC 4180); an empty row is a blank line between tables. */
export function csvText(rows: readonly (readonly (string | number)[])[]): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
