import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MAX_ANNOTATION_FILE_BYTES, readBounded, TooLargeError } from './files';
import type { AnnotatedImage, AnnotatedObject, AnnotationSet, ConvertProblem } from './types';
import { child, childText, parseXml } from './xml';

/**
 * Pascal VOC XML, one file an image (LabelImg, CVAT, the VOC devkit): `<filename>`, `<path>`,
 * `<size>` (often missing or 0 in exports), `<object>` with `<name>`, `<pose>`, `<truncated>`,
 * `<difficult>`, `<bndbox>` in pixels (integers or, from CVAT, decimals). Boxes are normalised as
 * the API's create_pascal_tf_record does (divided by the size, no 1-based shift). `input` is the
 * folder of XML files, or a VOC root holding `Annotations/`; images are looked for in `--images`,
 * beside the XML, in `../JPEGImages/` and at `<path>`.
 */
export async function readVoc(input: string, images?: string): Promise<AnnotationSet> {
  let folder = input;
  const names = await readdir(input);
  if (!names.some((n) => n.toLowerCase().endsWith('.xml')) && names.includes('Annotations'))
    folder = join(input, 'Annotations');
  const files = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
  const out: AnnotatedImage[] = [];
  const problems: ConvertProblem[] = [];
  for (const name of files) {
    const path = join(folder, name);
    let text: string;
    try {
      text = (await readBounded(path, MAX_ANNOTATION_FILE_BYTES)).toString('utf8');
    } catch (e) {
      if (!(e instanceof TooLargeError)) throw e;
      problems.push({
        file: path,
        code: 'annotation-too-large',
        severity: 'error',
        message: `${e.message}; the file was skipped`,
      });
      continue;
    }
    const parsed = parseXml(text);
    const root = parsed.root;
    if (parsed.error || root?.name !== 'annotation') {
      problems.push({
        file: path,
        code: 'annotation-unreadable',
        severity: 'error',
        message: `not a VOC annotation (${parsed.error ?? `its root is <${root?.name ?? ''}>, not <annotation>`}); the file was skipped`,
      });
      continue;
    }
    const filename =
      childText(root, 'filename') ||
      basename(childText(root, 'path') ?? '') ||
      name.replace(/\.xml$/i, '.jpg');
    const size = child(root, 'size');
    const width = Number(childText(size, 'width'));
    const height = Number(childText(size, 'height'));
    const objects: AnnotatedObject[] = [];
    for (const object of root.children.filter((c) => c.name === 'object')) {
      const box = child(object, 'bndbox');
      const flag = (tag: string) => {
        const text = childText(object, tag);
        return text === undefined ? undefined : text === '1' || text.toLowerCase() === 'true';
      };
      const difficult = flag('difficult');
      const truncated = flag('truncated');
      const pose = childText(object, 'pose');
      objects.push({
        name: childText(object, 'name') ?? '',
        xmin: Number(childText(box, 'xmin')),
        ymin: Number(childText(box, 'ymin')),
        xmax: Number(childText(box, 'xmax')),
        ymax: Number(childText(box, 'ymax')),
        ...(difficult !== undefined ? { difficult } : {}),
        ...(truncated !== undefined ? { truncated } : {}),
        ...(pose !== undefined ? { view: pose } : {}),
      });
    }
    const candidates = [
      ...(images ? [join(images, filename)] : []),
      join(folder, filename),
      join(dirname(folder), 'JPEGImages', filename),
      ...(childText(root, 'path') ? [childText(root, 'path') as string] : []),
    ];
    out.push({
      source: path,
      filename,
      candidates,
      ...(width > 0 ? { width } : {}),
      ...(height > 0 ? { height } : {}),
      objects,
    });
  }
  if (files.length === 0)
    problems.push({
      file: folder,
      code: 'no-annotations',
      severity: 'error',
      message: 'no *.xml files: give the folder of the VOC XML files',
    });
  return { format: 'voc', images: out, problems };
}
