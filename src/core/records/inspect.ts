import { stat } from 'node:fs/promises';
import { readImageHeader } from '../../detection/imageHeader';
import { decodeExample, ExampleFormatError } from './exampleDecoder';
import { readDetectionExample, type DetectionExample } from './detection';
import type { RecordLabels } from './labels';
import { TfRecordReader } from './reader';

/**
 * What a set of TFRecord files holds, read once and streamed: per-class counts, image sizes and
 * formats, the distribution of box sizes, and every problem with the file, record index, byte
 * offset and object it is in. Memory is bounded whatever the files hold: tallies of distinct image
 * sizes and classes stop growing at a cap (the rest is counted as "other"), and problems past
 * `maxProblems` are counted, not kept.
 */
export type ProblemCode =
  | 'length-crc'
  | 'data-crc'
  | 'truncated'
  | 'too-large'
  | 'compressed'
  | 'not-an-example'
  | 'unknown-fields'
  | 'feature-kind'
  | 'no-image'
  | 'image-unreadable'
  | 'image-size-mismatch'
  | 'box-out-of-range'
  | 'box-inverted'
  | 'box-zero-area'
  | 'class-id-invalid'
  | 'class-not-in-label-map'
  | 'class-above-num-classes'
  | 'class-text-mismatch'
  | 'class-text-not-in-label-map'
  | 'missing-shard'
  | 'unreadable-file';

export interface RecordsProblem {
  readonly file: string;
  /** Record index in its file; absent for problems of a whole file. */
  readonly record?: number;
  readonly offset?: number;
  /** 0-based object (box) index in the record. */
  readonly object?: number;
  readonly code: ProblemCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface ClassCount {
  readonly label?: number;
  /** The label map's name for the id, else the records' class/text. */
  readonly name?: string;
  readonly objects: number;
  readonly images: number;
}

/** Box sides relative to the image (sqrt of the normalised area), as a histogram. */
export const BOX_SIZE_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, Infinity] as const;

export interface RecordsInspection {
  readonly files: readonly {
    readonly path: string;
    readonly records: number;
    readonly bytes: number;
  }[];
  readonly records: number;
  /** Records that decoded as tf.Example. */
  readonly examples: number;
  readonly objects: number;
  readonly imagesWithoutObjects: number;
  readonly maxObjectsPerImage: number;
  readonly classes: readonly ClassCount[];
  /** Most common first; `otherImageSizes` counts images beyond the cap on distinct sizes. */
  readonly imageSizes: readonly {
    readonly width: number;
    readonly height: number;
    readonly images: number;
  }[];
  readonly otherImageSizes: number;
  readonly formats: Readonly<Record<string, number>>;
  /** Objects per bucket of BOX_SIZE_BUCKETS: sides in [from, to), the last one open (to: null). */
  readonly boxSizes: readonly {
    readonly from: number;
    readonly to: number | null;
    readonly objects: number;
  }[];
  /** COCO's area ranges in pixels (small < 32², medium < 96², large), for boxes of images with a size. */
  readonly boxAreas: { readonly small: number; readonly medium: number; readonly large: number };
  readonly problems: readonly RecordsProblem[];
  /** Problems found beyond maxProblems (counted, not listed). */
  readonly problemsNotListed: number;
  readonly errors: number;
  readonly warnings: number;
}

export interface InspectOptions {
  readonly labels?: RecordLabels;
  readonly signal?: AbortSignal;
  readonly maxProblems?: number;
  /** Shards a pattern named that are missing (reported as problems). */
  readonly missing?: readonly string[];
  /** Called about every 100 records and at each file's end. */
  readonly onProgress?: (progress: {
    readonly records: number;
    readonly bytes: number;
    readonly totalBytes: number;
  }) => void;
}

const MAX_DISTINCT = 10_000;

