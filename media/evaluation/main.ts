import { compareReports, type EvaluationComparison } from '../../src/core/evaluation/compare';
import { SUMMARY_NAMES, type EvaluationReport } from '../../src/core/evaluation/report';
import { SUMMARY_KEYS } from '../../src/detection/evaluation/cocoEvaluator';
import type {
  EvaluationPanelState,
  HostMessage,
  WebviewMessage,
} from '../../src/extension/evaluation/protocol';
import { el, type VsCodeApi } from '../common/dom';
import { t } from '../common/l10n';
import { comparisonSection, type ComparisonView } from './comparison';
import { barChart, button, prPlot, select, svg } from './controls';
import {
  classLabel,
  classRows,
  confusionIndices,
  curvePath,
  galleryFor,
  heatLevel,
  imagesFromRecords,
  metric,
  type SortKey,
} from './view';
import './style.css';

// The evaluation report webview: the twelve COCO numbers, AP per class as bars, precision/recall
// curves, the confusion matrix at the threshold and the images with the most errors, filterable
// by class; export to JSON or CSV goes through the host. Everything is drawn from the report the
// host sends (kept with setState, so a reload shows it again without evaluating).

declare function acquireVsCodeApi(): VsCodeApi<WebviewMessage, EvaluationPanelState>;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
let report: EvaluationReport | undefined = vscode.getState()?.report;
/** The evaluation this one is compared with (B), while comparing; kept with the report. */
let other: EvaluationReport | undefined = vscode.getState()?.other;
let comparison: EvaluationComparison | undefined =
  report && other ? compareReports(report, other) : undefined;
let comparisonView: ComparisonView = { sort: 'delta', curveClass: undefined, iou: '50' };
/** The gallery's images by image id (data: URLs); sent by the host, never kept in the state. */
let images: Readonly<Record<number, string>> = {};
let sort: SortKey = 'AP';
let only: number | undefined;

function summaryTable(r: EvaluationReport): HTMLElement {
  const table = el('table', 'summary');
  table.append(el('caption', undefined, t('COCO metrics (as pycocotools computes them)')));
  for (const key of SUMMARY_KEYS) {
    const row = el('tr');
    row.append(
      el('th', undefined, key),
      el('td', 'what', SUMMARY_NAMES[key]),
      el('td', 'value', metric(r.summary[key])),
    );
    table.append(row);
  }
  return table;
}

function classBars(r: EvaluationReport): HTMLElement {
  const section = el('section', 'classes');
  section.append(el('h2', undefined, t('AP per class')));
  const rows = classRows(r, sort, only);
  if (rows.length === 0) {
    section.append(el('p', 'empty', t('No class has ground truth in these records.')));
    return section;
  }
  const rowHeight = 22;
  const labelWidth = 160;
  const barWidth = 560 - labelWidth - 110;
  const graphic = barChart(t('AP per class'), rows.length, rowHeight);
  rows.forEach((c, i) => {
    const y = i * rowHeight + 2;
    graphic.append(
      svg('text', { x: labelWidth - 6, y: y + 14, class: 'bar-label' }, classLabel(c)),
    );
    graphic.append(
      svg('rect', {
        x: labelWidth,
        y,
        width: Math.max(0, c.AP50) * barWidth,
        height: rowHeight - 6,
        class: 'bar ap50',
      }),
    );
    graphic.append(
      svg('rect', {
        x: labelWidth,
        y: y + 4,
        width: Math.max(0, c.AP) * barWidth,
        height: rowHeight - 14,
        class: 'bar ap',
      }),
    );
    graphic.append(
      svg(
        'text',
        { x: labelWidth + barWidth + 6, y: y + 14, class: 'bar-value' },
        `${metric(c.AP)} / ${metric(c.AP50)}`,
      ),
    );
  });
  section.append(
    graphic,
    el(
      'p',
      'legend',
      t('Thin bar: AP @ .50:.95; wide bar: AP @ .50. Objects and detections counted per class.'),
    ),
  );
  return section;
}

function curves(r: EvaluationReport): HTMLElement {
  const section = el('section', 'curves');
  section.append(el('h2', undefined, t('Precision / recall')));
  const { graphic, box } = prPlot(t('precision over recall'));
  const shown = new Set(
    classRows(r, sort, only)
      .slice(0, 8)
      .map((c) => c.categoryId),
  );
  let n = 0;
  for (const curve of r.curves.classes) {
    if (!shown.has(curve.categoryId)) continue;
    const d = curvePath(r.curves.recall, curve.precision, box);
    if (!d) continue;
    const series = [...shown].indexOf(curve.categoryId) % 6;
    const path = svg('path', {
      d,
      class: `line series-${series} iou-${curve.iouThreshold === 0.5 ? '50' : '75'}`,
    });
    const name = classLabel(r.classes.find((c) => c.categoryId === curve.categoryId) ?? curve);
    path.append(svg('title', {}, `${name} @ IoU ${curve.iouThreshold}`));
    graphic.append(path);
    n++;
  }
  section.append(graphic);
  section.append(
    el(
      'p',
      'legend',
      n === 0
        ? t('No curve: no class with ground truth is shown.')
        : `${t('Solid: IoU .50; dashed: IoU .75.')} ${shown.size < classRows(r, sort, undefined).length && only === undefined ? t('The first 8 classes in the chosen order; pick a class to see its own.') : ''}`,
    ),
  );
  return section;
}

