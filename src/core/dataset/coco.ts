import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';
import type { AnnotatedImage, AnnotatedObject, AnnotationSet, ConvertProblem } from './types';

/** The largest COCO file read (its annotations are held while converting; pixels never are). */
export const MAX_COCO_JSON_BYTES = 1 << 30;

interface CocoImage {
  id: number | string;
  file_name: string;
  width?: number;
  height?: number;
}
interface CocoAnnotation {
  image_id: number | string;
  category_id: number;
  bbox?: number[];
  iscrowd?: number;
}

/**
 * COCO instances JSON (`images`, `annotations` with `bbox` as [x, y, width, height] in pixels,
 * `categories`). Category ids may start anywhere (0, or 1 with gaps): classes are listed in id
 * order and get the API's ids 1..N. `iscrowd` annotations are kept and marked `difficult` (what
 * the API's create_coco_tf_record calls is_crowd; its evaluator ignores them as VOC's difficult).
 * Images are looked for in `--images`, beside the JSON, and in `images/` beside it.
 */
export async function readCoco(input: string, images?: string): Promise<AnnotationSet> {
  const size = (await stat(input)).size;
  if (size > MAX_COCO_JSON_BYTES)
    throw new UserError(
      `${input} is ${size} bytes, over the ${MAX_COCO_JSON_BYTES}-byte limit for a COCO file`,
      'Split it (one file per subset) and convert each.',
    );
  let json: {
    images?: CocoImage[];
    annotations?: CocoAnnotation[];
    categories?: { id: number; name: string }[];
  };
  try {
    json = JSON.parse(await readFile(input, 'utf8')) as typeof json;
  } catch (e) {
    throw new UserError(
      `${input} is not JSON: ${(e as Error).message}`,
      'Give the COCO instances file (instances_*.json / _annotations.coco.json).',
    );
  }
  if (
    !Array.isArray(json.images) ||
    !Array.isArray(json.annotations) ||
    !Array.isArray(json.categories)
  )
    throw new UserError(
      `${input} is not a COCO instances file: it lacks images, annotations or categories`,
      'Give the instances JSON (with "images", "annotations" and "categories").',
    );
  const problems: ConvertProblem[] = [];
  const categories = [...json.categories].sort((a, b) => a.id - b.id);
  const names = new Map(categories.map((c) => [c.id, String(c.name)]));
  const byImage = new Map<string, AnnotatedObject[]>();
  json.annotations.forEach((a, i) => {
    const name = names.get(a.category_id);
    const where = `${input}: annotations[${i}]`;
    if (name === undefined) {
      problems.push({
        file: where,
        code: 'class-unknown',
        severity: 'error',
        message: `category_id ${a.category_id} is not in categories; the object was dropped`,
      });
      return;
    }
    if (!Array.isArray(a.bbox) || a.bbox.length !== 4) {
      problems.push({
        file: where,
        code: 'box-missing',
        severity: 'error',
        message: 'no bbox [x, y, width, height]; the object was dropped',
      });
      return;
    }
    const [x, y, w, h] = a.bbox.map(Number) as [number, number, number, number];
    const key = String(a.image_id);
    const list = byImage.get(key) ?? [];
    list.push({
      name,
      xmin: x,
      ymin: y,
      xmax: x + w,
      ymax: y + h,
      ...(a.iscrowd ? { difficult: true } : {}),
    });
    byImage.set(key, list);
  });
  const folder = dirname(input);
  const out: AnnotatedImage[] = json.images.map((image) => ({
    source: `${input}: image ${image.id}`,
    filename: image.file_name,
    candidates: [
      ...(images ? [join(images, image.file_name)] : []),
      join(folder, image.file_name),
      join(folder, 'images', image.file_name),
    ],
    ...(Number(image.width) > 0 ? { width: Number(image.width) } : {}),
    ...(Number(image.height) > 0 ? { height: Number(image.height) } : {}),
    objects: byImage.get(String(image.id)) ?? [],
  }));
  const known = new Set(json.images.map((i) => String(i.id)));
  for (const id of byImage.keys())
    if (!known.has(id))
      problems.push({
        file: input,
        code: 'image-unknown',
        severity: 'error',
        message: `annotations name image_id ${id}, which is not in images; they were dropped`,
      });
  return { format: 'coco', images: out, classes: categories.map((c) => String(c.name)), problems };
}
