import { mkdir, open, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readImageHeader, sniffImageFormat } from '../../detection/imageHeader';
import { quoteString } from '../../textproto';
import { CancelledError, UserError } from '../errors';
import {
  encodeDetectionExampleParts,
  findRecordLabels,
  shardName,
  tfRecordFrameParts,
  type DetectionObject,
  type EncodedParts,
} from '../records';
import { seededRandom } from '../sample/shapes';
import { readCoco } from './coco';
import { readCsv } from './csv';
import { jpegOrientation } from './exif';
import { MAX_IMAGE_FILE_BYTES } from './files';
import { ImageFileReader, type LoadedImage } from './imageFiles';
import { splitImages } from './split';
import type { AnnotatedImage, AnnotationFormat, AnnotationSet, ConvertProblem } from './types';
import { readVoc } from './voc';
import { readYolo } from './yolo';

export interface ConvertOptions {
  readonly from: AnnotationFormat;
  /** The annotation folder (VOC, YOLO) or file (COCO JSON, CSV). */
  readonly input: string;
  readonly out: string;
  readonly images?: string;
  /** A label map to take ids from and check the classes against; else one is written. */
  readonly labelMap?: string;
  /** Share of images for validation (default 0.2). */
  readonly valFraction?: number;
  /** Training shards (default: one per 1,000 images); validation gets the same images per shard. */
  readonly shards?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly images: number; readonly total: number }) => void;
  /**
   * Worker threads reading the images (default: env TFOD_CONVERT_THREADS, else one per CPU up to
   * four); 0 reads them on the calling thread.
   */
  readonly threads?: number;
}

export interface ConvertedClass {
  readonly id: number;
  readonly name: string;
  readonly train: number;
  readonly validation: number;
}

export interface ConvertResult {
  readonly format: AnnotationFormat;
  /** Images written to each split, and images skipped (each with a problem). */
  readonly images: {
    readonly train: number;
    readonly validation: number;
    readonly skipped: number;
  };
  readonly objects: {
    readonly written: number;
    readonly clipped: number;
    readonly dropped: number;
  };
  readonly classes: readonly ConvertedClass[];
  /** Files written into `out` (names). */
  readonly files: readonly string[];
  readonly labelMap: { readonly path: string; readonly written: boolean };
  /** input_path values for a pipeline config. */
  readonly inputPaths: { readonly train: string; readonly validation?: string };
  readonly problems: readonly ConvertProblem[];
  readonly errors: number;
  readonly warnings: number;
}

const IMAGES_PER_SHARD = 1000;
const MAX_SHARDS = 10_000;

