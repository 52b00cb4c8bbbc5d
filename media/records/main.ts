import type { RecordPageItem } from '../../src/core/records/pageTypes';
import {
  RECORDS_PAGE_SIZE,
  type HostMessage,
  type RecordsViewState,
  type WebviewMessage,
} from '../../src/extension/records/protocol';
import { el, type VsCodeApi } from '../common/dom';
import { t } from '../common/l10n';
import './style.css';

// The TFRecord viewer: a page of records at a time, each image with its boxes and class names
// drawn over it (SVG in the image's normalised coordinates) and its problems. It talks to the
// host only through messages; the page shown is kept with setState.

declare function acquireVsCodeApi(): VsCodeApi<WebviewMessage, RecordsViewState>;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
const SVG = 'http://www.w3.org/2000/svg';
let total = 0;
let from = vscode.getState()?.from ?? 0;
let nextRequest = 1;
let waitingFor: number | undefined;
const header = el('header');
const status = el('span', 'meta');
const list = el('div', 'records');
const problems = el('ul', 'problems');

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function request(start: number): void {
  from = Math.max(0, Math.min(start, Math.max(0, total - 1)));
  from -= from % RECORDS_PAGE_SIZE;
  vscode.setState({ from });
  waitingFor = nextRequest++;
  root.setAttribute('aria-busy', 'true');
  vscode.postMessage({ type: 'page', requestId: waitingFor, from });
}

/** "1 object", "3 objects": one whole message per form, for the translations. */
function objects(count: number): string {
  return count === 1 ? t('{0} object', count) : t('{0} objects', count);
}

function card(item: RecordPageItem): HTMLElement {
  const card = el('figure', 'record');
  const frame = el('div', 'frame');
  if (item.image) {
    const img = el('img');
    img.src = `data:${item.image.mime};base64,${item.image.base64}`;
    img.alt = item.filename ?? t('record {0}', item.index);
    frame.append(img);
  } else frame.append(el('div', 'noimage', t('no image to show')));
  const overlay = svg('svg', { viewBox: '0 0 1 1', preserveAspectRatio: 'none', class: 'boxes' });
  item.objects.forEach((o, i) => {
    const colour = `series-${(o.label ?? i) % 6}`;
    overlay.append(
      svg('rect', {
        x: o.xmin,
        y: o.ymin,
        width: o.xmax - o.xmin,
        height: o.ymax - o.ymin,
        class: `box ${colour}`,
      }),
    );
  });
  frame.append(overlay);
  for (const o of item.objects) {
    const label = el(
      'span',
      `label series-${(o.label ?? 0) % 6}`,
      `${o.name ?? '?'}${o.label !== undefined ? ` (${o.label})` : ''}`,
    );
    label.style.left = `${Math.max(0, Math.min(1, o.xmin)) * 100}%`;
    label.style.top = `${Math.max(0, Math.min(1, o.ymin)) * 100}%`;
    frame.append(label);
  }
  const caption = el(
    'figcaption',
    undefined,
    `#${item.index} · ${item.filename ?? t('(no filename)')} · ${item.width ?? '?'} x ${item.height ?? '?'} · ${objects(item.objects.length)}`,
  );
  card.append(frame, caption);
  if (item.problems.length) {
    const ul = el('ul', 'problems');
    for (const p of item.problems) ul.append(el('li', 'error', p));
    card.append(ul);
  }
  return card;
}

function pager(): HTMLElement {
  const nav = el('nav');
  const previous = el('button', undefined, t('Previous'));
  const next = el('button', undefined, t('Next'));
  previous.disabled = from === 0;
  next.disabled = from + RECORDS_PAGE_SIZE >= total;
  previous.addEventListener('click', () => request(from - RECORDS_PAGE_SIZE));
  next.addEventListener('click', () => request(from + RECORDS_PAGE_SIZE));
  const to = Math.min(total, from + RECORDS_PAGE_SIZE);
  nav.append(
    previous,
    el('span', 'meta', total ? t('records {0}-{1} of {2}', from + 1, to, total) : t('no records')),
    next,
  );
  return nav;
}

function render(message: HostMessage): void {
  if (message.type === 'summary') {
    total = message.records;
    header.replaceChildren(el('h1', undefined, message.file), status);
    status.textContent = t(
      '{0} records · label map: {1}',
      message.records,
      message.labelMap ?? t('none found'),
    );
    problems.replaceChildren(...message.problems.map((p) => el('li', 'error', p)));
    root.replaceChildren(header, problems, list);
    request(from);
    return;
  }
  if (message.requestId !== undefined && message.requestId !== waitingFor) return;
  root.removeAttribute('aria-busy');
  if (message.type === 'error') {
    list.replaceChildren(el('p', 'error', message.message));
    return;
  }
  list.replaceChildren(pager(), ...message.items.map(card), pager());
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => render(event.data));
root.append(el('p', 'meta', t('Reading the records...')));
vscode.postMessage({ type: 'ready' });
