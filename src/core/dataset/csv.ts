import { stat } from 'node:fs/promises';
import { readBounded } from './files';
import { dirname, join } from 'node:path';
import { UserError } from '../errors';
import type { AnnotatedImage, AnnotatedObject, AnnotationSet, ConvertProblem } from './types';

/**
 * The CSV of the tutorials' generate_tfrecord.py: `filename,width,height,class,xmin,ymin,xmax,ymax`,
 * one row an object, in any column order (found by the header, any case), comma-separated with
 * RFC 4180 quotes (a quoted name may hold commas, quotes doubled), LF or CRLF line ends, a UTF-8
 * byte-order mark allowed. A row with an empty class is an image without objects. Rows of one
 * image need not be adjacent. Images are looked for in `--images`, beside the CSV and in `images/`.
 */
export const CSV_COLUMNS = [
  'filename',
  'width',
  'height',
  'class',
  'xmin',
  'ymin',
  'xmax',
  'ymax',
] as const;

/** The largest CSV read (its rows are held while converting; the images never are). */
export const MAX_CSV_BYTES = 1 << 30;

/** RFC 4180 rows with the 1-based line each starts on. */
export function parseCsv(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ cells, line: rowLine });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

export async function readCsv(input: string, images?: string): Promise<AnnotationSet> {
  const size = (await stat(input)).size;
  if (size > MAX_CSV_BYTES)
    throw new UserError(
      `${input} is ${size} bytes, over the ${MAX_CSV_BYTES}-byte limit for a CSV file`,
      'Split it and convert each part.',
    );
  const rows = parseCsv((await readBounded(input, MAX_CSV_BYTES)).toString('utf8'));
  const header = rows.shift();
  const columns = new Map(header?.cells.map((name, i) => [name.trim().toLowerCase(), i]) ?? []);
  const missing = CSV_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0)
    throw new UserError(
      `${input} has no column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in its header line`,
      `Its first line must name the columns ${CSV_COLUMNS.join(',')} (any order).`,
    );
  const col = (row: string[], name: (typeof CSV_COLUMNS)[number]) =>
    (row[columns.get(name) as number] ?? '').trim();
  const problems: ConvertProblem[] = [];
  const byName = new Map<
    string,
    { source: string; width: number; height: number; objects: AnnotatedObject[] }
  >();
  const folder = dirname(input);
  for (const { cells, line } of rows) {
    const filename = col(cells, 'filename');
    const where = `${input}:${line}`;
    if (!filename) {
      problems.push({
        file: where,
        code: 'row-unreadable',
        severity: 'error',
        message: 'the row has no filename; it was skipped',
      });
      continue;
    }
    const width = Number(col(cells, 'width'));
    const height = Number(col(cells, 'height'));
    let image = byName.get(filename);
    if (!image) {
      image = { source: where, width, height, objects: [] };
      byName.set(filename, image);
    } else if ((width !== image.width || height !== image.height) && width > 0 && height > 0)
      problems.push({
        file: where,
        code: 'size-disagrees',
        severity: 'warning',
        message: `${filename} is ${width} x ${height} here but ${image.width} x ${image.height} on ${image.source}; the first is used`,
      });
    const name = col(cells, 'class');
    if (!name) continue;
    image.objects.push({
      name,
      xmin: Number(col(cells, 'xmin')),
      ymin: Number(col(cells, 'ymin')),
      xmax: Number(col(cells, 'xmax')),
      ymax: Number(col(cells, 'ymax')),
    });
  }
  const out: AnnotatedImage[] = [...byName].map(([filename, image]) => ({
    source: image.source,
    filename,
    candidates: [
      ...(images ? [join(images, filename)] : []),
      join(folder, filename),
      join(folder, 'images', filename),
    ],
    ...(image.width > 0 ? { width: image.width } : {}),
    ...(image.height > 0 ? { height: image.height } : {}),
    objects: image.objects,
  }));
  return { format: 'csv', images: out, problems };
}
