import type { Prediction } from '../../src/detection/types';
import {
  DEFAULT_PREVIEW_THRESHOLD,
  MAX_DROPPED_FILE_BYTES,
  PREVIEW_FLOOR,
  type HostMessage,
  type LabelChoice,
  type LabelMapOffer,
  type PreviewImageResult,
  type PreviewPanelState,
  type PreviewSource,
  type WebviewMessage,
} from '../../src/core/preview/protocol';
import { chooseLabels, type LabelDecision } from '../../src/core/preview/labels';
import { el, type VsCodeApi } from '../common/dom';
import { t } from '../common/l10n';
import { toolbar, toolButton } from '../common/toolbar';
import './style.css';
import { carriesDroppable, readAsBase64, readDrop, sortDroppedFiles } from './drop';
import {
  boxLayout,
  captionText,
  className,
  classesIn,
  cssColour,
  inkOn,
  layoutCaptions,
  visiblePredictions,
} from './view';

// The detection preview webview: each image with its boxes drawn on a canvas, a threshold slider
// and per-class toggles that filter what the host sent (no new request), the latency and the raw
// response. It talks to the extension host only through messages; the host runs the model or
// calls the endpoint.

declare function acquireVsCodeApi(): VsCodeApi<WebviewMessage, PreviewPanelState>;

type Entry =
  | { readonly kind: 'pending'; readonly path: string; readonly name: string }
  | { readonly kind: 'result'; readonly result: PreviewImageResult }
  | {
      readonly kind: 'error';
      readonly path: string;
      readonly message: string;
      readonly fix?: string;
    };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
const saved = vscode.getState();
let source: PreviewSource | undefined = saved?.source;
let sourceLabel = t('Loading…');
let images: string[] = [...(saved?.images ?? [])];
let threshold = saved?.threshold ?? DEFAULT_PREVIEW_THRESHOLD;
const hidden = new Set<number>(saved?.hidden ?? []);
/** The label maps the host offers, and the user's choice among them in Labels. */
let labelMaps: LabelMapOffer[] = [];
let labelChoice: LabelChoice = saved?.labels ?? 'auto';
/** The names in use: decided again at each render, as the ids the model returned change. */
let labels: ReadonlyMap<number, string> = new Map<number, string>();
let labelDecision: LabelDecision | undefined;
/** Errors of the panel as a whole (the source, refused drops); a new session clears them. */
let panelErrors: { message: string; fix?: string }[] = [];
/** Whether the user has moved the threshold or a class toggle since the panel loaded. */
let filtersTouched = false;
/** Dropped items refused (by the webview or the host), shown until the next drop. */
let dropProblems: { message: string; fix?: string }[] = [];
let status = '';
const entries = new Map<string, Entry>();
let nextRequest = 1;
/** The latest request the webview made; answers to older ones are dropped. */
let waitingFor: number | undefined;

function request(type: 'addImages' | 'chooseSource' | 'rerun'): void {
  waitingFor = nextRequest++;
  vscode.postMessage({ type, requestId: waitingFor });
}

function showPanelError(error: { message: string; fix?: string }): void {
  if (!panelErrors.some((e) => e.message === error.message)) panelErrors.push(error);
}

function saveState(): void {
  vscode.setState({
    ...(source ? { source } : {}),
    images,
    threshold,
    hidden: [...hidden],
    labels: labelChoice,
  });
}

function viewChanged(): void {
  filtersTouched = true;
  saveState();
  vscode.postMessage({ type: 'view', threshold, hidden: [...hidden] });
}

function header(): HTMLElement {
  const bar = el('header');
  const actions = toolbar(t('Preview actions'), [
    {
      kind: 'primary',
      icon: 'add',
      label: t('Add Images…'),
      title: t('Add PNG or JPEG images to the preview'),
      run: () => request('addImages'),
    },
    {
      kind: 'icon',
      icon: 'source',
      label: t('Choose Source…'),
      title: t('Choose the source of predictions: a model run here, or an endpoint'),
      run: () => request('chooseSource'),
    },
    {
      kind: 'icon',
      icon: 'refresh',
      label: t('Run Again'),
      title: t('Run Again: send every image to the source again'),
      run: () => request('rerun'),
    },
  ]);
  keepFocus(actions, 'header');
  bar.append(el('h1', undefined, t('Detection Preview')), actions);
  return bar;
}

