import { decodeImage, type Prediction, type RgbaImage } from '../../detection';
import {
  CocoEvaluator,
  ConfusionAccumulator,
  type CocoEvaluation,
  type ConfusionMatrix,
  type DetectedObject,
  type ImageVerdict,
} from '../../detection/evaluation';
import { CancelledError, UserError } from '../errors';
import {
  decodeExample,
  readDetectionExample,
  TfRecordReader,
  type DetectionExample,
} from '../records';
import { detectionOf, groundTruthOf, imageIdOf } from './groundTruth';

/** The detections of one record's image, in COCO's terms (pixels), for a results file. */
export interface ImageDetections {
  readonly imageId: number;
  readonly detections: readonly DetectedObject[];
}

export interface EvaluateRecordsOptions {
  /** TFRecord files of tf.Example records (the Object Detection API's keys), in order. */
  readonly files: readonly string[];
  /**
   * The model: detections on one image, any score (the metrics need the weak ones too); `encoded`
   * is the record's image file, for an endpoint.
   */
  readonly detect: (
    image: RgbaImage,
    signal: AbortSignal,
    encoded: Uint8Array,
  ) => Promise<Prediction[]>;
  /** Images detected at once (an endpoint serves several; the in-process model runs one). */
  readonly concurrency?: number;
  /** The classes evaluated (the label map's ids); default every class that appears. */
  readonly categoryIds?: Iterable<number>;
  /** Score a detection needs to count in the confusion matrix and the per-image errors. */
  readonly threshold: number;
  readonly signal?: AbortSignal;
  /** After each record; `total` is known once the files' headers are counted. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly onImage?: (image: ImageDetections) => void | Promise<void>;
  /** A record, or an object in one, that could not be used (the message names which). */
  readonly onProblem?: (message: string) => void;
}

/** An image with mistakes, its boxes judged, and where its record is (to show the image). */
export interface WorstImage extends ImageVerdict {
  readonly file: string;
  /** Byte offset of the record's frame in `file`, and its index there. */
  readonly offset: number;
  readonly record: number;
  readonly width: number;
  readonly height: number;
  /** Position among all the records read (orders images with as many mistakes). */
  readonly index: number;
}

/** How many of the images with the most mistakes are kept with their boxes. */
export const WORST_KEPT = 24;

const mistakes = (v: ImageVerdict) => v.misses + v.wrongClass + v.falsePositives;

export interface RecordsEvaluation {
  readonly coco: CocoEvaluation;
  readonly confusion: ConfusionMatrix;
  /** Records evaluated. */
  readonly images: number;
  /** Records that could not be read or decoded, left out of the metrics. */
  readonly skipped: number;
  /** The images with the most mistakes at the threshold, worst first (at most WORST_KEPT). */
  readonly worst: readonly WorstImage[];
}

/**
 * Runs a model over validation TFRecords and computes the COCO metrics and a confusion matrix,
 * one record at a time: memory holds one record and image, and the metrics' compact per-image
 * results. A damaged record or an image that does not decode is reported and left out; a
 * cancelled signal stops between records (and a detection in flight) with CancelledError.
 */
