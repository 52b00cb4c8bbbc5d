// The comparison section of the report: this evaluation (A) and another (B) side by side: the
// twelve numbers with B − A, AP per class as paired bars, both PR curves of one class overlaid.
// Differences carry their sign and the better side in words, not only a colour; every element a
// test reads has a stable id or data attribute (data-compare-*).
import {
  betterText,
  classVerdict,
  signedDelta,
  type EvaluationComparison,
} from '../../src/core/evaluation/compare';
import { SUMMARY_NAMES, type EvaluationReport } from '../../src/core/evaluation/report';
import { el } from '../common/dom';
import { t } from '../common/l10n';
import { barChart, button, prPlot, select, svg } from './controls';
import {
  classLabel,
  comparisonRows,
  curvePath,
  curveOf,
  imagesFromRecords,
  metric,
  type CompareSortKey,
} from './view';

export interface ComparisonView {
  readonly sort: CompareSortKey;
  /** Index in comparison.classes of the class whose curves are drawn. */
  readonly curveClass: number | undefined;
  readonly iou: '50' | '75';
}

/** What the section is drawn from: the two reports, their comparison and the reader's choices. */
export interface ComparisonDrawing {
  readonly a: EvaluationReport;
  readonly b: EvaluationReport;
  readonly comparison: EvaluationComparison;
  readonly view: ComparisonView;
  /** The report's class filter (a class id), which the comparison follows too. */
  readonly only: number | undefined;
  readonly actions: ComparisonActions;
}

export interface ComparisonActions {
  readonly change: (view: ComparisonView) => void;
  readonly stop: () => void;
  readonly exportCsv: () => void;
}

const SIDES = ['a', 'b'] as const;

function shortDate(iso: string): string {
  return new Date(iso).toLocaleString();
}

function evaluations(comparison: EvaluationComparison): HTMLElement {
  const list = el('dl', 'compared');
  for (const side of SIDES) {
    const e = comparison[side];
    const term = el('dt', `side side-${side}`, side.toUpperCase());
    const description = el(
      'dd',
      undefined,
      `${e.model} · ${imagesFromRecords(e.images, e.records.length)} · ${shortDate(e.createdAt)}${side === 'a' ? ` ${t('(this report)')}` : ''}`,
    );
    description.dataset.compareSide = side;
    list.append(term, description);
  }
  return list;
}

function cautions(comparison: EvaluationComparison): HTMLElement | undefined {
  if (comparison.cautions.length === 0) return undefined;
  const box = el('div', 'caution');
  box.setAttribute('role', 'note');
  box.dataset.compareCaution = '';
  box.append(
    el(
      'strong',
      undefined,
      `${t('These evaluations may not be on the same data, so their numbers may not compare:')} `,
    ),
  );
  const list = el('ul');
  for (const text of comparison.cautions) list.append(el('li', undefined, text));
  box.append(list);
  return box;
}

/** A Δ cell: the signed number, classed by the better side for the theme's colours. */
function deltaCell(delta: number | null, better: string): HTMLTableCellElement {
  const cell = el('td', `delta better-${better}`, signedDelta(delta));
  cell.dataset.col = 'delta';
  return cell;
}

function metricsTable(comparison: EvaluationComparison): HTMLElement {
  const table = el('table', 'compare-metrics');
  table.dataset.compareTable = 'metrics';
  table.append(el('caption', undefined, t('COCO metrics, A and B, with B − A')));
  const head = el('tr');
  for (const h of [t('metric'), '', 'A', 'B', 'B − A', t('better')])
    head.append(el('th', undefined, h));
  table.append(head);
  for (const m of comparison.metrics) {
    const row = el('tr');
    Object.assign(row.dataset, {
      compareMetric: m.key,
      a: String(m.a),
      b: String(m.b),
      delta: m.delta === null ? '' : String(m.delta),
      better: m.better,
    });
    const value = (side: 'a' | 'b') => {
      const cell = el('td', 'value', metric(m[side]));
      cell.dataset.col = side;
      return cell;
    };
    const verdict = el('td', `verdict better-${m.better}`, betterText(m.better));
    verdict.dataset.col = 'better';
    row.append(
      el('th', undefined, m.key),
      el('td', 'what', SUMMARY_NAMES[m.key]),
      value('a'),
      value('b'),
      deltaCell(m.delta, m.better),
      verdict,
    );
    table.append(row);
  }
  return table;
}

