import type { Prediction } from '../../detection';

/**
 * What batch detection writes, whichever ran it (this machine or a SageMaker transform job): one
 * JSON line per image in `results.jsonl`, and `summary.json` beside it.
 */

/** One image's line: its path (relative to the input folder) or S3 key, and what came of it. */
export type BatchLine =
  | { readonly image: string; readonly prediction: readonly Prediction[] }
  | { readonly image: string; readonly error: string };

export interface ClassCount {
  readonly id: number;
  /** From the label map, when the model has one. */
  readonly name?: string;
  readonly detections: number;
  /** Images with at least one detection of the class. */
  readonly images: number;
}

export interface BatchSummary {
  /** False for what a cancelled or failed run left (`results.partial.jsonl`). */
  readonly complete: boolean;
  readonly model: string;
  readonly input: string;
  readonly output: string;
  readonly threshold: number;
  readonly images: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly detections: number;
  /** Most detections first. */
  readonly classes: readonly ClassCount[];
  /** The first failures, with their reasons; results.jsonl has every one. */
  readonly failures: readonly { readonly image: string; readonly error: string }[];
  /** The SageMaker transform job that ran it. */
  readonly transformJob?: string;
}

/** How many failures the summary names; the rest are counted. */
export const SUMMARY_FAILURES = 20;

export const RESULTS_FILE = 'results.jsonl';
export const SUMMARY_FILE = 'summary.json';
export const PARTIAL_RESULTS_FILE = 'results.partial.jsonl';
export const PARTIAL_SUMMARY_FILE = 'summary.partial.json';

export function formatLine(line: BatchLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Counts lines as they come, so a run of any size holds only the counts. */
export class BatchTally {
  private images = 0;
  private failed = 0;
  private detections = 0;
  private readonly perClass = new Map<number, { detections: number; images: number }>();
  private readonly failures: { image: string; error: string }[] = [];

  add(line: BatchLine): void {
    this.images++;
    if ('error' in line) {
      this.failed++;
      if (this.failures.length < SUMMARY_FAILURES)
        this.failures.push({ image: line.image, error: line.error });
      return;
    }
    this.detections += line.prediction.length;
    const seen = new Set<number>();
    for (const [id] of line.prediction) {
      const count = this.perClass.get(id) ?? { detections: 0, images: 0 };
      count.detections++;
      if (!seen.has(id)) count.images++;
      seen.add(id);
      this.perClass.set(id, count);
    }
  }

  summary(
    run: Pick<BatchSummary, 'complete' | 'model' | 'input' | 'output' | 'threshold'> & {
      readonly transformJob?: string;
    },
    names?: ReadonlyMap<number, string>,
  ): BatchSummary {
    const classes = [...this.perClass]
      .map(([id, count]) => {
        const name = names?.get(id);
        return { id, ...(name === undefined ? {} : { name }), ...count };
      })
      .sort((a, b) => b.detections - a.detections || a.id - b.id);
    return {
      complete: run.complete,
      model: run.model,
      input: run.input,
      output: run.output,
      threshold: run.threshold,
      images: this.images,
      succeeded: this.images - this.failed,
      failed: this.failed,
      detections: this.detections,
      classes,
      failures: [...this.failures],
      ...(run.transformJob ? { transformJob: run.transformJob } : {}),
    };
  }
}

/** A few lines for a terminal or a notification: counts, then the classes found. */
export function formatSummary(summary: BatchSummary): string {
  const lines = [
    `${summary.complete ? '' : 'PARTIAL: '}${summary.images} images, ${summary.detections} detections at threshold ${summary.threshold}, ${summary.failed} failed`,
  ];
  for (const c of summary.classes)
    lines.push(
      `  ${c.name ?? `class ${c.id}`}: ${c.detections} in ${c.images} image${c.images === 1 ? '' : 's'}`,
    );
  for (const f of summary.failures) lines.push(`  failed: ${f.image}: ${f.error}`);
  if (summary.failed > summary.failures.length)
    lines.push(`  … and ${summary.failed - summary.failures.length} more failures`);
  return `${lines.join('\n')}\n`;
}

/** JPEG and PNG by name, as the detector reads them (the bytes decide the format). */
export function isImageName(name: string): boolean {
  return /\.(jpe?g|png)$/i.test(name);
}
