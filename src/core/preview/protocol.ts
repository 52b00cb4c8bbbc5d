import type { Prediction } from '../../detection/types';

/**
 * The messages between the detection preview webview (media/preview) and the extension host. No
 * 'vscode' here: the webview bundle imports these types too. Requests from the webview carry an
 * id; the host's answer repeats it. The webview never sees credentials or endpoint calls: it asks,
 * the host runs the model or calls the endpoint and sends back pictures and predictions.
 */

/** Where predictions come from. `url` is a local endpoint (POST <url>/invocations). */
export type PreviewSource =
  | { readonly kind: 'model'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'sagemaker'; readonly endpoint: string };

/**
 * The panel's state: what the webview keeps with setState (the serializer gets it back after a
 * reload) and what the host writes to its state file as it changes.
 */
export interface PreviewPanelState {
  readonly source?: PreviewSource;
  /** Image files, as file system paths. */
  readonly images: readonly string[];
  readonly threshold: number;
  /** Class ids switched off with the per-class toggles. */
  readonly hidden: readonly number[];
  /** The user's choice in Labels; 'auto' when absent. */
  readonly labels?: LabelChoice;
  /** The label map file chosen with Labels › A file… */
  readonly labelFile?: string;
}

/**
 * Which label map names the classes: 'auto' is the model's own, else a workspace's that every
 * returned id fits (see labels.ts); 'ids' shows class ids only.
 */
export type LabelChoice = 'auto' | 'model' | 'workspace' | 'file' | 'ids';

export const LABEL_CHOICES: readonly LabelChoice[] = ['auto', 'model', 'workspace', 'file', 'ids'];

/** A label map the host found (or the user chose), with its names. */
export interface LabelMapOffer {
  readonly origin: 'model' | 'workspace' | 'file';
  /** Its path as the user knows it (relative to the workspace where it is inside). */
  readonly shown: string;
  /** Class id -> name pairs. */
  readonly labels: readonly (readonly [number, string])[];
}

export interface PreviewImageResult {
  readonly path: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** The picture as sent to the webview (a data: URL of the file's own bytes). */
  readonly dataUrl: string;
  /** Every prediction the source returned, strongest first, down to the host's floor. */
  readonly predictions: readonly Prediction[];
  readonly latencyMs: number;
  /** The answer of an earlier run, kept by the host (the image and the source are unchanged). */
  readonly remembered?: boolean;
  /** The response as received (endpoints) or as an endpoint would answer (in-process). */
  readonly raw: string;
  /** Things to know about this result, e.g. that the image was downscaled before sending. */
  readonly notes: readonly string[];
}

export type HostMessage =
  | {
      readonly type: 'session';
      readonly source?: PreviewSource;
      readonly sourceLabel: string;
      readonly images: readonly string[];
      /** The label maps on offer: the model's own, the workspace's, the file chosen in Labels. */
      readonly labelMaps: readonly LabelMapOffer[];
      readonly labelChoice: LabelChoice;
      readonly threshold?: number;
      readonly hidden?: readonly number[];
    }
  | {
      readonly type: 'pending';
      readonly requestId?: number;
      readonly path: string;
      readonly name: string;
    }
  | {
      readonly type: 'result';
      readonly requestId?: number;
      readonly result: PreviewImageResult;
    }
  | {
      readonly type: 'error';
      readonly requestId?: number;
      /** The image the error belongs to; absent for panel-wide errors (the source). */
      readonly path?: string;
      /** 'drop': dropped items refused; shown until the next drop, not cleared by a session. */
      readonly about?: 'drop';
      readonly message: string;
      readonly fix?: string;
    }
  | { readonly type: 'exported'; readonly requestId: number; readonly path: string };

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'addImages'; readonly requestId: number }
  | { readonly type: 'chooseSource'; readonly requestId: number }
  | { readonly type: 'rerun'; readonly requestId: number }
  /** Labels › A file…: the host asks for a label map file. */
  | { readonly type: 'chooseLabelFile'; readonly requestId: number }
  /** Labels changed to another choice (not 'file', which goes through chooseLabelFile). */
  | { readonly type: 'labels'; readonly choice: LabelChoice }
  | { readonly type: 'removeImage'; readonly requestId: number; readonly path: string }
  | {
      readonly type: 'export';
      readonly requestId: number;
      readonly path: string;
      /** The annotated picture the webview drew, as a data:image/png;base64 URL. */
      readonly dataUrl: string;
    }
  | {
      readonly type: 'view';
      readonly threshold: number;
      readonly hidden: readonly number[];
    }
  /** Resources dropped on the panel by reference: the Explorer's URIs (hold Shift to drop). */
  | { readonly type: 'dropUris'; readonly requestId: number; readonly uris: readonly string[] }
  /** A file dropped from outside VS Code, whose bytes only the webview has (one per message). */
  | { readonly type: 'dropFile'; readonly requestId: number; readonly file: DroppedFile };

