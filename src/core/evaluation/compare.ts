import { SUMMARY_KEYS, type ClassEvaluation, type CocoSummary } from '../../detection/evaluation';
import { csvText, type EvaluationReport } from './report';

/**
 * Two evaluations side by side: A (the report the user started from) and B (the other one), the
 * twelve COCO numbers and AP per class with B − A, and what says the two were not measured on the
 * same data. Pure: the CLI prints it, the report webview draws it.
 */
export interface EvaluationComparison {
  readonly a: ComparedEvaluation;
  readonly b: ComparedEvaluation;
  readonly metrics: readonly MetricComparison[];
  /** Classes with ground truth in either evaluation, matched by id and name, in id order. */
  readonly classes: readonly ClassComparison[];
  /** Empty when the records, image count and ground truth per class agree. */
  readonly cautions: readonly string[];
}

export interface ComparedEvaluation {
  readonly model: string;
  readonly createdAt: string;
  readonly records: readonly string[];
  readonly images: number;
}

/** 'none' where either side is -1 (COCO's "nothing to measure"). */
export type Better = 'a' | 'b' | 'same' | 'none';

export interface MetricComparison {
  readonly key: keyof CocoSummary;
  readonly a: number;
  readonly b: number;
  /** B − A; null where either side is -1. */
  readonly delta: number | null;
  readonly better: Better;
}

export type ClassScores = Omit<ClassEvaluation, 'categoryId'>;

export interface ClassComparison {
  readonly categoryId: number;
  readonly name?: string;
  /** Which evaluations have the class: both, or only A or only B. */
  readonly presence: 'both' | 'a' | 'b';
  /** Absent when the class is only in the other evaluation. */
  readonly a?: ClassScores;
  readonly b?: ClassScores;
  /** B − A of AP @ .50:.95; null unless both evaluations measured the class. */
  readonly delta: number | null;
  readonly better: Better;
}

/**
 * Differences below half of the last digit shown (three decimals) count as the same: a Δ printed
 * as +0.000 next to "B is better" would say more than the numbers do.
 */
export const SAME_WITHIN = 0.0005;

function judge(a: number, b: number): { delta: number | null; better: Better } {
  if (a < 0 || b < 0) return { delta: null, better: 'none' };
  const delta = b - a;
  return { delta, better: Math.abs(delta) < SAME_WITHIN ? 'same' : delta > 0 ? 'b' : 'a' };
}

type ReportClass = EvaluationReport['classes'][number];

function scores(c: ReportClass): ClassScores {
  return {
    groundTruth: c.groundTruth,
    detections: c.detections,
    AP: c.AP,
    AP50: c.AP50,
    AP75: c.AP75,
    AR100: c.AR100,
  };
}

/**
 * The same class in both: the same id, and the same name where both reports name it (a report
 * evaluated without a label map has no names, and then the id alone decides). Two reports that give
 * one id different names are about different classes, shown apart.
 */
function sameClass(a: ReportClass, b: ReportClass): boolean {
  return (
    a.categoryId === b.categoryId &&
    (a.name === undefined || b.name === undefined || a.name === b.name)
  );
}

