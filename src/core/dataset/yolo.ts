import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { UserError } from '../errors';
import { MAX_ANNOTATION_FILE_BYTES, readBounded, TooLargeError } from './files';
import type { AnnotatedImage, AnnotatedObject, AnnotationSet, ConvertProblem } from './types';

/**
 * YOLO txt: one `<class> <cx> <cy> <w> <h>` line an object, normalised to the image, in a `.txt`
 * named like the image; the classes in `classes.txt`, `obj.names` (one a line) or `data.yaml`
 * (`names:` as a list, a flow list or an index map). Two layouts: darknet's (labels beside the
 * images, as CVAT's `obj_train_data/`) and the `images/` + `labels/` split (Ultralytics,
 * Roboflow: `images/train/x.jpg` with `labels/train/x.txt`). A line of more than four numbers is
 * a segmentation polygon and gives its enclosing box. An image without a label file is an image
 * without objects (YOLO's background images), said as a warning.
 */
const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.bmp',
  '.gif',
  '.webp',
  '.tif',
  '.tiff',
]);
const LIST_FILES = new Set([
  'classes.txt',
  'obj.names',
  'train.txt',
  'valid.txt',
  'val.txt',
  'test.txt',
  'obj.data',
  'readme.txt',
]);
const MAX_DEPTH = 6;