/**
 * Names the buttons of `scope` so that the one focused keeps focus when the panel re-renders
 * (every message redraws it): a keyboard user who runs Run Again stays on it.
 */
function keepFocus(scope: HTMLElement, key: string): void {
  scope.querySelectorAll('button').forEach((b) => {
    b.dataset.focusKey = `${key}:${b.getAttribute('aria-label') ?? b.textContent ?? ''}`;
  });
}

function controls(): HTMLElement {
  const box = el('section', 'controls');
  box.setAttribute('aria-label', t('Filters'));
  const label = el('label', 'threshold');
  label.htmlFor = 'threshold';
  label.append(`${t('Confidence threshold')} `);
  const slider = el('input');
  slider.id = 'threshold';
  slider.type = 'range';
  slider.min = String(PREVIEW_FLOOR);
  slider.max = '1';
  slider.step = '0.01';
  slider.value = String(threshold);
  const value = el('output', undefined, threshold.toFixed(2));
  value.htmlFor.add('threshold');
  slider.addEventListener('input', () => {
    threshold = Number(slider.value);
    value.textContent = threshold.toFixed(2);
    renderImages();
    renderToggles();
    viewChanged();
  });
  label.append(slider, value);
  box.append(label, el('div', 'toggles'));
  box.append(labelsPicker());
  return box;
}

/** The class ids the model returned, in every result the panel holds. */
function returnedIds(): number[] {
  return [...entries.values()].flatMap((e) =>
    e.kind === 'result' ? e.result.predictions.map((p) => p[0]) : [],
  );
}

const LABEL_OPTIONS: readonly { choice: LabelChoice; text: string }[] = [
  { choice: 'auto', text: t("Automatic (the model's own first)") },
  { choice: 'model', text: t("The model's label map") },
  { choice: 'workspace', text: t("The workspace's label map") },
  { choice: 'file', text: t('A file…') },
  { choice: 'ids', text: t('Class ids only') },
];

/** Labels: which label map names the classes, and a line on where the names come from. */
function labelsPicker(): HTMLElement {
  const row = el('div', 'labels');
  const label = el('label', undefined, `${t('Labels')} `);
  label.htmlFor = 'labels';
  const select = el('select');
  select.id = 'labels';
  const has = (origin: LabelMapOffer['origin']) => labelMaps.some((o) => o.origin === origin);
  for (const { choice, text } of LABEL_OPTIONS) {
    const file = labelMaps.find((o) => o.origin === 'file');
    const option = el('option', undefined, choice === 'file' && file ? `${file.shown}…` : text);
    option.value = choice;
    option.disabled =
      (choice === 'model' && !has('model')) || (choice === 'workspace' && !has('workspace'));
    option.selected = choice === labelChoice;
    select.append(option);
  }
  select.addEventListener('change', () => {
    const choice = select.value as LabelChoice;
    if (choice === 'file') {
      // The host asks for the file; its session puts the choice back if the user cancels. Like a
      // drop, this replaces no earlier request: answers to a Run again still count.
      vscode.postMessage({ type: 'chooseLabelFile', requestId: nextRequest++ });
      return;
    }
    labelChoice = choice;
    saveState();
    vscode.postMessage({ type: 'labels', choice });
    render();
  });
  label.append(select);
  const decision = labelDecision;
  row.append(
    label,
    el(
      'p',
      decision && decision.names.size === 0 && labelChoice !== 'ids'
        ? 'labels-note warning'
        : 'labels-note',
      decision?.note ?? '',
    ),
  );
  return row;
}

function renderToggles(): void {
  const box = root.querySelector('.toggles');
  if (!box) return;
  const lists = [...entries.values()].flatMap((e) =>
    e.kind === 'result' ? [e.result.predictions] : [],
  );
  const classes = classesIn(lists, threshold);
  box.replaceChildren();
  if (classes.length === 0) return;
  const group = el('fieldset');
  group.append(el('legend', undefined, t('Classes')));
  for (const { id, count } of classes) {
    const label = el('label', 'toggle');
    const check = el('input');
    check.type = 'checkbox';
    check.checked = !hidden.has(id);
    check.dataset.class = String(id);
    check.addEventListener('change', () => {
      if (check.checked) hidden.delete(id);
      else hidden.add(id);
      renderImages();
      viewChanged();
    });
    const swatch = el('span', 'swatch');
    swatch.setAttribute('data-colour', cssColour(id));
    label.append(check, swatch, `${className(id, labels)} (${count})`);
    group.append(label);
  }
  box.append(group);
  paintSwatches(box);
}

