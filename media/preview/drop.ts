import {
  MAX_DROPPED_FILE_BYTES,
  MAX_DROPPED_IMAGES,
  parseUriList,
  PREVIEW_IMAGE_NAME,
  type DroppedFile,
} from '../../src/core/preview/protocol';
import { t } from '../common/l10n';

// Dropping images on the preview. Files from the desktop arrive as File objects, whose bytes the
// webview reads and sends (in a browser-hosted VS Code they exist only on the user's machine);
// resources from VS Code's Explorer arrive as a URI list (VS Code lets them through to a webview
// while Shift is held), which the host resolves itself.

/** The MIME types that carry a URI list: VS Code's own first, then the standard one. */
const URI_LIST_TYPES = ['application/vnd.code.uri-list', 'text/uri-list'] as const;
/** VS Code's Explorer also puts its resources as a JSON array of URIs under this type. */
const RESOURCE_URLS = 'ResourceURLs';

export type Dropped =
  | { readonly kind: 'files'; readonly files: readonly File[] }
  | { readonly kind: 'uris'; readonly uris: readonly string[] };

/** Whether a drag carries something the panel takes (only the types are readable mid-drag). */
export function carriesDroppable(types: readonly string[]): boolean {
  // DataTransfer lower-cases the types it was given, except the browser's own 'Files'.
  const accepted = ['files', RESOURCE_URLS.toLowerCase(), ...URI_LIST_TYPES];
  return types.some((type) => accepted.includes(type.toLowerCase()));
}

/** The part of a DataTransfer a drop is read from. */
export interface DropData {
  readonly files: ArrayLike<File>;
  getData(type: string): string;
}

/** What a drop carries: files if any (their bytes are exact), else the URIs. */
export function readDrop(transfer: DropData): Dropped | undefined {
  const files = Array.from(transfer.files);
  if (files.length > 0) return { kind: 'files', files };
  for (const type of URI_LIST_TYPES) {
    const uris = parseUriList(transfer.getData(type));
    if (uris.length > 0) return { kind: 'uris', uris };
  }
  try {
    const parsed: unknown = JSON.parse(transfer.getData(RESOURCE_URLS) || '[]');
    const uris = Array.isArray(parsed)
      ? parsed.filter((u): u is string => typeof u === 'string')
      : [];
    if (uris.length > 0) return { kind: 'uris', uris };
  } catch {
    // Not JSON: nothing usable under that type.
  }
  return undefined;
}

/**
 * Splits dropped files into those to send and those refused here, with the reason: not named as
 * an image, or too large to send in a message.
 */
export function sortDroppedFiles(files: readonly File[]): { send: File[]; refused: string[] } {
  const send: File[] = [];
  const refused: string[] = [];
  let over = 0;
  for (const file of files) {
    if (send.length >= MAX_DROPPED_IMAGES) over++;
    else if (!PREVIEW_IMAGE_NAME.test(file.name))
      refused.push(t('{0} is not a PNG or JPEG image', file.name));
    else if (file.size > MAX_DROPPED_FILE_BYTES)
      refused.push(
        t(
          '{0} is {1} MiB, over the {2} MiB a dropped image may have',
          file.name,
          (file.size / 2 ** 20).toFixed(0),
          MAX_DROPPED_FILE_BYTES / 2 ** 20,
        ),
      );
    else send.push(file);
  }
  if (over > 0)
    refused.push(
      over === 1
        ? t('1 more file left out: a drop adds at most {0}', MAX_DROPPED_IMAGES)
        : t('{0} more files left out: a drop adds at most {1}', over, MAX_DROPPED_IMAGES),
    );
  return { send, refused };
}

/** A file's bytes as base64, for the message to the host. */
export async function readAsBase64(file: File): Promise<DroppedFile> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In slices: spreading a whole large file into one call would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { name: file.name, base64: btoa(binary) };
}