async function readAnnotations(options: ConvertOptions): Promise<AnnotationSet> {
  try {
    switch (options.from) {
      case 'voc':
        return await readVoc(options.input, options.images);
      case 'coco':
        return await readCoco(options.input, options.images);
      case 'csv':
        return await readCsv(options.input, options.images);
      case 'yolo':
        return await readYolo(options.input, options.images);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UserError(
        `${options.input} does not exist`,
        'Give the annotation folder (VOC, YOLO) or file (COCO JSON, CSV).',
      );
    if (code === 'ENOTDIR')
      throw new UserError(
        `${options.input} is a file; --from ${options.from} reads a folder`,
        'Give the folder of the annotation files.',
      );
    if (code === 'EISDIR')
      throw new UserError(
        `${options.input} is a folder; --from ${options.from} reads one file`,
        'Give the annotation file itself.',
      );
    throw e;
  }
}

function labelMapText(names: readonly string[]): string {
  return names
    .map((name, i) => `item {\n  id: ${i + 1}\n  name: ${quoteString(name, "'")}\n}\n`)
    .join('');
}

/**
 * Bytes of records gathered before they are written (one writev; each write is a hand-off to
 * another thread and back, so fewer is cheaper), and queued before `write` waits for the file.
 */
const WRITE_BATCH = 1 << 20;
const WRITE_HIGH_WATER = 4 << 20;

/**
 * Where each split's records go, and the shard being written. Records are queued as their pieces
 * (the image bytes referenced, never copied) and go out a MiB or so at a time, one writev each;
 * while one is written the next gather. Each record's `written` callback runs once its bytes are
 * in the file, when its image's buffer can be used again. A failed write is thrown by the next
 * `write` or by `close`.
 */
class ShardedWriter {
  private file: FileHandle | undefined;
  private shard = -1;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private callbacks: (() => void)[] = [];
  /** The round being written, if one is. */
  private writing: Promise<void> | undefined;
  private failure: unknown;
  readonly names: string[];

  constructor(
    private readonly dir: string,
    prefix: string,
    private readonly shards: number,
    private readonly total: number,
  ) {
    this.names = Array.from({ length: shards }, (_, i) => shardName(prefix, i, shards));
  }

  /** Queues the `index`-th record of the split (contiguous ranges go to one shard). */
  async write(index: number, record: EncodedParts, written?: () => void): Promise<void> {
    const shard = Math.min(
      this.shards - 1,
      Math.floor((index * this.shards) / Math.max(1, this.total)),
    );
    while (this.shard < shard) await this.next();
    if (this.failure !== undefined) throw this.failure;
    for (const part of tfRecordFrameParts(record)) this.queue.push(part);
    this.queuedBytes += record.length + 16;
    if (written) this.callbacks.push(written);
    if (this.queuedBytes >= WRITE_BATCH) this.writing ??= this.drain();
    if (this.queuedBytes >= WRITE_HIGH_WATER) await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Ends the last shard and writes the empty ones left (a split with fewer images than shards). */
  async close(): Promise<void> {
    while (this.shard < this.shards - 1) await this.next();
    await this.end();
  }

  /** Writes rounds until nothing is queued; a failure is kept for the next `write` or `close`. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        const parts = this.queue;
        const bytes = this.queuedBytes;
        const callbacks = this.callbacks;
        this.queue = [];
        this.queuedBytes = 0;
        this.callbacks = [];
        const { bytesWritten } = await (this.file as FileHandle).writev(parts);
        // The file system wrote part and then failed (a full disk): what follows would be lost.
        if (bytesWritten !== bytes)
          throw new Error(
            `${this.names[this.shard]}: ${bytesWritten} of ${bytes} bytes were written (is the disk full?)`,
          );
        for (const callback of callbacks) callback();
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.writing = undefined;
    }
  }

  private async next(): Promise<void> {
    await this.end();
    this.shard++;
    this.file = await open(join(this.dir, this.names[this.shard] as string), 'w');
  }

  private async end(): Promise<void> {
    if (this.queue.length > 0) this.writing ??= this.drain();
    while (this.writing) await this.writing;
    const file = this.file;
    this.file = undefined;
    if (this.failure !== undefined) {
      await file?.close().catch(() => undefined);
      throw this.failure;
    }
    await file?.close();
  }

  /** Ends the open shard (its folder is removed after); errors then are of no interest. */
  async abort(): Promise<void> {
    await this.end().catch(() => undefined);
  }
}

/**
 * Converts annotations to the API's TFRecords: train.record-NNNNN-of-MMMMM and validation.record-...
 * with label_map.pbtxt, in `out`. Images are read one at a time and stored byte for byte (JPEG
 * and PNG); boxes are normalised, clipped or dropped with a problem each; everything goes into a
 * temporary folder inside `out` and is renamed into place only when all of it is written, so an
 * interrupted or failed run leaves no file that looks complete.
 */
export async function convertAnnotations(options: ConvertOptions): Promise<ConvertResult> {
  const fraction = options.valFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1))
    throw new UserError(`--val-fraction ${fraction} is not in [0, 1)`, 'Give a share such as 0.2.');
  // The reading threads start now, while the annotations are read.
  const reader = new ImageFileReader(MAX_IMAGE_FILE_BYTES, options.threads ?? envThreads());
  try {
    return await convertWith(reader, options, fraction);
  } finally {
    await reader.close();
  }
}