/** CSP forbids inline styles in markup; colours are set through the CSSOM, which it allows. */
function paintSwatches(scope: ParentNode): void {
  scope.querySelectorAll<HTMLElement>('[data-colour]').forEach((node) => {
    node.style.backgroundColor = node.dataset.colour ?? '';
  });
}

function draw(
  canvas: HTMLCanvasElement,
  picture: HTMLImageElement,
  result: PreviewImageResult,
  shown: Prediction[],
): void {
  canvas.width = result.width;
  canvas.height = result.height;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.drawImage(picture, 0, 0, result.width, result.height);
  // Boxes first, weakest first (the strongest ends on top), then the captions over all of them:
  // placed so that none covers another or runs off the image.
  for (const p of [...shown].reverse()) {
    const layout = boxLayout(p, result.width, result.height);
    g.strokeStyle = cssColour(p[0]);
    g.lineWidth = layout.lineWidth;
    g.strokeRect(layout.x, layout.y, layout.width, layout.height);
  }
  const measure = (text: string, fontSize: number) => {
    g.font = `${fontSize}px sans-serif`;
    return g.measureText(text).width;
  };
  for (const caption of layoutCaptions(shown, result.width, result.height, labels, measure)) {
    const id = caption.prediction[0];
    g.fillStyle = cssColour(id);
    g.fillRect(caption.x, caption.y, caption.width, caption.height);
    g.font = `${caption.fontSize}px sans-serif`;
    g.fillStyle = inkOn(id);
    g.textBaseline = 'middle';
    g.fillText(caption.text, caption.x + caption.fontSize * 0.3, caption.y + caption.height / 2);
  }
}

const pictures = new Map<string, HTMLImageElement>();

function imageCard(entry: Entry): HTMLElement {
  const path = entry.kind === 'result' ? entry.result.path : entry.path;
  const card = el('section', `image ${entry.kind}`);
  card.dataset.path = path;
  const title = el(
    'h2',
    undefined,
    entry.kind === 'result'
      ? entry.result.name
      : entry.kind === 'pending'
        ? entry.name
        : (path.split(/[\\/]/).pop() ?? path),
  );
  const remove = removeButton(path);
  card.append(title);
  if (entry.kind === 'pending') {
    card.append(el('p', 'meta', t('Running…')), remove);
    card.setAttribute('aria-busy', 'true');
    return card;
  }
  if (entry.kind === 'error') {
    const alert = el('div', 'error');
    alert.setAttribute('role', 'alert');
    alert.append(el('p', 'message', entry.message));
    if (entry.fix) alert.append(el('p', 'fix', entry.fix));
    card.append(alert, remove);
    return card;
  }
  const { result } = entry;
  const shown = visiblePredictions(result.predictions, threshold, hidden);
  card.append(
    el(
      'p',
      'meta',
      `${result.width}×${result.height} · ${t('{0} of {1} detections shown', shown.length, result.predictions.length)} · `,
    ),
  );
  const latency = el('span', 'latency', t('{0} ms', result.latencyMs));
  latency.title = t('Request latency (time from sending the image to the answer)');
  card.lastElementChild?.append(latency);
  if (result.remembered) {
    const kept = el('span', 'remembered', ` · ${t('kept from an earlier run')}`);
    kept.title = t(
      'The image and the source are unchanged, so the panel did not ask again; Run Again does',
    );
    card.lastElementChild?.append(kept);
  }
  for (const note of result.notes) card.append(el('p', 'note', note));
  const canvas = el('canvas', 'picture');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    `${result.name}: ${shown.map((p) => captionText(p, labels)).join(', ') || t('nothing detected')}`,
  );
  let picture = pictures.get(result.path);
  if (!picture || picture.src !== result.dataUrl) {
    picture = new Image();
    picture.src = result.dataUrl;
    pictures.set(result.path, picture);
  }
  const loaded = picture;
  if (loaded.complete && loaded.naturalWidth > 0) draw(canvas, loaded, result, shown);
  else loaded.addEventListener('load', () => draw(canvas, loaded, result, shown), { once: true });
  card.append(canvas);
  const list = el('ul', 'detections');
  list.setAttribute('aria-label', t('Detections in {0}', result.name));
  for (const p of shown) {
    const item = el('li', 'detection');
    item.dataset.class = String(p[0]);
    item.dataset.label = className(p[0], labels);
    item.dataset.score = p[1].toFixed(3);
    const swatch = el('span', 'swatch');
    swatch.setAttribute('data-colour', cssColour(p[0]));
    item.append(
      swatch,
      el('span', 'label', className(p[0], labels)),
      el('span', 'score', `${(p[1] * 100).toFixed(1)}%`),
      el(
        'span',
        'box',
        p
          .slice(2)
          .map((v) => v.toFixed(3))
          .join(' '),
      ),
    );
    list.append(item);
  }
  const actions = toolbar(t('Actions on {0}', result.name), [
    {
      kind: 'secondary',
      icon: 'save',
      label: t('Export PNG…'),
      title: t('Save this image with its boxes as PNG'),
      run: () => {
        waitingFor = nextRequest++;
        vscode.postMessage({
          type: 'export',
          requestId: waitingFor,
          path: result.path,
          dataUrl: canvas.toDataURL('image/png'),
        });
      },
    },
    remove,
  ]);
  actions.classList.add('actions');
  keepFocus(actions, path);
  const raw = el('details', 'raw');
  raw.append(
    el('summary', undefined, t('Raw JSON response')),
    el('pre', undefined, prettyJson(result.raw)),
  );
  card.append(list, actions, raw);
  paintSwatches(card);
  return card;
}