export async function evaluateRecords(options: EvaluateRecordsOptions): Promise<RecordsEvaluation> {
  const signal = options.signal ?? new AbortController().signal;
  const categories = options.categoryIds ? [...options.categoryIds] : undefined;
  const coco = new CocoEvaluator(categories);
  const confusion = new ConfusionAccumulator(options.threshold, 0.5, categories);
  const problem = options.onProblem ?? (() => undefined);
  const total = await countRecords(options.files, signal);
  /** image id -> where it came from, to name both records when two share an id. */
  const origins = new Map<number, string>();
  let index = 0;
  let skipped = 0;
  let done = 0;
  const worst: WorstImage[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 1);
  /** Detections in flight; a record is read only when there is room, so memory stays bounded. */
  const inFlight = new Set<Promise<void>>();
  try {
    for (const file of options.files) {
      const reader = await openRecords(file);
      try {
        for await (const item of reader.records({ signal })) {
          if (signal.aborted) throw new CancelledError();
          if ('problem' in item) {
            problem(`${file}: ${item.problem.message}; left out`);
            skipped++;
            if (!item.problem.resumed) break;
            continue;
          }
          const at = `${file} record ${item.record.index}`;
          const recordIndex = index++;
          let example: DetectionExample;
          let decoded;
          try {
            decoded = decodeExample(item.record.data);
            example = readDetectionExample(decoded);
          } catch (error) {
            problem(`${at}: not a tf.Example (${(error as Error).message}); left out`);
            skipped++;
            continue;
          }
          if (!example.encoded) {
            problem(`${at}: has no image/encoded; left out`);
            skipped++;
            continue;
          }
          let image: RgbaImage;
          try {
            image = decodeImage(example.encoded);
          } catch (error) {
            problem(`${at}: its image does not decode (${(error as Error).message}); left out`);
            skipped++;
            continue;
          }
          const imageId = imageIdOf(example.sourceId, recordIndex);
          const seen = origins.get(imageId);
          if (seen !== undefined)
            throw new UserError(
              `${at} has image id ${imageId}, as ${seen} does (image/source_id, or the record's index when that is not an integer)`,
              'Give every record its own image/source_id',
            );
          origins.set(imageId, at);
          const truth = groundTruthOf(decoded, example, image.width, image.height);
          for (const message of truth.problems) problem(`${at}: ${message}`);
          const encoded = example.encoded;
          const offset = item.record.offset;
          const record = item.record.index;
          const task = (async () => {
            const predictions = await options.detect(image, signal, encoded);
            const detections = predictions.map((p) => detectionOf(p, image.width, image.height));
            coco.addImage(imageId, truth.objects, detections);
            const verdict = confusion.addImage(imageId, truth.objects, detections);
            keepWorst(worst, {
              ...verdict,
              file,
              offset,
              record,
              width: image.width,
              height: image.height,
              index: recordIndex,
            });
            await options.onImage?.({ imageId, detections });
            done++;
            options.onProgress?.(done, total);
          })();
          inFlight.add(task);
          const settle = () => inFlight.delete(task);
          task.then(settle, settle);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
        }
      } finally {
        await reader.close();
      }
    }
    await Promise.all(inFlight);
  } catch (error) {
    // Nothing may still write once this returns (the caller closes the results file).
    await Promise.allSettled(inFlight);
    if (signal.aborted) throw new CancelledError();
    throw error;
  }
  if (signal.aborted) throw new CancelledError();
  if (done === 0)
    throw new UserError(
      `no image could be evaluated in ${options.files.join(', ')}`,
      skipped ? 'See the problems above' : 'The files hold no records',
    );
  return { coco: coco.evaluate(), confusion: confusion.result(), images: done, skipped, worst };
}

/**
 * Keeps `list` the WORST_KEPT images with the most mistakes, worst first, in record order on ties
 * (whatever order concurrent detections finish in).
 */
function keepWorst(list: WorstImage[], image: WorstImage): void {
  if (mistakes(image) === 0) return;
  const before = (a: WorstImage, b: WorstImage) =>
    mistakes(a) > mistakes(b) || (mistakes(a) === mistakes(b) && a.index < b.index);
  if (list.length === WORST_KEPT && !before(image, list[list.length - 1]!)) return;
  let at = list.length;
  while (at > 0 && before(image, list[at - 1]!)) at--;
  list.splice(at, 0, image);
  if (list.length > WORST_KEPT) list.pop();
}

async function openRecords(file: string): Promise<TfRecordReader> {
  try {
    return await TfRecordReader.open(file);
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}

/** Records in all files, from their frame headers only (for progress). */
async function countRecords(files: readonly string[], signal: AbortSignal): Promise<number> {
  let count = 0;
  for (const file of files) {
    const reader = await openRecords(file);
    try {
      for await (const item of reader.scan({ signal })) if (!('problem' in item)) count++;
    } finally {
      await reader.close();
    }
  }
  return count;
}
