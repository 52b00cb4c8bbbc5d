import { encodeExampleParts, type EncodedParts, type FeatureValue } from './example';
import type { DecodedExample, DecodedFeature } from './exampleDecoder';

/**
 * The tf.Example of one image as the Object Detection API's TfExampleDecoder reads it
 * (object_detection/data_decoders/tf_example_decoder.py): the feature keys, their list kinds, and
 * a typed view of them. Boxes are normalised to [0, 1] of the image, labels are label map ids
 * (1-based; 0 is the background).
 */
export const DETECTION_KEYS = {
  encoded: 'image/encoded',
  format: 'image/format',
  height: 'image/height',
  width: 'image/width',
  filename: 'image/filename',
  sourceId: 'image/source_id',
  sha256: 'image/key/sha256',
  xmin: 'image/object/bbox/xmin',
  ymin: 'image/object/bbox/ymin',
  xmax: 'image/object/bbox/xmax',
  ymax: 'image/object/bbox/ymax',
  text: 'image/object/class/text',
  label: 'image/object/class/label',
  difficult: 'image/object/difficult',
  truncated: 'image/object/truncated',
  view: 'image/object/view',
} as const;

type Kind = 'bytes' | 'floats' | 'int64s';

/** The list kind the API's decoder parses each key as; another kind fails its parse. */
export const DETECTION_KEY_KINDS: Readonly<Record<keyof typeof DETECTION_KEYS, Kind>> = {
  encoded: 'bytes',
  format: 'bytes',
  height: 'int64s',
  width: 'int64s',
  filename: 'bytes',
  sourceId: 'bytes',
  sha256: 'bytes',
  xmin: 'floats',
  ymin: 'floats',
  xmax: 'floats',
  ymax: 'floats',
  text: 'bytes',
  label: 'int64s',
  difficult: 'int64s',
  truncated: 'int64s',
  view: 'bytes',
};

export interface DetectionObject {
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  readonly text?: string;
  readonly label?: number;
  readonly difficult?: boolean;
  readonly truncated?: boolean;
  readonly view?: string;
}

export interface DetectionExample {
  readonly encoded?: Buffer;
  readonly format?: string;
  readonly height?: number;
  readonly width?: number;
  readonly filename?: string;
  readonly sourceId?: string;
  readonly sha256?: string;
  readonly objects: readonly DetectionObject[];
  /** What the API's decoder would reject or misread: a key of the wrong kind, lists of unequal length. */
  readonly problems: readonly string[];
}

function kindOf(feature: DecodedFeature): Kind {
  return 'bytes' in feature ? 'bytes' : 'floats' in feature ? 'floats' : 'int64s';
}

const KIND_NAMES: Record<Kind, string> = {
  bytes: 'a bytes_list',
  floats: 'a float_list',
  int64s: 'an int64_list',
};