function removeButton(path: string): HTMLButtonElement {
  const button = toolButton({
    kind: 'secondary',
    icon: 'close',
    label: t('Remove'),
    title: t('Remove {0} from the preview', path),
    run: () => {
      images = images.filter((p) => p !== path);
      entries.delete(path);
      saveState();
      vscode.postMessage({ type: 'removeImage', requestId: nextRequest++, path });
      render();
    },
  });
  button.dataset.focusKey = `${path}:Remove`;
  return button;
}

/** An image the panel holds while no source is chosen yet. */
function waitingCard(path: string): HTMLElement {
  const card = el('section', 'image waiting');
  card.dataset.path = path;
  card.append(
    el('h2', undefined, path.split(/[\\/]/).pop() ?? path),
    el(
      'p',
      'meta',
      t('Waiting for a source: choose one with Choose Source… (in the toolbar) to run this image.'),
    ),
    removeButton(path),
  );
  return card;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function renderImages(): void {
  const box = root.querySelector('.images');
  if (!box) return;
  box.replaceChildren();
  for (const path of images) {
    const entry = entries.get(path);
    if (entry) box.append(imageCard(entry));
    else if (!source) box.append(waitingCard(path));
  }
  if (images.length === 0)
    box.append(
      el(
        'p',
        'empty',
        t(
          'No images yet: use Add Images…, drop images or a folder here (hold Shift while dropping from the Explorer), or Preview Detections on an image in the Explorer.',
        ),
      ),
    );
}

function render(): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset.focusKey;
  labelDecision = chooseLabels(labelMaps, labelChoice, returnedIds());
  labels = labelDecision.names;
  root.replaceChildren(header());
  root.append(el('p', 'source', sourceLabel));
  if (labelDecision.banner) {
    // Ids that do not fit the label map: said plainly, above the pictures, not in small print.
    const banner = el('div', 'banner labels-missing');
    banner.setAttribute('role', 'alert');
    banner.append(el('p', 'message', labelDecision.banner));
    root.append(banner);
  }
  for (const error of [...panelErrors, ...dropProblems]) {
    const alert = el('div', 'error');
    alert.setAttribute('role', 'alert');
    alert.append(el('p', 'message', error.message));
    if (error.fix) alert.append(el('p', 'fix', error.fix));
    root.append(alert);
  }
  if (status) root.append(el('p', 'status', status));
  root.append(controls(), el('div', 'images'));
  renderToggles();
  renderImages();
  if (focused)
    [...root.querySelectorAll<HTMLElement>('[data-focus-key]')]
      .find((node) => node.dataset.focusKey === focused)
      ?.focus();
}