function classBars({ comparison, view, only, actions }: ComparisonDrawing): HTMLElement {
  const section = el('section', 'compare-classes');
  section.append(el('h3', undefined, t('AP per class, A and B')));
  section.append(
    select<CompareSortKey>(
      t('Sort by'),
      'compare-sort',
      [
        ['delta', 'B − A'],
        ['a', t('AP of A')],
        ['b', t('AP of B')],
        ['objects', t('objects')],
        ['name', t('name')],
      ],
      view.sort,
      (sort) => actions.change({ ...view, sort }),
    ),
  );
  const rows = comparisonRows(comparison, view.sort, only);
  if (rows.length === 0) {
    section.append(el('p', 'empty', t('No class has ground truth in either evaluation.')));
    return section;
  }
  const barHeight = 9;
  const rowHeight = 2 * barHeight + 12;
  const labelWidth = 150;
  const barWidth = 560 - labelWidth - 170;
  const graphic = barChart(t('AP per class of A and B'), rows.length, rowHeight);
  rows.forEach((c, i) => {
    const y = i * rowHeight + 2;
    const group = svg('g', {
      'data-compare-class': c.categoryId,
      'data-presence': c.presence,
      'data-a-ap': c.a?.AP ?? '',
      'data-b-ap': c.b?.AP ?? '',
      'data-delta': c.delta ?? '',
    });
    group.append(
      svg(
        'title',
        {},
        `${classLabel(c)}: ${comparedText(c.a?.AP, c.b?.AP, c.delta, classVerdict(c))}`,
      ),
      svg('text', { x: labelWidth - 22, y: y + barHeight + 4, class: 'bar-label' }, classLabel(c)),
    );
    SIDES.forEach((side, k) => {
      const top = y + k * (barHeight + 2);
      const scores = c[side];
      group.append(
        svg(
          'text',
          { x: labelWidth - 6, y: top + barHeight - 1, class: 'side-mark' },
          side.toUpperCase(),
        ),
      );
      if (scores)
        group.append(
          svg('rect', {
            x: labelWidth,
            y: top,
            width: Math.max(0, scores.AP) * barWidth,
            height: barHeight,
            class: `bar side-${side}`,
          }),
        );
    });
    group.append(
      svg(
        'text',
        {
          x: labelWidth + barWidth + 6,
          y: y + barHeight + 4,
          class: `bar-value better-${c.better}`,
        },
        c.presence === 'both'
          ? `${metric(c.a!.AP)} / ${metric(c.b!.AP)} (${signedDelta(c.delta)})`
          : classVerdict(c),
      ),
    );
    graphic.append(group);
  });
  section.append(
    graphic,
    el('p', 'legend', t('AP @ .50:.95 of A (upper bar) and B (lower bar), then A / B (B − A).')),
  );
  return section;
}

function comparedText(
  a: number | undefined,
  b: number | undefined,
  delta: number | null,
  verdict: string,
): string {
  const value = (v: number | undefined) => (v === undefined ? t('absent') : metric(v));
  return t('A {0}, B {1}, B − A {2}, better: {3}', value(a), value(b), signedDelta(delta), verdict);
}

function curves({ a, b, comparison, view, only, actions }: ComparisonDrawing): HTMLElement {
  const section = el('section', 'compare-curves');
  section.append(el('h3', undefined, t('Precision / recall of one class, A and B')));
  const rows = comparisonRows(comparison, view.sort, only);
  const chosen =
    view.curveClass !== undefined && rows.includes(comparison.classes[view.curveClass]!)
      ? comparison.classes[view.curveClass]!
      : rows[0];
  const controls = el('div', 'controls');
  controls.append(
    select(
      t('Class'),
      'compare-curve-class',
      rows.map((c): [string, string] => [
        String(comparison.classes.indexOf(c)),
        c.presence === 'both'
          ? classLabel(c)
          : t('{0} (only in {1})', classLabel(c), c.presence.toUpperCase()),
      ]),
      chosen ? String(comparison.classes.indexOf(chosen)) : '',
      (index) => actions.change({ ...view, curveClass: Number(index) }),
    ),
    select<'50' | '75'>(
      'IoU',
      'compare-iou',
      [
        ['50', '.50'],
        ['75', '.75'],
      ],
      view.iou,
      (iou) => actions.change({ ...view, iou }),
    ),
  );
  section.append(controls);
  const { graphic, box } = prPlot(t('precision over recall of A and B'));
  graphic.dataset.compareCurves = chosen ? String(chosen.categoryId) : '';
  let drawn = 0;
  if (chosen)
    for (const [side, report] of [
      ['a', a],
      ['b', b],
    ] as const) {
      if (!chosen[side]) continue;
      const curve = curveOf(report, chosen.categoryId, view.iou === '50' ? 0.5 : 0.75);
      const d = curve ? curvePath(report.curves.recall, curve.precision, box) : '';
      if (!d) continue;
      const path = svg('path', { d, class: `line side-${side}`, 'data-compare-curve': side });
      path.append(
        svg('title', {}, `${side.toUpperCase()}: ${classLabel(chosen)} @ IoU .${view.iou}`),
      );
      graphic.append(path);
      drawn++;
    }
  section.append(
    graphic,
    el(
      'p',
      'legend',
      drawn === 0
        ? t('No curve: the class has no ground truth here.')
        : t('A: solid line; B: dashed line.'),
    ),
  );
  return section;
}

/** The whole comparison section, drawn from the two reports and the view's choices. */
export function comparisonSection(drawing: ComparisonDrawing): HTMLElement {
  const { b, comparison, actions } = drawing;
  const section = el('section', 'comparison');
  section.id = 'comparison';
  section.setAttribute('aria-labelledby', 'comparison-title');
  section.dataset.sameData = String(comparison.cautions.length === 0);
  const head = el('div', 'comparison-head');
  const heading = el('h2', undefined, t('Compared with {0}', b.model));
  heading.id = 'comparison-title';
  heading.tabIndex = -1;
  head.append(
    heading,
    button(t('Export Comparison CSV'), 'export-comparison', actions.exportCsv),
    button(t('Stop Comparing'), 'stop-comparing', actions.stop),
  );
  section.append(head, evaluations(comparison));
  const caution = cautions(comparison);
  if (caution) section.append(caution);
  const grid = el('div', 'grid');
  grid.append(metricsTable(comparison), classBars(drawing), curves(drawing));
  section.append(
    grid,
    el(
      'p',
      'legend',
      t(
        'B − A: + where B is higher (better), − where A is; ±0.000 when they agree to three decimals, – where COCO has nothing to measure.',
      ),
    ),
  );
  return section;
}
