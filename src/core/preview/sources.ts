import { readFile } from 'node:fs/promises';
import { errorMessage, UserError } from '../errors';
import type { Target } from '../jobs';
import { isModelArchive, unpackModelArchive } from '../local/modelArchive';
import {
  decodeImage,
  encodePng,
  ImageDecodeError,
  loadDetector,
  ModelFolderError,
  sniffImageFormat,
  type Detector,
  type Prediction,
  type RgbaImage,
} from '../../detection';
import { LABEL_MAP } from '../../schema';
import { validateBytes } from '../../schema/validate';
import { PREVIEW_FLOOR } from './protocol';

// The host side of the preview's sources, free of 'vscode' so it is unit-tested directly: the
// in-process model, a local endpoint URL and a SageMaker endpoint all answer the same way, with
// the seed's prediction list, the raw response and notes for the panel.

/** SageMaker's InvokeEndpoint payload limit; local serving takes the same, so both are held to it. */
export const ENDPOINT_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ENDPOINT_TIMEOUT_MS = 60_000;

export interface SourceAnswer {
  readonly predictions: Prediction[];
  readonly raw: string;
  readonly notes: string[];
}

/** Runs one image; `image` is decoded once by the caller and reused for downscaling. */
export type PredictionSource = (
  bytes: Uint8Array,
  image: RgbaImage,
  signal: AbortSignal,
) => Promise<SourceAnswer>;

/** Decodes an image file or says, in the panel's words, why it is not one. */
export function decodeForPreview(bytes: Uint8Array, name: string): RgbaImage {
  if (!sniffImageFormat(bytes))
    throw new UserError(
      `${name} is not a PNG or JPEG image`,
      'Pick .png or .jpg files (other formats: convert them first)',
    );
  try {
    return decodeImage(bytes);
  } catch (error) {
    if (error instanceof ImageDecodeError)
      throw new UserError(
        `${name} cannot be decoded: ${error.message}`,
        'Re-save the image as PNG or JPEG',
      );
    throw error;
  }
}

/**
 * The request body an endpoint gets: the seed's JSON `{"image": base64, "threshold"}`. An image
 * whose request would pass `limit` is shrunk (box filter, aspect kept) and re-encoded as PNG
 * until it fits, with a note; the predictions are normalised, so they still fit the original.
 */
export function endpointRequest(
  bytes: Uint8Array,
  image: RgbaImage,
  threshold = PREVIEW_FLOOR,
  limit = ENDPOINT_PAYLOAD_LIMIT,
): { body: string; note?: string } {
  const body = (b: Uint8Array) =>
    JSON.stringify({ image: Buffer.from(b).toString('base64'), threshold });
  let text = body(bytes);
  if (text.length <= limit) return { body: text };
  // base64 is 4/3 of the bytes; an RGBA PNG is at most about its raw size.
  let scale = Math.sqrt(((limit - 100) * 0.75) / (image.width * image.height * 4));
  for (let attempt = 0; attempt < 8; attempt++) {
    const small = downscale(image, scale);
    text = body(encodePng(small));
    if (text.length <= limit)
      return {
        body: text,
        note: `Downscaled from ${image.width}×${image.height} to ${small.width}×${small.height} before sending: the request would pass the endpoint's ${Math.round(limit / 1024 / 1024)} MB limit.`,
      };
    scale *= 0.8;
  }
  throw new UserError(
    'the image stays too large for the endpoint even when shrunk',
    'Use a smaller image',
  );
}

/** A box-filtered copy at `scale` (< 1) of the size, at least 1×1. */
export function downscale(image: RgbaImage, scale: number): RgbaImage {
  const width = Math.max(1, Math.floor(image.width * scale));
  const height = Math.max(1, Math.floor(image.height * scale));
  const data = new Uint8Array(width * height * 4);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const sum = [0, 0, 0, 0];
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const i = 4 * (yy * image.width + xx);
          for (let c = 0; c < 4; c++) sum[c]! += image.data[i + c]!;
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = 4 * (y * width + x);
      for (let c = 0; c < 4; c++) data[o + c] = Math.round(sum[c]! / n);
    }
  }
  return { width, height, data };
}

/** `{"prediction": [[class, confidence, xmin, ymin, xmax, ymax], ...]}` or a clear error. */
export function parsePredictionResponse(text: string): Prediction[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(
      `the endpoint answered something other than JSON: ${text.slice(0, 120)}`,
      'Check that the endpoint serves this extension\'s image (POST /invocations answers {"prediction": [...]})',
    );
  }
  const list = (json as { prediction?: unknown } | null)?.prediction;
  if (
    !Array.isArray(list) ||
    !list.every(
      (p) =>
        Array.isArray(p) &&
        p.length === 6 &&
        p.every((v) => typeof v === 'number' && Number.isFinite(v)),
    )
  )
    throw new UserError(
      'the endpoint answered JSON without a "prediction" list of [class, confidence, xmin, ymin, xmax, ymax]',
      "Check that the endpoint serves this extension's image",
    );
  return (list as Prediction[]).slice().sort((a, b) => b[1] - a[1]);
}