function onMessage(message: HostMessage): void {
  // Answers to a request the webview has since replaced are stale.
  if (
    !('about' in message && message.about === 'drop') &&
    'requestId' in message &&
    message.requestId !== undefined &&
    waitingFor !== undefined &&
    message.requestId < waitingFor
  )
    return;
  switch (message.type) {
    case 'session':
      source = message.source;
      sourceLabel = message.sourceLabel;
      images = [...message.images];
      labelMaps = [...message.labelMaps];
      labelChoice = message.labelChoice;
      // The filters are the user's once they move them: the host's copy (which may be newer than
      // this webview's saved state after a reload) applies until then, and a session on its way
      // while the user moves the slider or a toggle does not undo the move.
      if (!filtersTouched) {
        if (message.threshold !== undefined) threshold = message.threshold;
        if (message.hidden) {
          hidden.clear();
          message.hidden.forEach((id) => hidden.add(id));
        }
      }
      panelErrors = [];
      for (const path of [...entries.keys()]) if (!images.includes(path)) entries.delete(path);
      saveState();
      break;
    case 'pending':
      entries.set(message.path, { kind: 'pending', path: message.path, name: message.name });
      break;
    case 'result':
      entries.set(message.result.path, { kind: 'result', result: message.result });
      break;
    case 'error':
      if (message.about === 'drop')
        dropProblems.push({
          message: message.message,
          ...(message.fix ? { fix: message.fix } : {}),
        });
      else if (message.path)
        entries.set(message.path, {
          kind: 'error',
          path: message.path,
          message: message.message,
          ...(message.fix ? { fix: message.fix } : {}),
        });
      else
        showPanelError({ message: message.message, ...(message.fix ? { fix: message.fix } : {}) });
      break;
    case 'exported':
      status = t('Saved {0}', message.path);
      break;
  }
  render();
}

// Drag and drop. Handled on the document, before VS Code's own listener on the window: taking the
// drag (preventDefault) keeps the workbench from covering the panel to open the file instead.
let dragDepth = 0;
function dropping(on: boolean): void {
  document.body.classList.toggle('dropping', on);
}
document.addEventListener('dragenter', (event) => {
  if (!event.dataTransfer || !carriesDroppable([...event.dataTransfer.types])) return;
  event.preventDefault();
  dragDepth++;
  dropping(true);
});
document.addEventListener('dragover', (event) => {
  if (!event.dataTransfer || !carriesDroppable([...event.dataTransfer.types])) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) dropping(false);
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dragDepth = 0;
  dropping(false);
  const dropped = event.dataTransfer ? readDrop(event.dataTransfer) : undefined;
  if (!dropped) {
    showPanelError({
      message: t('Nothing usable was dropped'),
      fix: t(
        'Drop PNG or JPEG files, or folders that hold some (hold Shift while dropping from the Explorer)',
      ),
    });
    render();
    return;
  }
  void sendDrop(dropped);
});

async function sendDrop(dropped: NonNullable<ReturnType<typeof readDrop>>): Promise<void> {
  dropProblems = [];
  if (dropped.kind === 'uris') {
    // Drops add to the panel, replacing no earlier request: they do not move `waitingFor`.
    vscode.postMessage({ type: 'dropUris', requestId: nextRequest++, uris: dropped.uris });
    render();
    return;
  }
  const { send, refused } = sortDroppedFiles(dropped.files);
  if (refused.length > 0)
    dropProblems.push({
      message: t('Not added: {0}', refused.join('; ')),
      fix: t(
        'Drop PNG or JPEG files (at most {0} MiB each), or folders that hold some',
        MAX_DROPPED_FILE_BYTES / 2 ** 20,
      ),
    });
  // One file per message, read just before it is sent: a drop of many photos never holds more
  // than one of them in memory here.
  for (const [i, file] of send.entries()) {
    status = t('Reading dropped file {0} of {1}…', i + 1, send.length);
    render();
    try {
      vscode.postMessage({
        type: 'dropFile',
        requestId: nextRequest++,
        file: await readAsBase64(file),
      });
    } catch (error) {
      dropProblems.push({
        message: t(
          '{0} could not be read: {1}',
          file.name,
          error instanceof Error ? error.message : String(error),
        ),
        fix: t('Drop it again, or use Add Images…'),
      });
    }
  }
  status = '';
  render();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => onMessage(event.data));
render();
vscode.postMessage({ type: 'ready' });