/** The `names` of a data.yaml: `[a, 'b']`, a block list `- a`, or a map `0: a`. */
export function yamlNames(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const unquote = (s: string) => {
    const t = s.trim();
    return /^(['"]).*\1$/.test(t) ? t.slice(1, -1).replace(/''/g, "'") : t;
  };
  for (let i = 0; i < lines.length; i++) {
    const match = /^names\s*:\s*(.*)$/.exec(lines[i] as string);
    if (!match) continue;
    const rest = (match[1] as string).replace(/\s+#.*$/, '').trim();
    if (rest.startsWith('[')) {
      let flow = rest;
      while (!flow.includes(']') && i + 1 < lines.length) flow += ` ${lines[++i] as string}`;
      const body = flow.slice(1, flow.lastIndexOf(']'));
      return (body.match(/'(?:[^']|'')*'|"[^"]*"|[^,]+/g) ?? [])
        .map(unquote)
        .filter((n) => n !== '');
    }
    const names: string[] = [];
    const indexed: [number, string][] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] as string;
      if (/^\S/.test(line)) break;
      const item = /^\s*-\s*(.*)$/.exec(line);
      const entry = /^\s*(\d+)\s*:\s*(.*)$/.exec(line);
      if (item) names.push(unquote((item[1] as string).replace(/\s+#.*$/, '')));
      else if (entry)
        indexed.push([Number(entry[1]), unquote((entry[2] as string).replace(/\s+#.*$/, ''))]);
    }
    if (indexed.length > 0) return indexed.sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    return names;
  }
  return undefined;
}

async function classList(input: string): Promise<{ names: string[]; from: string }> {
  for (const folder of [input, dirname(input)])
    for (const name of ['classes.txt', 'obj.names', 'data.yaml', 'data.yml']) {
      const path = join(folder, name);
      let text: string;
      try {
        text = (await readBounded(path, MAX_ANNOTATION_FILE_BYTES)).toString('utf8');
      } catch {
        continue;
      }
      const names = name.startsWith('data.')
        ? yamlNames(text)
        : text
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter(Boolean);
      if (names && names.length > 0) return { names, from: path };
    }
  throw new UserError(
    `no YOLO class list in ${input} or its parent`,
    'Put the class names in classes.txt or obj.names (one a line, in class-index order) or data.yaml (names: [...]).',
  );
}

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) await walk(path, depth + 1, out);
    } else if (e.isFile()) out.push(path);
  }
}

/** The label file of an image: `images/` -> `labels/` (the last such folder) in the split layout, else beside it. */
function labelFor(image: string, root: string): string[] {
  const stem = basename(image, extname(image));
  const parts = relative(root, dirname(image)).split(sep);
  const at = parts.lastIndexOf('images');
  const out = [join(dirname(image), `${stem}.txt`)];
  if (at >= 0) {
    const swapped = [...parts];
    swapped[at] = 'labels';
    out.unshift(join(root, ...swapped, `${stem}.txt`));
  }
  return out;
}

export async function readYolo(input: string, images?: string): Promise<AnnotationSet> {
  const classes = await classList(input);
  const files: string[] = [];
  await walk(input, 0, files);
  if (images && relative(input, images).startsWith('..')) await walk(images, 0, files);
  const all = new Set(files);
  const used = new Set<string>();
  const problems: ConvertProblem[] = [];
  const out: AnnotatedImage[] = [];
  for (const image of files.filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))) {
    const label = labelFor(image, input).find((l) => all.has(l));
    const objects: AnnotatedObject[] = [];
    if (!label) {
      problems.push({
        file: image,
        code: 'no-label-file',
        severity: 'warning',
        message: 'no label file: written as an image without objects',
      });
    } else {
      used.add(label);
      let text: string;
      try {
        text = (await readBounded(label, MAX_ANNOTATION_FILE_BYTES)).toString('utf8');
      } catch (e) {
        if (!(e instanceof TooLargeError)) throw e;
        problems.push({
          file: label,
          code: 'annotation-too-large',
          severity: 'error',
          message: `${e.message}; written as an image without objects`,
        });
        text = '';
      }
      const lines = text.split(/\r?\n/);
      lines.forEach((line, i) => {
        const fields = line.trim().split(/\s+/).filter(Boolean);
        if (fields.length === 0) return;
        const where = `${label}:${i + 1}`;
        const numbers = fields.map(Number);
        const index = numbers[0] as number;
        if (
          numbers.some((n) => !Number.isFinite(n)) ||
          fields.length < 5 ||
          fields.length % 2 === 0 ||
          !Number.isInteger(index)
        ) {
          problems.push({
            file: where,
            code: 'line-unreadable',
            severity: 'error',
            message: `'${line.trim()}' is not '<class> <cx> <cy> <w> <h>'; the line was skipped`,
          });
          return;
        }
        const name = classes.names[index];
        if (name === undefined) {
          problems.push({
            file: where,
            code: 'class-unknown',
            severity: 'error',
            message: `class index ${index} is beyond the ${classes.names.length} classes of ${classes.from}; the object was dropped`,
          });
          return;
        }
        if (fields.length === 5) {
          const [, cx, cy, w, h] = numbers as [number, number, number, number, number];
          objects.push({
            name,
            xmin: cx - w / 2,
            ymin: cy - h / 2,
            xmax: cx + w / 2,
            ymax: cy + h / 2,
          });
        } else {
          const xs = numbers.slice(1).filter((_, k) => k % 2 === 0);
          const ys = numbers.slice(1).filter((_, k) => k % 2 === 1);
          problems.push({
            file: where,
            code: 'polygon',
            severity: 'warning',
            message: 'a segmentation polygon: its enclosing box was written',
          });
          objects.push({
            name,
            xmin: Math.min(...xs),
            ymin: Math.min(...ys),
            xmax: Math.max(...xs),
            ymax: Math.max(...ys),
          });
        }
      });
    }
    out.push({
      source: label ?? image,
      filename: relative(images ?? input, image)
        .split(sep)
        .join('/'),
      candidates: [image],
      objects,
      normalised: true,
    });
  }
  for (const file of files)
    if (
      extname(file) === '.txt' &&
      !used.has(file) &&
      !LIST_FILES.has(basename(file).toLowerCase())
    )
      problems.push({
        file,
        code: 'image-missing',
        severity: 'error',
        message: 'a label file without its image; it was skipped',
      });
  return { format: 'yolo', images: out, classes: classes.names, problems };
}