function classComparisons(a: EvaluationReport, b: EvaluationReport): ClassComparison[] {
  const measured = (c: ReportClass) => c.groundTruth > 0;
  const rows: ClassComparison[] = [];
  const matchedB = new Set<ReportClass>();
  for (const ca of a.classes) {
    const cb = b.classes.find((c) => !matchedB.has(c) && sameClass(ca, c));
    if (cb) matchedB.add(cb);
    if (!measured(ca) && !(cb && measured(cb))) continue;
    const name = ca.name ?? cb?.name;
    rows.push({
      categoryId: ca.categoryId,
      ...(name === undefined ? {} : { name }),
      presence: cb ? 'both' : 'a',
      a: scores(ca),
      ...(cb ? { b: scores(cb), ...judge(ca.AP, cb.AP) } : { delta: null, better: 'none' }),
    });
  }
  for (const cb of b.classes)
    if (!matchedB.has(cb) && measured(cb))
      rows.push({
        categoryId: cb.categoryId,
        ...(cb.name === undefined ? {} : { name: cb.name }),
        presence: 'b',
        b: scores(cb),
        delta: null,
        better: 'none',
      });
  return rows.sort(
    (x, y) =>
      x.categoryId - y.categoryId || Number(x.presence === 'b') - Number(y.presence === 'b'),
  );
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/**
 * What says the two evaluations did not see the same data: other record files, another number of
 * images, other ground truth per class. A caution, not a refusal: comparing a model on two
 * validation sets is a question someone may mean to ask.
 */
function dataCautions(
  a: EvaluationReport,
  b: EvaluationReport,
  classes: readonly ClassComparison[],
): string[] {
  const cautions: string[] = [];
  const sorted = (r: EvaluationReport) => JSON.stringify([...r.records].sort());
  const sameRecords = sorted(a) === sorted(b);
  const objects = classes.filter((c) => (c.a?.groundTruth ?? 0) !== (c.b?.groundTruth ?? 0));
  if (a.images !== b.images)
    cautions.push(`A evaluated ${plural(a.images, 'image')}, B ${plural(b.images, 'image')}`);
  const sameCounts = a.images === b.images && objects.length === 0;
  if (objects.length > 0) {
    const first = objects[0]!;
    cautions.push(
      `the ground truth differs for ${plural(objects.length, 'class', 'classes')} (${first.name ?? `class ${first.categoryId}`}: ${plural(first.a?.groundTruth ?? 0, 'object')} in A, ${first.b?.groundTruth ?? 0} in B)`,
    );
  }
  const renamed = a.classes.filter((ca) =>
    b.classes.some((cb) => cb.categoryId === ca.categoryId && !sameClass(ca, cb)),
  );
  if (renamed.length > 0) {
    const first = renamed[0]!;
    const other = b.classes.find((cb) => cb.categoryId === first.categoryId)!;
    cautions.push(
      `the label maps differ: class ${first.categoryId} is ${first.name ?? '?'} in A and ${other.name ?? '?'} in B${renamed.length > 1 ? ` (and ${plural(renamed.length - 1, 'more class', 'more classes')})` : ''}; such classes are listed apart`,
    );
  }
  if (!sameRecords)
    cautions.push(
      `the record files differ (A: ${a.records.join(', ') || 'none'}; B: ${b.records.join(', ') || 'none'})${sameCounts ? ', though the images and objects per class agree: the same data elsewhere?' : ''}`,
    );
  return cautions;
}

export function compareReports(a: EvaluationReport, b: EvaluationReport): EvaluationComparison {
  const evaluation = (r: EvaluationReport): ComparedEvaluation => ({
    model: r.model,
    createdAt: r.createdAt,
    records: r.records,
    images: r.images,
  });
  const classes = classComparisons(a, b);
  return {
    a: evaluation(a),
    b: evaluation(b),
    metrics: SUMMARY_KEYS.map((key) => ({
      key,
      a: a.summary[key],
      b: b.summary[key],
      ...judge(a.summary[key], b.summary[key]),
    })),
    classes,
    cautions: dataCautions(a, b, classes),
  };
}

/** A signed difference as the report and the CLI show it: +0.043, −0.012, ±0.000, – for none. */
export function signedDelta(delta: number | null): string {
  if (delta === null) return '–';
  if (Math.abs(delta) < SAME_WITHIN) return '±0.000';
  return `${delta > 0 ? '+' : '−'}${Math.abs(delta).toFixed(3)}`;
}

/** Which side a judgement favours, in words short enough for a table cell. */
export function betterText(better: Better): string {
  return { a: 'A', b: 'B', same: 'same', none: '–' }[better];
}

/** A class row's verdict: the better side, or the one evaluation that has it. */
export function classVerdict(c: ClassComparison): string {
  return c.presence === 'both' ? betterText(c.better) : `only in ${c.presence.toUpperCase()}`;
}

/**
 * The comparison as CSV: the evaluations compared, the twelve numbers with B − A, then one row per
 * class (AP, AP50 and objects of each side), separated by blank lines.
 */
export function comparisonCsv(comparison: EvaluationComparison): string {
  const number = (value: number | null | undefined) =>
    value === null || value === undefined ? '' : value;
  const rows: (string | number)[][] = [
    ['evaluation', 'model', 'created', 'images', 'records'],
    ...(['a', 'b'] as const).map((side) => {
      const e = comparison[side];
      return [side.toUpperCase(), e.model, e.createdAt, e.images, e.records.join(' ')];
    }),
    [],
    ['metric', 'A', 'B', 'B - A', 'better'],
    ...comparison.metrics.map((m) => [m.key, m.a, m.b, number(m.delta), betterText(m.better)]),
    [],
    [
      'class',
      'name',
      'A AP',
      'B AP',
      'B - A',
      'better',
      'A AP50',
      'B AP50',
      'A objects',
      'B objects',
    ],
    ...comparison.classes.map((c) => [
      c.categoryId,
      c.name ?? '',
      number(c.a?.AP),
      number(c.b?.AP),
      number(c.delta),
      classVerdict(c),
      number(c.a?.AP50),
      number(c.b?.AP50),
      number(c.a?.groundTruth),
      number(c.b?.groundTruth),
    ]),
  ];
  if (comparison.cautions.length > 0)
    rows.push([], ...comparison.cautions.map((c) => ['caution', c]));
  return csvText(rows);
}
