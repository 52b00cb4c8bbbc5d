import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { AnnotationFormat } from './types';

/**
 * The annotation format a path most likely holds, for the palette to propose (and the user to
 * confirm): a .json file is COCO, a .csv file CSV; a folder with *.xml (or Annotations/) is VOC,
 * one with a YOLO class list (classes.txt, obj.names, data.yaml) is YOLO, one with a single .json
 * or .csv file is that file's format.
 */
export function detectAnnotationFormat(
  path: string,
): { format: AnnotationFormat; input: string } | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined;
  }
  if (stats.isFile()) {
    const ext = extname(path).toLowerCase();
    if (ext === '.json') return { format: 'coco', input: path };
    if (ext === '.csv') return { format: 'csv', input: path };
    return undefined;
  }
  const names = readdirSync(path);
  const lower = names.map((n) => n.toLowerCase());
  if (lower.some((n) => n.endsWith('.xml')) || names.includes('Annotations'))
    return { format: 'voc', input: path };
  if (['classes.txt', 'obj.names', 'data.yaml', 'data.yml'].some((n) => lower.includes(n)))
    return { format: 'yolo', input: path };
  const json = names.filter((n) => n.toLowerCase().endsWith('.json'));
  if (json.length === 1) {
    const file = join(path, json[0] as string);
    try {
      const fd = openSync(file, 'r');
      const buffer = Buffer.alloc(1 << 20);
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      closeSync(fd);
      const head = buffer.toString('utf8', 0, length);
      if (head.includes('"annotations"') || head.includes('"images"'))
        return { format: 'coco', input: file };
    } catch {
      return undefined;
    }
  }
  const csv = names.filter((n) => n.toLowerCase().endsWith('.csv'));
  if (csv.length === 1) return { format: 'csv', input: join(path, csv[0] as string) };
  return undefined;
}
