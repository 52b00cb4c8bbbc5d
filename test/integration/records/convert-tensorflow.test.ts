import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { convertAnnotations, type AnnotationFormat } from '../../../src/core/dataset';
import {
  cocoFixture,
  csvFixture,
  darknetFixture,
  vocFixture,
  yoloFixture,
  type Expected,
} from '../../unit/dataset/fixtures';
import { tf } from './tensorflow';

// The proof of `tfod data convert`: for each format's real-world variants, the records it writes
// are read by tf.data.TFRecordDataset, parsed with the Object Detection API's feature spec and
// their images decoded to RGB by TensorFlow, and hold exactly the source annotations: every image,
// its size, its boxes (normalised, as 32-bit floats), class names and ids, difficult flags.
const root = mkdtempSync(join(tmpdir(), 'tfod-convert-tf-'));
after(() => rmSync(root, { recursive: true, force: true }));

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('records written by tfod data convert, read by TensorFlow', () => {
  const cases: [
    string,
    AnnotationFormat,
    (dir: string) => { input: string; expected: Expected },
  ][] = [
    [
      'Pascal VOC (LabelImg, CVAT, no size)',
      'voc',
      (dir) => ({ input: dir, expected: vocFixture(dir) }),
    ],
    [
      'COCO (iscrowd, ids from 0 with gaps, palette PNG)',
      'coco',
      (dir) => {
        const { json, expected } = cocoFixture(dir);
        return { input: json, expected };
      },
    ],
    [
      'CSV (BOM, CRLF, quoted names)',
      'csv',
      (dir) => {
        const { csv, expected } = csvFixture(dir);
        return { input: csv, expected };
      },
    ],
    [
      'YOLO (images/ + labels/, data.yaml)',
      'yolo',
      (dir) => ({ input: dir, expected: yoloFixture(dir) }),
    ],
    ['YOLO (darknet, obj.names)', 'yolo', (dir) => ({ input: dir, expected: darknetFixture(dir) })],
  ];
  for (const [title, from, make] of cases)
    it(title, async () => {
      const dir = mkdtempSync(join(root, `${from}-`));
      const { input, expected } = make(dir);
      const out = join(dir, 'records');
      const result = await convertAnnotations({
        from,
        input,
        out,
        valFraction: 0.34,
        seed: 3,
        shards: 2,
      });
      assert.deepEqual(result.problems, []);
      const ids = new Map(result.classes.map((c) => [c.name, c.id]));
      const files = readdirSync(out)
        .filter((f) => /\.record-\d{5}-of-\d{5}$/.test(f))
        .map((f) => join(out, f));
      const { records, error } = tf('read', ...files) as {
        records: Record<string, unknown[]>[];
        error?: string;
      };
      assert.equal(error, undefined);
      const got: Record<string, unknown> = {};
      for (const r of records) {
        const name = decode((r['image/filename'] as string[])[0] as string);
        got[name] = {
          size: [r['image/height']?.[0], r['image/width']?.[0]],
          decoded: r.decoded_shape,
          names: (r['image/object/class/text'] as string[]).map(decode),
          labels: r['image/object/class/label'],
          boxes: ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => r[`image/object/bbox/${k}`]),
          difficult: r['image/object/difficult'],
        };
      }
      const want = Object.fromEntries(
        Object.entries(expected).map(([name, image]) => [
          name,
          {
            size: [image.height, image.width],
            decoded: [image.height, image.width, 3],
            names: image.boxes.map((b) => b.name),
            labels: image.boxes.map((b) => ids.get(b.name)),
            boxes: (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((k) =>
              image.boxes.map((b) => Math.fround(b[k])),
            ),
            difficult: image.boxes.some((b) => b.difficult !== undefined)
              ? image.boxes.map((b) => (b.difficult ? 1 : 0))
              : [],
          },
        ]),
      );
      assert.deepEqual(got, want);
      assert.equal(records.length, result.images.train + result.images.validation);
    });
});
