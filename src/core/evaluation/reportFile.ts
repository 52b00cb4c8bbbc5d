import { readFile } from 'node:fs/promises';
import { SUMMARY_KEYS, type CocoSummary } from '../../detection/evaluation';
import { UserError } from '../errors';
import type { EvaluationReport } from './report';

const FIX =
  'Give a file written by `tfod evaluate --json > FILE` or by Export JSON in an evaluation report';

/**
 * An evaluation read back from what `reportJson` wrote: `tfod evaluate --json`'s output or the
 * report's JSON export (the twelve numbers at the top level, then the rest). The shape is checked
 * as far as a comparison and the report webview read it, so a wrong file fails here with its name,
 * not later as a blank chart.
 */
export async function readReportFile(file: string): Promise<EvaluationReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read the evaluation ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      FIX,
    );
  }
  return parseReportJson(text, file);
}

export function parseReportJson(text: string, file: string): EvaluationReport {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`${file} is not JSON (${(error as Error).message})`, FIX);
  }
  const problem = reportProblem(value);
  if (problem) throw new UserError(`${file} is not an evaluation report: ${problem}`, FIX);
  const { summary, rest } = splitSummary(value as Record<string, unknown>);
  return { ...rest, summary } as unknown as EvaluationReport;
}

function splitSummary(json: Record<string, unknown>): {
  summary: CocoSummary;
  rest: Record<string, unknown>;
} {
  const rest = { ...json };
  const summary: Partial<Record<keyof CocoSummary, number>> = {};
  for (const key of SUMMARY_KEYS) {
    summary[key] = json[key] as number;
    delete rest[key];
  }
  return { summary: summary as CocoSummary, rest };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown) => Array.isArray(v) && v.every(isNumber);

/** What is wrong with a parsed `--json` report, in a few words; undefined when nothing is. */
export function reportProblem(json: unknown): string | undefined {
  if (!isObject(json)) return 'it holds no object';
  const missing = SUMMARY_KEYS.filter((key) => !isNumber(json[key]));
  if (missing.length > 0) return `no number for ${missing.join(', ')}`;
  if (typeof json.model !== 'string') return 'no model';
  if (!Array.isArray(json.records) || !json.records.every((r) => typeof r === 'string'))
    return 'no list of record files';
  for (const key of ['images', 'skipped', 'threshold'])
    if (!isNumber(json[key])) return `no number for ${key}`;
  if (typeof json.createdAt !== 'string') return 'no createdAt';
  if (!Array.isArray(json.classes)) return 'no classes';
  const badClass = json.classes.findIndex(
    (c) =>
      !isObject(c) ||
      !['categoryId', 'groundTruth', 'detections', 'AP', 'AP50', 'AP75', 'AR100'].every((k) =>
        isNumber(c[k]),
      ) ||
      (c.name !== undefined && typeof c.name !== 'string'),
  );
  if (badClass >= 0)
    return `class ${badClass + 1} of ${json.classes.length} is not a class's scores`;
  const curves = json.curves;
  if (!isObject(curves) || !numbers(curves.recall) || !Array.isArray(curves.classes))
    return 'no precision/recall curves';
  if (
    !curves.classes.every(
      (c) =>
        isObject(c) &&
        isNumber(c.categoryId) &&
        isNumber(c.iouThreshold) &&
        numbers(c.precision) &&
        numbers(c.scores),
    )
  )
    return 'a precision/recall curve is not one';
  const confusion = json.confusion;
  if (
    !isObject(confusion) ||
    !numbers(confusion.categoryIds) ||
    !Array.isArray(confusion.names) ||
    !Array.isArray(confusion.counts) ||
    !confusion.counts.every(numbers) ||
    !isNumber(confusion.scoreThreshold) ||
    !isNumber(confusion.iouThreshold)
  )
    return 'no confusion matrix';
  if (!Array.isArray(json.worstImages) || !Array.isArray(json.gallery))
    return 'no worstImages or gallery';
  return undefined;
}
