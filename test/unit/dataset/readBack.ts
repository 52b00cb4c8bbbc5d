import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeExample, readDetectionExample, readTfRecordFile } from '../../../src/core/records';
import type { Expected } from './fixtures';

/** What the records in `dir` hold, per image file name, in the fixtures' terms (boxes as float32). */
export async function readBack(
  dir: string,
): Promise<{ images: Expected; split: Record<string, string>; encoded: Record<string, Buffer> }> {
  const images: Record<string, Expected[string]> = {};
  const split: Record<string, string> = {};
  const encoded: Record<string, Buffer> = {};
  for (const name of readdirSync(dir)
    .filter((n) => /\.record-\d+-of-\d+$/.test(n))
    .sort()) {
    for await (const item of readTfRecordFile(join(dir, name))) {
      if (!('record' in item)) throw new Error(item.problem.message);
      const view = readDetectionExample(decodeExample(item.record.data));
      if (view.problems.length) throw new Error(view.problems.join('; '));
      const key = view.filename as string;
      images[key] = {
        width: view.width as number,
        height: view.height as number,
        boxes: view.objects.map((o) => ({
          name: o.text as string,
          xmin: o.xmin,
          ymin: o.ymin,
          xmax: o.xmax,
          ymax: o.ymax,
          ...(o.difficult !== undefined ? { difficult: o.difficult } : {}),
        })),
      };
      split[key] = name.split('.')[0] as string;
      encoded[key] = Buffer.from(view.encoded as Buffer);
    }
  }
  return { images, split, encoded };
}

/** Expected boxes as the records store them (32-bit floats). */
export function asFloat32(expected: Expected): Expected {
  return Object.fromEntries(
    Object.entries(expected).map(([k, v]) => [
      k,
      {
        ...v,
        boxes: v.boxes.map((b) => ({
          ...b,
          xmin: Math.fround(b.xmin),
          ymin: Math.fround(b.ymin),
          xmax: Math.fround(b.xmax),
          ymax: Math.fround(b.ymax),
        })),
      },
    ]),
  );
}
