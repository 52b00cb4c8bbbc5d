import type { CocoBox, GroundTruthObject } from '../../detection/evaluation';
import type { Prediction } from '../../detection';
import type { DecodedExample, DetectionExample } from '../records';

/** Extra per-object keys COCO-converted records carry (create_coco_tf_record.py). */
const AREA_KEY = 'image/object/area';
const CROWD_KEY = 'image/object/is_crowd';

/** One record's image as evaluation sees it. */
export interface RecordTruth {
  readonly objects: GroundTruthObject[];
  /** What could not be used, in words (an object without a class id, a list of the wrong length). */
  readonly problems: string[];
}

/**
 * The ground truth of one tf.Example in pixels of a `width` x `height` image: boxes from the
 * normalised image/object/bbox lists, classes from image/object/class/label, areas from
 * image/object/area when every object has one (else width * height), crowd regions from
 * image/object/is_crowd.
 */
export function groundTruthOf(
  decoded: DecodedExample,
  example: DetectionExample,
  width: number,
  height: number,
): RecordTruth {
  const problems = [...example.problems];
  const count = example.objects.length;
  const areaFeature = decoded.features.get(AREA_KEY);
  const areas = areaFeature && 'floats' in areaFeature ? areaFeature.floats : undefined;
  if (areas && areas.length !== count && areas.length > 0)
    problems.push(
      `${AREA_KEY} has ${areas.length} values for ${count} boxes; width * height is used`,
    );
  const crowdFeature = decoded.features.get(CROWD_KEY);
  const crowds = crowdFeature && 'int64s' in crowdFeature ? crowdFeature.int64s : undefined;
  if (crowds && crowds.length !== count && crowds.length > 0)
    problems.push(`${CROWD_KEY} has ${crowds.length} values for ${count} boxes; none is a crowd`);
  const objects: GroundTruthObject[] = [];
  example.objects.forEach((object, i) => {
    const { xmin, ymin, xmax, ymax, label } = object;
    if (label === undefined || !Number.isFinite(label)) {
      problems.push(`object ${i} has no image/object/class/label; it is left out`);
      return;
    }
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) {
      problems.push(`object ${i} has no complete box; it is left out`);
      return;
    }
    objects.push({
      categoryId: label,
      bbox: pixelBox(xmin, ymin, xmax, ymax, width, height),
      ...(areas && areas.length === count ? { area: areas[i]! } : {}),
      ...(crowds && crowds.length === count && crowds[i] !== 0n ? { iscrowd: true } : {}),
    });
  });
  return { objects, problems };
}

/** A normalised [xmin, ymin, xmax, ymax] box as COCO's [x, y, width, height] in pixels. */
export function pixelBox(
  xmin: number,
  ymin: number,
  xmax: number,
  ymax: number,
  width: number,
  height: number,
): CocoBox {
  return [xmin * width, ymin * height, (xmax - xmin) * width, (ymax - ymin) * height];
}

/** A prediction ([class, score, xmin, ymin, xmax, ymax], normalised) in COCO's pixel terms. */
export function detectionOf(prediction: Prediction, width: number, height: number) {
  const [categoryId, score, xmin, ymin, xmax, ymax] = prediction;
  return { categoryId, score, bbox: pixelBox(xmin, ymin, xmax, ymax, width, height) };
}

/** A record's image id: its image/source_id when that is an integer, else its index. */
export function imageIdOf(sourceId: string | undefined, index: number): number {
  if (sourceId !== undefined && /^-?\d{1,15}$/.test(sourceId.trim()))
    return Number(sourceId.trim());
  return index;
}
