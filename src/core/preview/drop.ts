import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { UserError } from '../errors';
import { MAX_DROPPED_FILE_BYTES, MAX_DROPPED_IMAGES, PREVIEW_IMAGE_NAME } from './protocol';

// What the host does with images dropped on the preview, free of 'vscode': the Explorer's URI
// lists and the bytes of files dropped from the desktop (which exist on the user's machine only,
// e.g. in a browser-hosted VS Code). Dropped bytes are kept content-addressed in the extension's
// storage so that the panel restores them after a reload like any other image.

/**
 * A dropped file's name made safe for the file system: no folders, letters and digits of any
 * script kept, other characters replaced, never hidden, and an image's extension never lost.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const extension = /\.(png|jpe?g)$/i.exec(base)?.[0] ?? '';
  const clean = base
    .replace(/[^\p{L}\p{N}._\- ]/gu, '_')
    .replace(/^\.+/, '')
    .slice(-100);
  if (clean.length === 0 || clean.toLowerCase() === extension.slice(1).toLowerCase())
    return `dropped-image${extension}`;
  return clean;
}

/**
 * Writes dropped bytes under `root` at a path derived from their content (the same picture
 * dropped twice is one file) and returns that path. Refuses what is not named as an image or is
 * too large, saying which file and why.
 */
export async function storeDroppedFile(
  root: string,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  if (!PREVIEW_IMAGE_NAME.test(name))
    throw new UserError(
      `${safeFileName(name)} is not a PNG or JPEG image`,
      'Drop .png, .jpg or .jpeg files',
    );
  if (bytes.length > MAX_DROPPED_FILE_BYTES)
    throw new UserError(
      `${safeFileName(name)} is ${(bytes.length / 2 ** 20).toFixed(0)} MiB, over the ${MAX_DROPPED_FILE_BYTES / 2 ** 20} MiB a dropped image may have`,
      'Open the image from the workspace instead (Preview Detections in the Explorer), or shrink it',
    );
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const folder = join(root, digest);
  const path = join(folder, safeFileName(name));
  await mkdir(folder, { recursive: true });
  await writeFile(path, bytes);
  // Dropped again: it is fresh again for pruning.
  const now = new Date();
  await utimes(folder, now, now);
  return path;
}

/**
 * Removes dropped files older than `maxAgeMs` that the panel no longer shows. Best effort: what
 * cannot be read or removed stays for the next time.
 */
export async function pruneDroppedFiles(
  root: string,
  inUse: readonly string[],
  maxAgeMs: number,
  now = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  const folders = await readdir(root).catch(() => [] as string[]);
  for (const name of folders) {
    const folder = join(root, name);
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory() || now - info.mtimeMs < maxAgeMs) continue;
    if (inUse.some((path) => isInside(folder, path))) continue;
    await rm(folder, { recursive: true, force: true }).then(
      () => removed.push(folder),
      () => undefined,
    );
  }
  return removed;
}

/** Refreshes a dropped file's folder so that pruning sees it as in use. Best effort. */
export async function touchDroppedFile(root: string, path: string): Promise<void> {
  if (!isInside(root, path)) return;
  const [folder, ...rest] = relative(root, path).split(sep);
  if (!folder || rest.length === 0) return;
  const now = new Date();
  await utimes(join(root, folder), now, now).catch(() => undefined);
}

/** A resource dropped by reference, as the host sees it. */
export interface DroppedResource {
  /** What the user dropped, for messages. */
  readonly name: string;
  /** The path this process reads it at, when it is a file here inside the workspace. */
  readonly path?: string;
  /** Another file system's resource inside the workspace: its bytes, read on demand. */
  readonly read?: () => Promise<Uint8Array>;
}

/** The images a drop adds, and a line for each item refused (which, and why). */
export interface DropOutcome {
  readonly paths: string[];
  readonly refused: string[];
}

/** Whether `path` is `folder` or inside it. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Resolves resources dropped by reference into image paths: an image file as it is, a folder as
 * the images directly in it (sorted by name), a resource of another file system stored under
 * `root` by its bytes. At most MAX_DROPPED_IMAGES images per drop; what is cut off is said.
 * Resources without a path or reader are outside the workspace and refused as such (the webview
 * does not get to probe the disk).
 */
export async function resolveDroppedResources(
  resources: readonly DroppedResource[],
  root: string,
): Promise<DropOutcome> {
  const paths: string[] = [];
  const refused: string[] = [];
  const room = () => MAX_DROPPED_IMAGES - paths.length;
  let skipped = 0;
  for (const resource of resources) {
    try {
      if (resource.path) {
        const info = await stat(resource.path).catch(() => undefined);
        if (!info) refused.push(`${resource.name} does not exist`);
        else if (info.isDirectory()) {
          const names = (await readdir(resource.path, { withFileTypes: true }))
            .filter((e) => e.isFile() && PREVIEW_IMAGE_NAME.test(e.name))
            .map((e) => e.name)
            .sort((a, b) => a.localeCompare(b));
          if (names.length === 0)
            refused.push(
              `the folder ${resource.name} has no PNG or JPEG images (subfolders are not read)`,
            );
          const taken = names.slice(0, Math.max(0, room()));
          skipped += names.length - taken.length;
          paths.push(...taken.map((n) => join(resource.path!, n)));
        } else if (!PREVIEW_IMAGE_NAME.test(resource.path))
          refused.push(`${resource.name} is not a PNG or JPEG image`);
        else if (room() > 0) paths.push(resource.path);
        else skipped++;
      } else if (resource.read) {
        if (!PREVIEW_IMAGE_NAME.test(resource.name))
          refused.push(`${resource.name} is not a PNG or JPEG image`);
        else if (room() > 0)
          paths.push(await storeDroppedFile(root, resource.name, await resource.read()));
        else skipped++;
      } else refused.push(`${resource.name} is not in the workspace`);
    } catch (error) {
      refused.push(
        error instanceof UserError
          ? error.message
          : `${resource.name} cannot be read: ${String(error instanceof Error ? error.message : error)}`,
      );
    }
  }
  if (skipped > 0)
    refused.push(
      `${skipped} more image${skipped === 1 ? '' : 's'} left out: a drop adds at most ${MAX_DROPPED_IMAGES}`,
    );
  return { paths: [...new Set(paths)], refused };
}
