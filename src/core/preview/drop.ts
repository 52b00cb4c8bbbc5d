import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors';
import { MAX_DROPPED_FILE_BYTES, PREVIEW_IMAGE_NAME } from './protocol';

// What the host does with images dropped on the preview, free of 'vscode': the Explorer's URI
// lists and the bytes of files dropped from the desktop (which exist on the user's machine only,
// e.g. in a browser-hosted VS Code). Dropped bytes are kept content-addressed in the extension's
// storage so that the panel restores them after a reload like any other image.

/** A dropped file's name made safe for the file system: no folders, no odd characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^\w.\- ]/g, '_')
    .replace(/^\.+/, '')
    .slice(-100);
  return clean.length > 0 ? clean : 'dropped-image';
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
    if (inUse.some((path) => path.startsWith(folder + '/') || path.startsWith(folder + '\\')))
      continue;
    await rm(folder, { recursive: true, force: true }).then(
      () => removed.push(folder),
      () => undefined,
    );
  }
  return removed;
}