/** The reason an error response gives: its JSON "error"/"message", else its text. */
export function responseReason(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown };
    const reason = json.error ?? json.message;
    if (typeof reason === 'string') return reason;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300) || 'no reason given';
}

/** A local endpoint: POST <url>/invocations from the extension host, with a timeout. */
export function urlSource(
  url: string,
  timeoutMs = ENDPOINT_TIMEOUT_MS,
  threshold = PREVIEW_FLOOR,
): PredictionSource {
  const endpoint = `${url.replace(/\/+$/, '')}/invocations`;
  return async (bytes, image, signal) => {
    const request = endpointRequest(bytes, image, threshold);
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: request.body,
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      if (timeout.aborted)
        throw new UserError(
          `${endpoint} did not answer within ${timeoutMs / 1000} s`,
          'The model may still be loading: try again, or look at the endpoint log',
        );
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error);
      throw new UserError(
        `cannot reach ${endpoint} (${cause})`,
        'Start the endpoint (Serve Model Locally in the jobs view) or check the URL',
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new UserError(
        `${endpoint} answered ${response.status} ${response.statusText}: ${responseReason(text)}`,
        response.status >= 500
          ? 'Look at the endpoint log for the failure'
          : 'The endpoint refused the request: check the image and the endpoint',
      );
    return {
      predictions: parsePredictionResponse(text),
      raw: text,
      notes: request.note ? [request.note] : [],
    };
  };
}

/** A SageMaker endpoint through the target's InvokeEndpoint; credentials stay in the SDK. */
export function sagemakerSource(
  target: Target,
  endpoint: string,
  threshold = PREVIEW_FLOOR,
): PredictionSource {
  return async (bytes, image, signal) => {
    const request = endpointRequest(bytes, image, threshold);
    const timeout = AbortSignal.timeout(ENDPOINT_TIMEOUT_MS);
    let text: string;
    try {
      const result = await target.invokeEndpoint(
        endpoint,
        request.body,
        'application/json',
        AbortSignal.any([signal, timeout]),
      );
      text = Buffer.from(result.body).toString('utf8');
    } catch (error) {
      if (timeout.aborted)
        throw new UserError(
          `endpoint ${endpoint} did not answer within ${ENDPOINT_TIMEOUT_MS / 1000} s`,
          "Try again; look at the endpoint's CloudWatch log if it keeps happening",
        );
      if (error instanceof UserError) throw error;
      throw new UserError(
        `endpoint ${endpoint} failed: ${errorMessage(error)}`,
        'Check that the endpoint is InService and that your AWS profile may invoke it',
      );
    }
    return {
      predictions: parsePredictionResponse(text),
      raw: text,
      notes: request.note ? [request.note] : [],
    };
  };
}

/** A model folder or model.tar.gz run in this process by the shared detection engine. */
export interface InProcessModel {
  readonly source: PredictionSource;
  readonly detector: Detector;
  dispose(): void;
}

export async function loadInProcessModel(
  path: string,
  signal?: AbortSignal,
): Promise<InProcessModel> {
  const unpacked = isModelArchive(path) ? await unpackModelArchive(path, signal) : undefined;
  let detector: Detector;
  try {
    detector = await loadDetector(unpacked?.dir ?? path);
  } catch (error) {
    await unpacked?.remove();
    if (error instanceof ModelFolderError) throw new UserError(error.message, error.fix);
    throw error;
  }
  const source: PredictionSource = async (_bytes, image, signal) => {
    const predictions = await detector.detect(image, { threshold: PREVIEW_FLOOR, signal });
    return { predictions, raw: JSON.stringify({ prediction: predictions }), notes: [] };
  };
  return {
    source,
    detector,
    dispose: () => {
      detector.dispose();
      void unpacked?.remove();
    },
  };
}

/** Class names from a label map file (display_name, else name); undefined when it has none. */
export async function labelMapNames(path: string): Promise<Map<number, string> | undefined> {
  const result = validateBytes(await readFile(path), { path, root: LABEL_MAP });
  const names = new Map<number, string>();
  for (const item of result.labelMap?.items ?? []) {
    const name = item.displayName ?? item.name;
    if (name) names.set(item.id, name);
  }
  return names.size > 0 ? names : undefined;
}