/** The problems of one decoded record under the API's keys, against the label map and num_classes. */
export function checkDetectionExample(
  example: DetectionExample,
  labels: RecordLabels = {},
): Omit<RecordsProblem, 'file' | 'record' | 'offset'>[] {
  const out: Omit<RecordsProblem, 'file' | 'record' | 'offset'>[] = [];
  const error = (code: ProblemCode, message: string, object?: number) =>
    out.push({ code, severity: 'error', message, ...(object !== undefined ? { object } : {}) });
  const warning = (code: ProblemCode, message: string, object?: number) =>
    out.push({ code, severity: 'warning', message, ...(object !== undefined ? { object } : {}) });
  for (const problem of example.problems) error('feature-kind', problem);
  if (!example.encoded || example.encoded.length === 0)
    error('no-image', 'image/encoded is missing or empty: the API has no image to decode');
  else {
    try {
      const header = readImageHeader(example.encoded);
      if (
        (example.width !== undefined && example.width !== header.width) ||
        (example.height !== undefined && example.height !== header.height)
      )
        warning(
          'image-size-mismatch',
          `image/width x image/height say ${example.width ?? '?'} x ${example.height ?? '?'} but the ${header.format.toUpperCase()} is ${header.width} x ${header.height}`,
        );
    } catch (e) {
      error('image-unreadable', `image/encoded: ${(e as Error).message}`);
    }
  }
  const names = labels.labelMap?.error ? undefined : labels.labelMap?.names;
  example.objects.forEach((o, i) => {
    const coords = [o.xmin, o.ymin, o.xmax, o.ymax];
    const box = `[${coords.map((c) => (Number.isFinite(c) ? +c.toFixed(4) : String(c))).join(', ')}] (xmin, ymin, xmax, ymax)`;
    if (coords.some((c) => !(c >= 0 && c <= 1)))
      error(
        'box-out-of-range',
        `box ${box} is not within [0, 1]: boxes must be normalised by the image's width and height`,
        i,
      );
    else if (o.xmin > o.xmax || o.ymin > o.ymax)
      error('box-inverted', `box ${box} has min above max`, i);
    else if (o.xmin === o.xmax || o.ymin === o.ymax)
      warning('box-zero-area', `box ${box} has no area`, i);
    if (o.label === undefined) return;
    if (o.label < 1) {
      error(
        'class-id-invalid',
        `class/label is ${o.label}: ids start at 1 (0 is the background)`,
        i,
      );
      return;
    }
    if (names && !names.has(o.label))
      error(
        'class-not-in-label-map',
        `class/label ${o.label}${o.text ? ` ('${o.text}')` : ''} is not in the label map ${labels.labelMap?.path ?? ''}`,
        i,
      );
    // With a label map, the API's decoder takes an object's class from its class/text (looked
    // up by name or display_name, -1 when absent) before class/label.
    const textIds = labels.labelMap?.error ? undefined : labels.labelMap?.textIds;
    const textId = o.text && textIds ? textIds.get(o.text) : undefined;
    if (o.text && textIds && textId === undefined)
      error(
        'class-text-not-in-label-map',
        `class/text '${o.text}' is not a name in the label map: the API's decoder reads an object's class from its text when the config names a label map, and gives this one class -1 (it is never learned)`,
        i,
      );
    else if (textId !== undefined && textId !== o.label)
      warning(
        'class-text-mismatch',
        `class/text '${o.text ?? ''}' is id ${textId} in the label map but class/label is ${o.label}: the API's decoder uses the text's id (${textId})`,
        i,
      );
    if (labels.numClasses !== undefined && o.label > labels.numClasses)
      error(
        'class-above-num-classes',
        `class/label ${o.label} is above num_classes ${labels.numClasses}${labels.config ? ` (${labels.config})` : ''}: the model has no output for it`,
        i,
      );
  });
  return out;
}