function confusionMatrix(r: EvaluationReport): HTMLElement {
  const section = el('section', 'confusion');
  const { confusion } = r;
  section.append(
    el(
      'h2',
      undefined,
      t('Confusion at score ≥ {0}, IoU ≥ {1}', confusion.scoreThreshold, confusion.iouThreshold),
    ),
  );
  const indices = confusionIndices(confusion, only);
  const background = confusion.counts.length - 1;
  const name = (i: number) =>
    i === background
      ? t('background')
      : (confusion.names[i] ?? t('class {0}', confusion.categoryIds[i]!));
  const largest = Math.max(
    1,
    ...indices.flatMap((i) =>
      indices.map((j) => (i === background && j === background ? 0 : confusion.counts[i]![j]!)),
    ),
  );
  const table = el('table', 'matrix');
  const head = el('tr');
  head.append(el('th', 'corner', t('truth ↓ predicted →')));
  for (const j of indices) head.append(el('th', 'col', name(j)));
  table.append(head);
  for (const i of indices) {
    const row = el('tr');
    row.append(el('th', undefined, name(i)));
    for (const j of indices) {
      const count = i === background && j === background ? 0 : confusion.counts[i]![j]!;
      const kind = i === background || j === background ? 'error' : i === j ? 'right' : 'wrong';
      const cell = el(
        'td',
        `heat-${heatLevel(count, largest)} ${kind}`,
        count ? String(count) : '',
      );
      row.append(cell);
    }
    table.append(row);
  }
  section.append(
    table,
    el('p', 'legend', t('Last column: missed objects. Last row: detections of nothing.')),
  );
  return section;
}

function worstImages(r: EvaluationReport): HTMLElement {
  const section = el('section', 'worst');
  section.append(el('h2', undefined, t('Images with the most errors')));
  if (r.worstImages.length === 0) {
    section.append(el('p', 'empty', t('No image has an error at this threshold.')));
    return section;
  }
  const table = el('table');
  const head = el('tr');
  for (const h of [t('image id'), t('missed'), t('wrong class'), t('false'), t('right')])
    head.append(el('th', undefined, h));
  table.append(head);
  for (const image of r.worstImages.slice(0, 20)) {
    const row = el('tr');
    for (const v of [
      image.imageId,
      image.misses,
      image.wrongClass,
      image.falsePositives,
      image.correct,
    ])
      row.append(el('td', undefined, String(v)));
    table.append(row);
  }
  section.append(table);
  return section;
}

const TRUTH_TEXT = { found: t('found'), missed: t('missed'), crowd: t('crowd region') };
const DETECTION_TEXT = {
  right: t('right'),
  wrongClass: t('wrong class'),
  false: t('false detection'),
  crowd: t('in a crowd region'),
};