/** A file dropped on the panel from the desktop: its name and its bytes as base64. */
export interface DroppedFile {
  readonly name: string;
  readonly base64: string;
}

/** The most a dropped file may weigh (its base64 travels in one message). */
export const MAX_DROPPED_FILE_BYTES = 50 * 1024 * 1024;
/** The most images one drop adds (a folder's images count one by one). */
export const MAX_DROPPED_IMAGES = 100;

/** The file names the preview takes. */
export const PREVIEW_IMAGE_NAME = /\.(png|jpe?g)$/i;

/** The URIs of a text/uri-list (RFC 2483): one per line, `#` lines are comments. */
export function parseUriList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** Predictions below this never reach the webview: the slider starts here. */
export const PREVIEW_FLOOR = 0.05;
export const DEFAULT_PREVIEW_THRESHOLD = 0.5;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isUnitInterval(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isClassIds(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v));
}

export function isPreviewSource(value: unknown): value is PreviewSource {
  if (!isObject(value)) return false;
  const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
  switch (value.kind) {
    case 'model':
      return nonEmpty(value.path);
    case 'url':
      return nonEmpty(value.url) && /^https?:\/\//.test(value.url as string);
    case 'sagemaker':
      return nonEmpty(value.endpoint);
    default:
      return false;
  }
}

export function isPreviewPanelState(value: unknown): value is PreviewPanelState {
  return (
    isObject(value) &&
    (value.source === undefined || isPreviewSource(value.source)) &&
    Array.isArray(value.images) &&
    value.images.every((p) => typeof p === 'string' && p.length > 0) &&
    isUnitInterval(value.threshold) &&
    isClassIds(value.hidden) &&
    (value.labels === undefined || isLabelChoice(value.labels)) &&
    (value.labelFile === undefined ||
      (typeof value.labelFile === 'string' && value.labelFile.length > 0))
  );
}

export function isLabelChoice(value: unknown): value is LabelChoice {
  return typeof value === 'string' && (LABEL_CHOICES as readonly string[]).includes(value);
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isObject(value)) return false;
  const id = typeof value.requestId === 'number' && Number.isInteger(value.requestId);
  switch (value.type) {
    case 'ready':
      return true;
    case 'addImages':
    case 'chooseSource':
    case 'rerun':
    case 'chooseLabelFile':
      return id;
    case 'labels':
      return isLabelChoice(value.choice) && value.choice !== 'file';
    case 'removeImage':
      return id && typeof value.path === 'string';
    case 'export':
      return (
        id &&
        typeof value.path === 'string' &&
        typeof value.dataUrl === 'string' &&
        value.dataUrl.startsWith('data:image/png;base64,')
      );
    case 'view':
      return isUnitInterval(value.threshold) && isClassIds(value.hidden);
    case 'dropUris':
      return (
        id &&
        Array.isArray(value.uris) &&
        value.uris.length > 0 &&
        value.uris.length <= MAX_DROPPED_IMAGES &&
        value.uris.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 4096)
      );
    case 'dropFile':
      return id && isDroppedFile(value.file);
    default:
      return false;
  }
}

function isDroppedFile(value: unknown): value is DroppedFile {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    value.name.length > 0 &&
    typeof value.base64 === 'string' &&
    value.base64.length <= Math.ceil(MAX_DROPPED_FILE_BYTES / 3) * 4 &&
    /^[A-Za-z0-9+/]*={0,2}$/.test(value.base64)
  );
}
