/** How a file is cut into multipart-upload parts, and which parts of an earlier try to keep. */

export const MiB = 1024 * 1024;
/** S3's smallest part (all but the last) and its largest part count. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PARTS = 10_000;
export const DEFAULT_PART_SIZE = 8 * MiB;

export interface PartRange {
  /** 1-based, as S3 numbers parts. */
  readonly partNumber: number;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * The part size for a file: the requested size, raised to S3's minimum and, for files that would
 * need more than 10,000 parts, to the next whole MiB that fits.
 */
export function partSizeFor(fileSize: number, requested: number = DEFAULT_PART_SIZE): number {
  let size = Math.max(requested, MIN_PART_SIZE);
  if (Math.ceil(fileSize / size) > MAX_PARTS) size = Math.ceil(fileSize / MAX_PARTS / MiB) * MiB;
  return size;
}

export function partRanges(fileSize: number, partSize: number): PartRange[] {
  const parts: PartRange[] = [];
  for (let start = 0, n = 1; start < fileSize || n === 1; start += partSize, n++) {
    parts.push({ partNumber: n, start, end: Math.min(fileSize, start + partSize) });
    if (fileSize === 0) break;
  }
  return parts;
}

/** A part S3 already holds for an interrupted upload (ListParts). */
export interface ListedPart {
  readonly partNumber: number;
  readonly size: number;
  /** The part's ETag without quotes: the MD5 of its bytes for plain (non-KMS) uploads. */
  readonly etag: string;
  /** Checksum fields ListParts returned, passed back in CompleteMultipartUpload as they are. */
  readonly checksums?: Readonly<Record<string, string>>;
}

/**
 * Whether an interrupted upload was cut the same way as this one: every listed part must sit where
 * this layout puts a part of that number and have its size. A different part size (changed
 * setting, changed file length) makes the upload useless; it is aborted and started over.
 */
export function sameLayout(listed: readonly ListedPart[], layout: readonly PartRange[]): boolean {
  return listed.every((part) => {
    const planned = layout[part.partNumber - 1];
    return planned !== undefined && planned.end - planned.start === part.size;
  });
}

/** Strips the quotes S3 puts around ETags. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/"/g, '');
}