function gallery(r: EvaluationReport): HTMLElement {
  const section = el('section', 'gallery');
  section.append(el('h2', undefined, t('Worst images at score ≥ {0}', r.threshold)));
  const list = galleryFor(r, only);
  if (list.length === 0) {
    section.append(el('p', 'empty', t('No image with a mistake.')));
    return section;
  }
  section.append(
    el(
      'p',
      'legend',
      t(
        'Dashed: ground truth (green found, red missed, grey crowd). Solid: detections (green right, orange wrong class, red false).',
      ),
    ),
  );
  const names = new Map(r.classes.map((c) => [c.categoryId, classLabel(c)]));
  const cards = el('div', 'cards');
  for (const g of list) {
    const card = el('figure', 'card');
    const graphic = svg('svg', {
      viewBox: `0 0 ${g.width} ${g.height}`,
      role: 'img',
      'aria-label': t('image {0}', g.imageId),
      class: 'photo',
    });
    const url = images[g.imageId];
    if (url)
      graphic.append(svg('image', { href: url, x: 0, y: 0, width: g.width, height: g.height }));
    else
      graphic.append(
        svg('rect', { x: 0, y: 0, width: g.width, height: g.height, class: 'no-image' }),
      );
    const stroke = Math.max(1.5, Math.max(g.width, g.height) / 250);
    const box = (bbox: readonly number[], className: string, title: string) => {
      const rect = svg('rect', {
        x: bbox[0]!,
        y: bbox[1]!,
        width: Math.max(0, bbox[2]!),
        height: Math.max(0, bbox[3]!),
        class: className,
        'stroke-width': stroke,
      });
      rect.append(svg('title', {}, title));
      graphic.append(rect);
    };
    for (const truth of g.truths)
      box(
        truth.bbox,
        `truth ${truth.outcome}${truth.categoryId === only ? ' chosen' : ''}`,
        `${names.get(truth.categoryId) ?? t('class {0}', truth.categoryId)}: ${TRUTH_TEXT[truth.outcome]}`,
      );
    for (const d of g.detections)
      box(
        d.bbox,
        `detection ${d.outcome}${d.categoryId === only ? ' chosen' : ''}`,
        `${names.get(d.categoryId) ?? t('class {0}', d.categoryId)} ${d.score.toFixed(2)}: ${DETECTION_TEXT[d.outcome]}`,
      );
    card.append(
      graphic,
      el(
        'figcaption',
        undefined,
        t(
          'image {0} · {1} missed, {2} wrong class, {3} false',
          g.imageId,
          g.misses,
          g.wrongClass,
          g.falsePositives,
        ),
      ),
    );
    cards.append(card);
  }
  section.append(cards);
  return section;
}

function render(): void {
  // Redrawing replaces every element: give the focus back to the control that had it.
  const focused = document.activeElement?.id;
  draw();
  if (focused) document.getElementById(focused)?.focus();
}

function draw(): void {
  root.replaceChildren();
  if (!report) {
    root.append(el('p', 'empty', t('Loading the evaluation…')));
    return;
  }
  const r = report;
  const header = el('header');
  header.append(
    el('h1', undefined, r.model),
    button(other ? t('Compare with Another…') : t('Compare with…'), 'compare', () =>
      vscode.postMessage({ type: 'compare' }),
    ),
    button(t('Export JSON'), 'export-json', () =>
      vscode.postMessage({ type: 'export', format: 'json' }),
    ),
    button(t('Export CSV'), 'export-csv', () =>
      vscode.postMessage({ type: 'export', format: 'csv' }),
    ),
  );
  const meta = el(
    'p',
    'meta',
    `${imagesFromRecords(r.images, r.records.length)}${r.skipped ? ` ${t('({0} records left out)', r.skipped)}` : ''} · ${new Date(r.createdAt).toLocaleString()}`,
  );
  const withTruth = r.classes.filter((c) => c.groundTruth > 0);
  const controls = el('div', 'controls');
  controls.append(
    select(
      t('Class'),
      'class-filter',
      [
        ['', t('All classes')],
        ...withTruth.map((c): [string, string] => [String(c.categoryId), classLabel(c)]),
      ],
      only === undefined ? '' : String(only),
      (v) => {
        only = v === '' ? undefined : Number(v);
        render();
      },
    ),
    select<SortKey>(
      t('Sort by'),
      'class-sort',
      [
        ['AP', 'AP'],
        ['AP50', 'AP50'],
        ['objects', t('objects')],
        ['name', t('name')],
      ],
      sort,
      (v) => {
        sort = v;
        render();
      },
    ),
  );
  const grid = el('div', 'grid');
  grid.append(summaryTable(r), classBars(r), curves(r), confusionMatrix(r), worstImages(r));
  root.append(header, meta, controls);
  if (other && comparison)
    root.append(
      comparisonSection({
        a: r,
        b: other,
        comparison,
        view: comparisonView,
        only,
        actions: {
          change: (view) => {
            comparisonView = view;
            render();
          },
          stop: () => vscode.postMessage({ type: 'stopComparing' }),
          exportCsv: () => vscode.postMessage({ type: 'exportComparison' }),
        },
      }),
    );
  root.append(grid, gallery(r));
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  if (event.data.type === 'images') images = event.data.images;
  else {
    const key = (r: EvaluationReport | undefined) => r && `${r.model}@${r.createdAt}`;
    const started = event.data.other !== undefined && key(event.data.other) !== key(other);
    const stopped = other !== undefined && event.data.other === undefined;
    report = event.data.report;
    other = event.data.other;
    comparison = other ? compareReports(report, other) : undefined;
    if (started) comparisonView = { ...comparisonView, curveClass: undefined };
    vscode.setState(other ? { report, other } : { report });
    render();
    // A new comparison takes the reader (and a screen reader) to it; stopping, back to its button.
    if (started) document.getElementById('comparison-title')?.focus();
    if (stopped) document.getElementById('compare')?.focus();
    return;
  }
  render();
});
render();
vscode.postMessage({ type: 'ready' });
