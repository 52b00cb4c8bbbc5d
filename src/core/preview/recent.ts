import { isPreviewSource, type PreviewSource } from './protocol';

// The sources the detection preview ran on lately, newest first, offered first in its source
// picker. Kept in the workspace's state by the extension (a Memento): model paths, local
// endpoint URLs and SageMaker endpoint names only. Never credentials: a URL that carries a user
// name, a password or a query (where tokens travel) is not remembered.

export interface RecentSource {
  readonly source: PreviewSource;
  /** Where a downloaded model came from (a SageMaker job's s3:// model), shown instead of its cache path. */
  readonly from?: string;
}

/** How many sources the picker offers first. */
export const MAX_RECENT_SOURCES = 5;

/** Whether `source` may be written to the workspace's state. */
export function isRememberable(source: PreviewSource): boolean {
  if (source.kind !== 'url') return true;
  try {
    const url = new URL(source.url);
    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** Two entries name the same source. */
export function sameSource(a: PreviewSource, b: PreviewSource): boolean {
  if (a.kind === 'model' && b.kind === 'model') return a.path === b.path;
  if (a.kind === 'url' && b.kind === 'url') return a.url === b.url;
  if (a.kind === 'sagemaker' && b.kind === 'sagemaker') return a.endpoint === b.endpoint;
  return false;
}

/**
 * `recent` with `entry` first (moved up when it was there, keeping where it came from unless
 * `entry` says), at most MAX_RECENT_SOURCES long.
 */
export function rememberSource(
  recent: readonly RecentSource[],
  entry: RecentSource,
): RecentSource[] {
  if (!isRememberable(entry.source)) return [...recent];
  const others = recent.filter((r) => !sameSource(r.source, entry.source));
  const from = entry.from ?? recent.find((r) => sameSource(r.source, entry.source))?.from;
  const kept: RecentSource = from ? { source: entry.source, from } : { source: entry.source };
  return [kept, ...others].slice(0, MAX_RECENT_SOURCES);
}

/**
 * The list as read back from storage: anything that is not a well-formed entry (an older format,
 * a hand-edited file), or a source that should not have been kept, is dropped.
 */
export function readRecentSources(stored: unknown): RecentSource[] {
  if (!Array.isArray(stored)) return [];
  const entries: RecentSource[] = [];
  for (const item of stored as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { source, from } = item as { source?: unknown; from?: unknown };
    if (!isPreviewSource(source) || !isRememberable(source)) continue;
    if (from !== undefined && typeof from !== 'string') continue;
    if (entries.some((e) => sameSource(e.source, source))) continue;
    entries.push(from ? { source, from } : { source });
  }
  return entries.slice(0, MAX_RECENT_SOURCES);
}