async function convertWith(
  reader: ImageFileReader,
  options: ConvertOptions,
  fraction: number,
): Promise<ConvertResult> {
  const set = await readAnnotations(options);
  const problems: ConvertProblem[] = [...set.problems];
  const problem = (
    file: string,
    code: string,
    severity: 'error' | 'warning',
    message: string,
    object?: number,
  ) =>
    problems.push({ file, code, severity, message, ...(object !== undefined ? { object } : {}) });

  // Classes and their ids: the given label map's, else the format's list, else sorted names.
  let ids: Map<string, number>;
  let classNames: string[];
  let labelMapPath = join(options.out, 'label_map.pbtxt');
  if (options.labelMap) {
    const labels = findRecordLabels([], { labelMap: options.labelMap }).labelMap;
    if (!labels || labels.error)
      throw new UserError(
        `the label map ${options.labelMap} cannot be used: ${labels?.error ?? 'it cannot be read'}`,
        'Fix it (tfod validate shows where), or leave --label-map out to write one.',
      );
    ids = new Map([...labels.names].filter(([id]) => id > 0).map(([id, name]) => [name, id]));
    classNames = [...labels.names]
      .filter(([id]) => id > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([, n]) => n);
    labelMapPath = labels.path;
  } else {
    classNames = set.classes
      ? [...set.classes]
      : [...new Set(set.images.flatMap((i) => i.objects.map((o) => o.name)))].sort();
    ids = new Map(classNames.map((name, i) => [name, i + 1]));
  }

  // The split, from the annotations alone; then each split in a seeded order.
  const inValidation = splitImages(
    set.images.map((i) => i.objects.map((o) => o.name).filter((n) => ids.has(n))),
    fraction,
    options.seed ?? 1,
  );
  const random = seededRandom((options.seed ?? 1) ^ 0x5eed);
  const order = (validation: boolean) => {
    const list = set.images.filter((_, i) => inValidation[i] === validation);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j] as AnnotatedImage, list[i] as AnnotatedImage];
    }
    return list;
  };
  const splits = [
    { name: 'train', images: order(false) },
    { name: 'validation', images: order(true) },
  ].filter((s) => s.name === 'train' || s.images.length > 0);
  const trainCount = (splits[0] as { images: AnnotatedImage[] }).images.length;
  const trainShards = Math.min(
    MAX_SHARDS,
    Math.max(1, options.shards ?? Math.ceil(trainCount / IMAGES_PER_SHARD)),
  );
  const perShard = Math.max(1, Math.ceil(trainCount / trainShards));

  await mkdir(options.out, { recursive: true });
  const temp = join(options.out, `.tfod-convert-${process.pid}-${Date.now()}`);
  await mkdir(temp);
  const seen = new Map<string, string>();
  const counts = new Map<string, { train: number; validation: number }>();
  const written = { train: 0, validation: 0 };
  let skipped = 0;
  const objects = { written: 0, clipped: 0, dropped: 0 };
  const files: string[] = [];
  let done = 0;
  const total = set.images.length;
  try {
    for (const split of splits) {
      const shards =
        split.name === 'train'
          ? trainShards
          : Math.min(MAX_SHARDS, Math.max(1, Math.ceil(split.images.length / perShard)));
      const writer = new ShardedWriter(temp, `${split.name}.record`, shards, split.images.length);
      let index = 0;
      try {
        const ahead: Promise<LoadedImage>[] = [];
        for (const [at, image] of split.images.entries()) {
          if (options.signal?.aborted) throw new CancelledError();
          // Reads go out a batch at a time (one message to a reading thread), enough of them
          // ahead to keep every thread busy while this one builds and writes records.
          const { batch, ahead: most } = readAhead(reader.threads);
          while (ahead.length + batch <= most && at + ahead.length < split.images.length) {
            const from = at + ahead.length;
            const next = split.images.slice(from, from + batch).map((i) => i.candidates);
            ahead.push(...reader.readMany(next));
          }
          const loaded = await (ahead.shift() as Promise<LoadedImage>);
          const record = convertImage(image, loaded, { ids, seen, problem, objects });
          done++;
          options.onProgress?.({ images: done, total });
          // The image's buffer goes back to the reader once nothing needs it: at once for an
          // image skipped, after its record reached the file for one written.
          const release = () => {
            if ('bytes' in loaded) reader.release(loaded.bytes);
          };
          if (!record) {
            release();
            skipped++;
            continue;
          }
          await writer.write(index++, record.bytes, release);
          for (const name of record.classes) {
            const c = counts.get(name) ?? { train: 0, validation: 0 };
            c[split.name as 'train' | 'validation']++;
            counts.set(name, c);
          }
          written[split.name as 'train' | 'validation']++;
        }
        await writer.close();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      files.push(...writer.names);
    }
    if (!options.labelMap) {
      await writeFile(join(temp, 'label_map.pbtxt'), labelMapText(classNames));
      files.push('label_map.pbtxt');
    }
    // Earlier runs' shards with another count would be read along by a `-?????-of-` pattern only
    // when they match it; they are named so the user can remove them.
    const existing = await readdir(options.out);
    for (const name of existing)
      if (/^(train|validation)\.record-\d+-of-\d+$/.test(name) && !files.includes(name))
        problem(
          join(options.out, name),
          'stale-shard',
          'warning',
          'a shard of an earlier conversion with another shard count; remove it so it is not taken for part of this set',
        );
    for (const name of files) await rename(join(temp, name), join(options.out, name));
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const validationSplit = splits.find((s) => s.name === 'validation');
  const pattern = (name: string) =>
    files.find((f) => f.startsWith(`${name}.record-`))?.replace(/-\d+-of-/, '-?????-of-');
  return {
    format: set.format,
    images: { ...written, skipped },
    objects,
    classes: classNames.map((name) => ({
      id: ids.get(name) as number,
      name,
      ...(counts.get(name) ?? { train: 0, validation: 0 }),
    })),
    files,
    labelMap: { path: labelMapPath, written: !options.labelMap },
    inputPaths: {
      train: pattern('train') as string,
      ...(validationSplit ? { validation: pattern('validation') as string } : {}),
    },
    problems,
    errors,
    warnings: problems.length - errors,
  };
}

interface ImageContext {
  readonly ids: ReadonlyMap<string, number>;
  readonly seen: Map<string, string>;
  readonly problem: (
    file: string,
    code: string,
    severity: 'error' | 'warning',
    message: string,
    object?: number,
  ) => void;
  readonly objects: { written: number; clipped: number; dropped: number };
}

const OTHER_FORMATS: [string, (b: Buffer) => boolean][] = [
  ['GIF', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  [
    'WebP',
    (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  ],
  ['BMP', (b) => b.subarray(0, 2).toString('latin1') === 'BM'],
  ['TIFF', (b) => ['II*\0', 'MM\0*'].includes(b.subarray(0, 4).toString('latin1'))],
];

/** TFOD_CONVERT_THREADS when it is a whole number, else undefined (the reader's default). */
function envThreads(): number | undefined {
  const value = process.env.TFOD_CONVERT_THREADS?.trim();
  if (!value) return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 0 || threads > 64)
    throw new UserError(
      `TFOD_CONVERT_THREADS=${value} is not a number of threads from 0 to 64`,
      'Set it to 0 (no worker threads) or a small whole number, or unset it',
    );
  return threads;
}

/**
 * Images asked for in one request, and most images read ahead of the one being converted (bounded
 * memory, hidden waits): with reading threads, a batch of four for each thread and one more;
 * without, four, each read on its own.
 */
function readAhead(threads: number): { batch: number; ahead: number } {
  return threads > 0 ? { batch: 4, ahead: 4 * (threads + 1) } : { batch: 1, ahead: 5 };
}

/** One image's tf.Example, or undefined when it is skipped (with its problem said). */
function convertImage(
  image: AnnotatedImage,
  loaded: LoadedImage,
  ctx: ImageContext,
): { bytes: EncodedParts; classes: string[] } | undefined {
  const { problem } = ctx;
  if ('unreadable' in loaded) {
    problem(
      image.source,
      'image-unreadable',
      'error',
      `${loaded.unreadable}; the image was skipped`,
    );
    ctx.objects.dropped += image.objects.length;
    return undefined;
  }
  if ('missing' in loaded) {
    problem(
      image.source,
      'image-missing',
      'error',
      `the image ${image.filename} is not there (looked for ${image.candidates.join(', ')}); give --images DIR where it is`,
    );
    ctx.objects.dropped += image.objects.length;
    return undefined;
  }
  const { bytes, path, sha256 } = loaded;
  const skip = (code: string, message: string) => {
    problem(image.source, code, 'error', `${path}: ${message}; the image was skipped`);
    ctx.objects.dropped += image.objects.length;
    return undefined;
  };
  const format = sniffImageFormat(bytes);
  if (!format) {
    const other = OTHER_FORMATS.find(([, is]) => is(bytes as Buffer))?.[0];
    return skip(
      'image-format',
      other
        ? `a ${other} image, which the API's decoder does not read: convert it to JPEG or PNG`
        : 'not a JPEG or PNG image',
    );
  }
  let header;
  try {
    header = readImageHeader(bytes);
  } catch (e) {
    return skip('image-unreadable', (e as Error).message);
  }
  const first = ctx.seen.get(sha256);
  if (first) {
    problem(
      image.source,
      'duplicate-image',
      'warning',
      `${path} has the same bytes as ${first}; it was written once`,
    );
    ctx.objects.dropped += image.objects.length;
    return undefined;
  }
  ctx.seen.set(sha256, path);
  const orientation = format === 'jpeg' ? jpegOrientation(bytes) : 1;
  const turned = orientation >= 5;
  if (orientation !== 1)
    problem(
      image.source,
      'exif-orientation',
      'warning',
      `${path} has EXIF orientation ${orientation}: TensorFlow ignores it and sees the stored pixels${
        turned && image.width === header.height && image.height === header.width
          ? ', but the annotation has the turned size, so its boxes were drawn on the turned image and do not fit; re-save the image with its pixels turned (e.g. exiftran -ai) and annotate again'
          : '; check that the boxes fit the image as stored'
      }`,
    );
  const width = image.width ?? header.width;
  const height = image.height ?? header.height;
  if (
    (image.width !== undefined && image.width !== header.width) ||
    (image.height !== undefined && image.height !== header.height)
  )
    problem(
      image.source,
      'size-mismatch',
      'warning',
      `the annotation says ${image.width ?? '?'} x ${image.height ?? '?'} but ${path} is ${header.width} x ${header.height}; boxes were normalised by the annotation's size`,
    );
  const boxes: DetectionObject[] = [];
  const classes: string[] = [];
  image.objects.forEach((o, i) => {
    const drop = (why: string) => {
      problem(image.source, 'box-dropped', 'error', `${o.name} ${why}; the object was dropped`, i);
      ctx.objects.dropped++;
    };
    const id = ctx.ids.get(o.name);
    if (id === undefined) {
      problem(
        image.source,
        'class-not-in-label-map',
        'error',
        `class '${o.name}' is not in the label map; the object was dropped`,
        i,
      );
      ctx.objects.dropped++;
      return;
    }
    const [sx, sy] = image.normalised ? [1, 1] : [width, height];
    let xmin = o.xmin / sx;
    let ymin = o.ymin / sy;
    let xmax = o.xmax / sx;
    let ymax = o.ymax / sy;
    const box = `[${[o.xmin, o.ymin, o.xmax, o.ymax].join(', ')}]`;
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite))
      return drop(`box ${box} has a coordinate that is not a number`);
    if (xmin > xmax || ymin > ymax) return drop(`box ${box} is inverted (min above max)`);
    if (xmin === xmax || ymin === ymax) return drop(`box ${box} has zero area`);
    if (xmax <= 0 || ymax <= 0 || xmin >= 1 || ymin >= 1)
      return drop(`box ${box} is outside the image`);
    if (xmin < 0 || ymin < 0 || xmax > 1 || ymax > 1) {
      [xmin, ymin, xmax, ymax] = [
        Math.max(0, xmin),
        Math.max(0, ymin),
        Math.min(1, xmax),
        Math.min(1, ymax),
      ];
      problem(
        image.source,
        'box-clipped',
        'warning',
        `${o.name} box ${box} reaches outside the ${image.normalised ? 'image' : `${width} x ${height} image`}; it was clipped to it`,
        i,
      );
      ctx.objects.clipped++;
    }
    boxes.push({
      xmin,
      ymin,
      xmax,
      ymax,
      text: o.name,
      label: id,
      ...(o.difficult !== undefined ? { difficult: o.difficult } : {}),
      ...(o.truncated !== undefined ? { truncated: o.truncated } : {}),
      ...(o.view !== undefined ? { view: o.view } : {}),
    });
    classes.push(o.name);
  });
  ctx.objects.written += boxes.length;
  return {
    bytes: encodeDetectionExampleParts({
      encoded: bytes,
      format,
      height: header.height,
      width: header.width,
      filename: image.filename,
      sourceId: image.filename,
      sha256,
      objects: boxes,
    }),
    classes: [...new Set(classes)],
  };
}
