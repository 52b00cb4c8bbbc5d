// A toolbar as VS Code's own panels have them: at most one primary button, the other actions as
// icon buttons that say what they do on hover (title) and to screen readers (aria-label). One
// Tab stop for the whole bar; the arrow keys, Home and End move between its buttons (the WAI-ARIA
// toolbar pattern, as the workbench's action bars do).
//
// The icons are drawn here as SVG strokes in the text colour: the page's Content-Security-Policy
// loads no fonts, so the codicon font is not available to a webview without shipping it.

const SVG = 'http://www.w3.org/2000/svg';

/** Each icon as SVG path data on a 16 x 16 grid, stroked (not filled) in the current colour. */
const ICONS = {
  add: 'M8 3v10M3 8h10',
  refresh: 'M12.6 9.8A5 5 0 1 1 11.8 4.6M12.5 2v3.2H9.3',
  source: 'M6 2v3M10 2v3M4.5 5h7v2.5a3.5 3.5 0 0 1-7 0zM8 11v3',
  save: 'M8 2.5v7.5M4.8 6.8 8 10l3.2-3.2M3 13.5h10',
  close: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
} as const;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('glyph');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

export interface ToolAction {
  readonly icon: IconName;
  /** What the button does, in a few words: its accessible name and, on icon buttons, its tooltip. */
  readonly label: string;
  /** A longer tooltip, when the label alone does not say enough. */
  readonly title?: string;
  /** `primary`: the one main action (text and icon); `secondary`: text and icon; `icon`: icon only. */
  readonly kind: 'primary' | 'secondary' | 'icon';
  readonly run: () => void;
}

export function toolButton(action: ToolAction): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `tool ${action.kind}`;
  button.title = action.title ?? action.label;
  button.setAttribute('aria-label', action.label);
  button.append(icon(action.icon));
  if (action.kind !== 'icon') {
    const text = document.createElement('span');
    text.textContent = action.label;
    button.append(text);
  }
  button.addEventListener('click', () => action.run());
  return button;
}

/** A toolbar named `label` (for screen readers) holding `actions`, at most one of them primary. */
export function toolbar(
  label: string,
  actions: readonly (ToolAction | HTMLButtonElement)[],
): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'toolbar';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', label);
  const buttons = actions.map((a) => (a instanceof HTMLButtonElement ? a : toolButton(a)));
  buttons.forEach((b, i) => (b.tabIndex = i === 0 ? 0 : -1));
  bar.append(...buttons);
  bar.addEventListener('keydown', (event) => {
    const at = buttons.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const next =
      event.key === 'ArrowRight'
        ? (at + 1) % buttons.length
        : event.key === 'ArrowLeft'
          ? (at - 1 + buttons.length) % buttons.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? buttons.length - 1
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    buttons[at]!.tabIndex = -1;
    buttons[next]!.tabIndex = 0;
    buttons[next]!.focus();
  });
  // The Tab stop follows the button last used, as in the workbench's action bars.
  bar.addEventListener('focusin', (event) => {
    const at = buttons.indexOf(event.target as HTMLButtonElement);
    if (at >= 0) buttons.forEach((b, i) => (b.tabIndex = i === at ? 0 : -1));
  });
  return bar;
}
