import { isThreshold } from '../predictions';
import { HttpError } from './httpError';

/** What one `POST /invocations` asks for. */
export interface Invocation {
  /** The image file's bytes (JPEG or PNG; the format is told by its magic bytes). */
  readonly image: Uint8Array;
  readonly threshold?: number;
}

/** Content types `/invocations` accepts; `application/x-image` is what SageMaker's own detectors take. */
export const ACCEPTED_CONTENT_TYPES = [
  'application/json',
  'image/jpeg',
  'image/png',
  'application/x-image',
] as const;

const IMAGE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png', 'application/x-image']);

/**
 * Checks the content type before the body is read, so a wrong one is refused (415) without
 * waiting for the upload.
 */
export function checkContentType(contentType: string | undefined): 'json' | 'image' {
  const type = mediaType(contentType);
  if (type === 'application/json') return 'json';
  if (IMAGE_TYPES.has(type)) return 'image';
  throw new HttpError(
    415,
    `${type ? `Content-Type ${type} is not supported` : 'the request has no Content-Type'}; send application/json ({"image": "<base64>"}) or the image itself as image/jpeg or image/png`,
  );
}

/**
 * Turns a request body into an {@link Invocation}: JSON `{"image": "<base64>", "threshold"?: n}`
 * (the seed's request; a `data:` URL prefix is accepted) or the raw image. A raw image's threshold
 * may come in SageMaker's CustomAttributes header as `threshold=0.3`.
 */
export function parseInvocation(
  kind: 'json' | 'image',
  body: Buffer,
  customAttributes?: string,
): Invocation {
  if (kind === 'image') {
    if (body.length === 0)
      throw new HttpError(400, 'the request body is empty; send the image bytes');
    const threshold = thresholdFromAttributes(customAttributes);
    return { image: body, ...(threshold === undefined ? {} : { threshold }) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(
      400,
      `the body is not valid JSON (${error instanceof Error ? error.message : String(error)}); send {"image": "<base64 of a JPEG or PNG>"}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError(
      400,
      'the JSON body must be an object: {"image": "<base64 of a JPEG or PNG>"}',
    );
  const fields = parsed as Record<string, unknown>;
  if (!('image' in fields))
    throw new HttpError(
      400,
      'the JSON body has no "image" field; send {"image": "<base64 of a JPEG or PNG>"}',
    );
  const image = decodeBase64Field(fields.image);
  const threshold = fields.threshold ?? thresholdFromAttributes(customAttributes);
  if (threshold === undefined || threshold === null) return { image };
  return { image, threshold: checkThreshold(threshold, '"threshold"') };
}

function decodeBase64Field(value: unknown): Uint8Array {
  if (typeof value !== 'string')
    throw new HttpError(400, `"image" must be a base64 string, not ${describe(value)}`);
  const text = value.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (text.length === 0)
    throw new HttpError(400, '"image" is empty; send the base64 of a JPEG or PNG');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) && !/^[A-Za-z0-9_-]*={0,2}$/.test(text))
    throw new HttpError(
      400,
      '"image" is not base64 (only A-Z, a-z, 0-9, +, / and = padding may appear)',
    );
  if (text.replace(/=+$/, '').length % 4 === 1)
    throw new HttpError(
      400,
      '"image" is not valid base64 (its length is impossible for base64; was it cut short?)',
    );
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

function thresholdFromAttributes(attributes: string | undefined): number | undefined {
  if (!attributes) return undefined;
  for (const part of attributes.split(/[;,]/)) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key === 'threshold' && value !== undefined)
      return checkThreshold(value, 'the CustomAttributes threshold');
  }
  return undefined;
}

function checkThreshold(value: unknown, what: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (!isThreshold(number))
    throw new HttpError(400, `${what} must be a number from 0 to 1, not ${describe(value)}`);
  return number;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
