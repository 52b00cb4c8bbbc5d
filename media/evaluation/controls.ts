// The report's small building blocks: SVG elements, buttons and labelled selects, each with an
// id so the report can put the focus back after it redraws, and the frame of a PR plot.
import { el } from '../common/dom';

const SVG = 'http://www.w3.org/2000/svg';

export function svg(
  tag: string,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(text: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', undefined, text);
  b.id = id;
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function select<T extends string>(
  label: string,
  id: string,
  options: readonly (readonly [T, string])[],
  value: T,
  onChange: (value: T) => void,
): HTMLLabelElement {
  const wrapper = el('label', 'control', `${label} `);
  const input = el('select');
  input.id = id;
  for (const [v, text] of options) {
    const option = el('option', undefined, text);
    option.value = v;
    option.selected = v === value;
    input.append(option);
  }
  input.addEventListener('change', () => onChange(input.value as T));
  wrapper.append(input);
  return wrapper;
}

export interface PlotBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** An empty precision-over-recall plot: grid lines and ticks at 0, .25, ..., 1 on both axes. */
export function prPlot(label: string): { graphic: SVGElement; box: PlotBox } {
  const width = 420;
  const height = 300;
  const box = { left: 40, top: 10, width: width - 60, height: height - 40 };
  const graphic = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
    class: 'plot',
  });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = box.top + (1 - tick) * box.height;
    const x = box.left + tick * box.width;
    graphic.append(
      svg('line', { x1: box.left, x2: box.left + box.width, y1: y, y2: y, class: 'gridline' }),
    );
    graphic.append(svg('text', { x: box.left - 6, y: y + 4, class: 'tick y' }, String(tick)));
    graphic.append(svg('text', { x, y: box.top + box.height + 16, class: 'tick x' }, String(tick)));
  }
  return { graphic, box };
}

/** An empty bar chart, one row of `rowHeight` per item, 560 wide (labels, bars, values). */
export function barChart(label: string, rows: number, rowHeight: number): SVGElement {
  return svg('svg', {
    viewBox: `0 0 560 ${rows * rowHeight + 4}`,
    role: 'img',
    'aria-label': label,
    class: 'bars',
  });
}
