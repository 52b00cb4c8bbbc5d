import type { MetricSeries } from '../../src/core/jobs/types';
import type {
  HostMessage,
  MetricsPanelState,
  WebviewMessage,
} from '../../src/extension/metrics/protocol';
import { formatTick, layoutSeries } from './chart';
import { el, type VsCodeApi } from '../common/dom';
import { t } from '../common/l10n';
import './style.css';

// The metrics chart webview: one small chart per metric (losses first, then eval metrics), drawn
// as SVG from the series the extension host sends. It talks to the host only through messages.

declare function acquireVsCodeApi(): VsCodeApi<WebviewMessage, MetricsPanelState>;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
const SVG = 'http://www.w3.org/2000/svg';
let nextRequest = 1;
let waitingFor: number | undefined;

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function chart(series: MetricSeries, index: number): HTMLElement {
  const card = el('section', 'chart');
  const last = series.points[series.points.length - 1];
  const heading = el('h2', undefined, series.name);
  if (last)
    heading.append(
      el('span', 'last', ` ${t('{0} at step {1}', formatTick(last.value), last.step)}`),
    );
  card.append(heading);
  const width = 560;
  const height = 200;
  const box = { left: 48, top: 10, width: width - 64, height: height - 40 };
  const layout = layoutSeries(series.points, box);
  const graphic = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': t('{0} over training steps', series.name),
    class: 'plot',
  });
  for (const tick of layout.yTicks) {
    const y = layout.y(tick);
    graphic.append(
      svg('line', { x1: box.left, x2: box.left + box.width, y1: y, y2: y, class: 'gridline' }),
    );
    graphic.append(svg('text', { x: box.left - 6, y: y + 4, class: 'tick y' }, formatTick(tick)));
  }
  for (const tick of layout.xTicks) {
    const x = layout.x(tick);
    graphic.append(
      svg('text', { x, y: box.top + box.height + 16, class: 'tick x' }, formatTick(tick)),
    );
  }
  graphic.append(
    svg('path', { d: layout.path, class: `line series-${index % 6}`, 'data-metric': series.name }),
  );
  if (series.points.length === 1 && last)
    graphic.append(
      svg('circle', {
        cx: layout.x(last.step),
        cy: layout.y(last.value),
        r: 3,
        class: `dot series-${index % 6}`,
      }),
    );
  card.append(graphic);
  return card;
}

function render(message: HostMessage): void {
  if (message.type === 'loading') {
    root.setAttribute('aria-busy', 'true');
    return;
  }
  root.removeAttribute('aria-busy');
  if (message.requestId !== undefined && message.requestId !== waitingFor) return;
  root.replaceChildren();
  const header = el('header');
  const refresh = el('button', undefined, t('Refresh'));
  refresh.addEventListener('click', () => {
    waitingFor = nextRequest++;
    vscode.postMessage({ type: 'refresh', requestId: waitingFor });
  });
  if (message.type === 'error') {
    header.append(el('h1', undefined, t('Training metrics')), refresh);
    root.append(header, el('p', 'error', message.message));
    return;
  }
  vscode.setState({ target: message.target, job: message.job });
  header.append(
    el('h1', undefined, message.job),
    el('span', `status ${message.status}`, message.status),
    refresh,
  );
  const loaded = new Date(message.loadedAt).toLocaleTimeString();
  root.append(
    header,
    el(
      'p',
      'meta',
      message.following
        ? t('Loaded {0} · reloading while the job runs', loaded)
        : t('Loaded {0}', loaded),
    ),
  );
  if (message.series.length === 0) {
    root.append(
      el(
        'p',
        'empty',
        t(
          'No metrics over steps yet: the training image logs "#metric step=<n> name=value" lines as it trains.',
        ),
      ),
    );
  }
  const grid = el('div', 'grid');
  message.series.forEach((series, i) => grid.append(chart(series, i)));
  root.append(grid);
  const finals = Object.entries(message.final);
  if (finals.length) {
    const table = el('table', 'final');
    table.append(el('caption', undefined, t('Final values recorded by the platform')));
    for (const [name, value] of finals) {
      const row = el('tr');
      row.append(el('th', undefined, name), el('td', undefined, formatTick(value)));
      table.append(row);
    }
    root.append(table);
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => render(event.data));
vscode.postMessage({ type: 'ready' });