/** The typed view of a decoded tf.Example under the API's keys. */
export function readDetectionExample(example: DecodedExample): DetectionExample {
  const problems: string[] = [];
  const list = <K extends Kind>(name: keyof typeof DETECTION_KEYS, kind: K) => {
    const key = DETECTION_KEYS[name];
    const feature = example.features.get(key);
    if (!feature) return undefined;
    if (kindOf(feature) !== kind) {
      problems.push(
        `${key} is ${KIND_NAMES[kindOf(feature)]}; the API's decoder reads it as ${KIND_NAMES[kind]} and fails`,
      );
      return undefined;
    }
    return (feature as Record<K, readonly unknown[]>)[kind];
  };
  const bytes = (name: keyof typeof DETECTION_KEYS) =>
    list(name, 'bytes') as readonly Buffer[] | undefined;
  const floats = (name: keyof typeof DETECTION_KEYS) =>
    list(name, 'floats') as readonly number[] | undefined;
  const ints = (name: keyof typeof DETECTION_KEYS) =>
    (list(name, 'int64s') as readonly bigint[] | undefined)?.map((n) => Number(n));
  const one = <T>(
    name: keyof typeof DETECTION_KEYS,
    values: readonly T[] | undefined,
  ): T | undefined => {
    if (values && values.length > 1)
      problems.push(`${DETECTION_KEYS[name]} holds ${values.length} values; it should hold one`);
    return values?.[0];
  };
  const text = (b: Buffer | undefined) => b?.toString('utf8');

  const xmin = floats('xmin') ?? [];
  const ymin = floats('ymin') ?? [];
  const xmax = floats('xmax') ?? [];
  const ymax = floats('ymax') ?? [];
  const texts = bytes('text');
  const labels = ints('label');
  const difficult = ints('difficult');
  const truncated = ints('truncated');
  const views = bytes('view');
  const count = xmin.length;
  for (const [name, values] of [
    ['ymin', ymin],
    ['xmax', xmax],
    ['ymax', ymax],
    ['text', texts],
    ['label', labels],
    ['difficult', difficult],
    ['truncated', truncated],
    ['view', views],
  ] as const)
    if (
      values &&
      values.length !== count &&
      !(values.length === 0 && name !== 'ymin' && name !== 'xmax' && name !== 'ymax')
    )
      problems.push(
        `${DETECTION_KEYS[name]} has ${values.length} values but there are ${count} boxes (image/object/bbox/xmin)`,
      );
  const objects: DetectionObject[] = [];
  for (let i = 0; i < count; i++)
    objects.push({
      xmin: xmin[i] as number,
      ymin: ymin[i] ?? Number.NaN,
      xmax: xmax[i] ?? Number.NaN,
      ymax: ymax[i] ?? Number.NaN,
      ...(texts?.[i] !== undefined ? { text: text(texts[i]) } : {}),
      ...(labels?.[i] !== undefined ? { label: labels[i] } : {}),
      ...(difficult?.[i] !== undefined ? { difficult: difficult[i] !== 0 } : {}),
      ...(truncated?.[i] !== undefined ? { truncated: truncated[i] !== 0 } : {}),
      ...(views?.[i] !== undefined ? { view: text(views[i]) } : {}),
    });
  const result = {
    encoded: one('encoded', bytes('encoded')),
    format: text(one('format', bytes('format'))),
    height: one('height', ints('height')),
    width: one('width', ints('width')),
    filename: text(one('filename', bytes('filename'))),
    sourceId: text(one('sourceId', bytes('sourceId'))),
    sha256: text(one('sha256', bytes('sha256'))),
  };
  const present = Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
  return { ...present, objects, problems };
}

export interface DetectionExampleInput {
  readonly encoded: Uint8Array;
  readonly format: 'jpeg' | 'png';
  readonly height: number;
  readonly width: number;
  readonly filename: string;
  readonly sourceId: string;
  readonly sha256?: string;
  readonly objects: readonly DetectionObject[];
}

/** Serializes one image's tf.Example under the API's keys (difficult, truncated and view only when some object has them). */
export function encodeDetectionExample(input: DetectionExampleInput): Buffer {
  const { parts, length } = encodeDetectionExampleParts(input);
  return Buffer.concat(parts, length);
}

/** The same as pieces, the image bytes referenced rather than copied (for tfRecordFrameParts). */
export function encodeDetectionExampleParts(input: DetectionExampleInput): EncodedParts {
  const o = input.objects;
  const features: Record<string, FeatureValue> = {
    [DETECTION_KEYS.encoded]: { bytes: [input.encoded] },
    [DETECTION_KEYS.format]: { bytes: [input.format] },
    [DETECTION_KEYS.height]: { int64s: [input.height] },
    [DETECTION_KEYS.width]: { int64s: [input.width] },
    [DETECTION_KEYS.filename]: { bytes: [input.filename] },
    [DETECTION_KEYS.sourceId]: { bytes: [input.sourceId] },
    [DETECTION_KEYS.xmin]: { floats: o.map((b) => b.xmin) },
    [DETECTION_KEYS.ymin]: { floats: o.map((b) => b.ymin) },
    [DETECTION_KEYS.xmax]: { floats: o.map((b) => b.xmax) },
    [DETECTION_KEYS.ymax]: { floats: o.map((b) => b.ymax) },
  };
  if (input.sha256 !== undefined) features[DETECTION_KEYS.sha256] = { bytes: [input.sha256] };
  features[DETECTION_KEYS.text] = { bytes: o.map((b) => b.text ?? '') };
  features[DETECTION_KEYS.label] = { int64s: o.map((b) => b.label ?? 0) };
  if (o.some((b) => b.difficult !== undefined))
    features[DETECTION_KEYS.difficult] = { int64s: o.map((b) => (b.difficult ? 1 : 0)) };
  if (o.some((b) => b.truncated !== undefined))
    features[DETECTION_KEYS.truncated] = { int64s: o.map((b) => (b.truncated ? 1 : 0)) };
  if (o.some((b) => b.view !== undefined))
    features[DETECTION_KEYS.view] = { bytes: o.map((b) => b.view ?? '') };
  return encodeExampleParts(features);
}