export async function inspectRecords(
  files: readonly string[],
  options: InspectOptions = {},
): Promise<RecordsInspection> {
  const maxProblems = options.maxProblems ?? 10_000;
  const problems: RecordsProblem[] = [];
  let notListed = 0;
  let errors = 0;
  let warnings = 0;
  const report = (p: RecordsProblem) => {
    if (p.severity === 'error') errors++;
    else warnings++;
    if (problems.length < maxProblems) problems.push(p);
    else notListed++;
  };
  for (const missing of options.missing ?? [])
    report({
      file: missing,
      code: 'missing-shard',
      severity: 'error',
      message: 'this shard of the set is missing',
    });

  const sizes = new Map<number, number>();
  let totalBytes = 0;
  for (const file of files)
    totalBytes += await stat(file).then(
      (s) => s.size,
      () => 0,
    );
  const classes = new Map<
    string,
    { label?: number; text?: string; objects: number; images: number }
  >();
  let otherImageSizes = 0;
  const formats: Record<string, number> = {};
  const boxSizes = BOX_SIZE_BUCKETS.map(() => 0);
  const boxAreas = { small: 0, medium: 0, large: 0 };
  const perFile: { path: string; records: number; bytes: number }[] = [];
  let records = 0;
  let examples = 0;
  let objects = 0;
  let imagesWithoutObjects = 0;
  let maxObjectsPerImage = 0;
  let bytesBefore = 0;

  for (const file of files) {
    let reader: TfRecordReader;
    try {
      reader = await TfRecordReader.open(file);
    } catch (e) {
      report({
        file,
        code: 'unreadable-file',
        severity: 'error',
        message: `cannot be read: ${(e as Error).message}`,
      });
      continue;
    }
    let inFile = 0;
    try {
      for await (const item of reader.records(options.signal ? { signal: options.signal } : {})) {
        if ('problem' in item) {
          const { kind, index, offset, why } = item.problem;
          report({ file, record: index, offset, code: kind, severity: 'error', message: why });
          continue;
        }
        const { index, offset, data } = item.record;
        records++;
        inFile++;
        if (records % 100 === 0)
          options.onProgress?.({ records, bytes: bytesBefore + offset, totalBytes });
        const at = { file, record: index, offset };
        let decoded;
        try {
          decoded = decodeExample(data);
        } catch (e) {
          if (!(e instanceof ExampleFormatError)) throw e;
          report({
            ...at,
            code: 'not-an-example',
            severity: 'error',
            message: `not a tf.Example: ${e.message}`,
          });
          continue;
        }
        const outside = decoded.unknownFields.filter((f) => f.endsWith('in Example'));
        if (outside.length > 0 || (decoded.features.size === 0 && data.length > 0)) {
          report({
            ...at,
            code: 'not-an-example',
            severity: 'error',
            message: `not a tf.Example: it holds ${outside.join(', ') || 'no features'}${outside.includes('field 2 in Example') ? ' (a tf.SequenceExample?)' : ''}`,
          });
          continue;
        }
        if (decoded.unknownFields.length > 0)
          report({
            ...at,
            code: 'unknown-fields',
            severity: 'warning',
            message: `fields tf.Example does not define: ${decoded.unknownFields.slice(0, 5).join(', ')}`,
          });
        examples++;
        const example = readDetectionExample(decoded);
        for (const p of checkDetectionExample(example, options.labels)) report({ ...at, ...p });
        if (example.format !== undefined)
          formats[example.format] = (formats[example.format] ?? 0) + 1;
        const { width, height } = example;
        if (
          width !== undefined &&
          height !== undefined &&
          width > 0 &&
          height > 0 &&
          width < 2 ** 20 &&
          height < 2 ** 20
        ) {
          // One number per size (width * 2^20 + height) keeps the tally small.
          const key = width * 1_048_576 + height;
          if (sizes.has(key) || sizes.size < MAX_DISTINCT)
            sizes.set(key, (sizes.get(key) ?? 0) + 1);
          else otherImageSizes++;
        }
        objects += example.objects.length;
        if (example.objects.length === 0) imagesWithoutObjects++;
        maxObjectsPerImage = Math.max(maxObjectsPerImage, example.objects.length);
        const seen = new Set<string>();
        for (const o of example.objects) {
          const key = o.label !== undefined ? `#${o.label}` : `t${o.text ?? ''}`;
          let entry = classes.get(key);
          if (!entry) {
            if (classes.size >= MAX_DISTINCT) continue;
            entry = {
              ...(o.label !== undefined ? { label: o.label } : {}),
              ...(o.text ? { text: o.text } : {}),
              objects: 0,
              images: 0,
            };
            classes.set(key, entry);
          }
          entry.objects++;
          if (!seen.has(key)) entry.images++;
          seen.add(key);
          const w = o.xmax - o.xmin;
          const h = o.ymax - o.ymin;
          if (!(w > 0 && h > 0)) continue;
          const side = Math.sqrt(w * h);
          const bucket = BOX_SIZE_BUCKETS.findIndex((b) => side < b);
          boxSizes[bucket === -1 ? boxSizes.length - 1 : bucket]++;
          if (width !== undefined && height !== undefined) {
            const area = w * width * h * height;
            if (area < 32 * 32) boxAreas.small++;
            else if (area < 96 * 96) boxAreas.medium++;
            else boxAreas.large++;
          }
        }
      }
    } finally {
      await reader.close();
    }
    bytesBefore += reader.size;
    perFile.push({ path: file, records: inFile, bytes: reader.size });
    options.onProgress?.({ records, bytes: bytesBefore, totalBytes });
  }
  const names = options.labels?.labelMap?.names;
  return {
    files: perFile,
    records,
    examples,
    objects,
    imagesWithoutObjects,
    maxObjectsPerImage,
    classes: [...classes.values()]
      .sort(
        (a, b) =>
          (a.label ?? Infinity) - (b.label ?? Infinity) ||
          (a.text ?? '').localeCompare(b.text ?? ''),
      )
      .map((c) => {
        const name = (c.label !== undefined ? names?.get(c.label) : undefined) ?? c.text;
        return {
          ...(c.label !== undefined ? { label: c.label } : {}),
          ...(name !== undefined ? { name } : {}),
          objects: c.objects,
          images: c.images,
        };
      }),
    imageSizes: [...sizes]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([key, images]) => ({
        width: Math.floor(key / 1_048_576),
        height: key % 1_048_576,
        images,
      })),
    otherImageSizes,
    formats,
    boxSizes: BOX_SIZE_BUCKETS.map((to, i) => ({
      from: i === 0 ? 0 : (BOX_SIZE_BUCKETS[i - 1] as number),
      to: Number.isFinite(to) ? to : null,
      objects: boxSizes[i] as number,
    })),
    boxAreas,
    problems,
    problemsNotListed: notListed,
    errors,
    warnings,
  };
}
