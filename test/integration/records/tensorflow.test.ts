import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decodeExample,
  encodeDetectionExample,
  readDetectionExample,
  readTfRecordFile,
  tfRecordFile,
  type DecodedFeature,
  type DetectionObject,
  type RecordRead,
} from '../../../src/core/records';
import { jpegImage } from '../../unit/dataset/fixtures';
import { tf } from './tensorflow';

// Real TensorFlow on both sides of src/core/records: records TensorFlow writes are read by our
// reader to exactly TensorFlow's own view of them, and records we write are read by
// tf.data.TFRecordDataset and parsed with the Object Detection API's feature spec to exactly what
// we wrote; on damaged files both stop at the same place.
type TfFeature = { bytes: string[] } | { floats: number[] } | { int64s: string[] } | { none: [] };

function asTfJson(feature: DecodedFeature): TfFeature {
  if ('bytes' in feature) return { bytes: feature.bytes.map((b) => b.toString('base64')) };
  if ('floats' in feature) return { floats: [...feature.floats] };
  return { int64s: feature.int64s.map(String) };
}

async function readAll(path: string): Promise<RecordRead[]> {
  const out: RecordRead[] = [];
  for await (const item of readTfRecordFile(path)) out.push(item);
  return out;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tfod-records-tf-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('records written by TensorFlow', () => {
  let written: { plain: string; gzip: string; examples: Record<string, TfFeature>[] };
  before(() => {
    written = tf('write', dir) as typeof written;
  });

  it('are read by our reader and decoder to exactly what TensorFlow put in them', async () => {
    const read = await readAll(written.plain);
    assert.equal(read.length, written.examples.length);
    read.forEach((item, i) => {
      assert.ok('record' in item, 'problem' in item ? item.problem.message : '');
      const { features, unknownFields } = decodeExample(item.record.data);
      assert.deepEqual(unknownFields, []);
      const ours = Object.fromEntries([...features].map(([key, f]) => [key, asTfJson(f)]));
      // A Feature with no list set: TensorFlow sees no kind, we an empty (bytes) list.
      const theirs = Object.fromEntries(
        Object.entries(written.examples[i] as Record<string, TfFeature>).map(([k, f]) => [
          k,
          'none' in f ? { bytes: [] } : f,
        ]),
      );
      assert.deepEqual(ours, theirs, `record ${i}`);
      const view = readDetectionExample({ features, unknownFields });
      assert.deepEqual(view.problems, []);
      assert.equal(view.objects.length, i);
      assert.equal(view.filename, `image-${i}.jpg`);
      assert.equal(view.height, 480 + i);
    });
  });

  it('compressed with GZIP are named as such, not taken for damage', async () => {
    const read = await readAll(written.gzip);
    assert.equal(read.length, 1);
    assert.ok(read[0] && 'problem' in read[0]);
    assert.equal(read[0].problem.kind, 'compressed');
  });

  it('damaged: we and TensorFlow stop at the same frame (TensorFlow counts a data error from the data)', async () => {
    const plain = readFileSync(written.plain);
    const second = 16 + Number(plain.readBigUInt64LE(0));
    for (const [at, kind, tfOffset] of [
      [second + 12 + 100, 'data-crc', second + 12],
      [second + 3, 'length-crc', second],
    ] as const) {
      const damaged = Buffer.from(plain);
      damaged[at] ^= 1;
      const path = join(dir, `damaged-${kind}.record`);
      writeFileSync(path, damaged);
      const ours = await readAll(path);
      const problem = ours[1];
      assert.ok(problem && 'problem' in problem);
      assert.equal(problem.problem.kind, kind);
      assert.equal(problem.problem.index, 1);
      assert.equal(problem.problem.offset, second);
      const theirs = tf('read', '--no-decode', path) as { records: unknown[]; error?: string };
      assert.equal(theirs.records.length, 1);
      assert.match(
        theirs.error ?? '',
        new RegExp(`DataLossError: .*corrupted record at ${tfOffset}\\b`),
      );
    }
  });
});

describe('records we write', () => {
  it("are read by tf.data and the API's feature spec to exactly our boxes, classes and image fields", () => {
    const images = Array.from({ length: 3 }, (_, i) => {
      const objects: DetectionObject[] = Array.from({ length: i * 2 }, (_, k) => ({
        xmin: k / 10,
        ymin: k / 20,
        xmax: k / 10 + 0.25,
        ymax: k / 20 + 0.5,
        text: k % 2 ? 'cat' : 'dög',
        label: (k % 2) + 1,
        difficult: k === 1,
        truncated: k === 2,
        view: 'frontal',
      }));
      return {
        encoded: jpegImage(200 + i, 100 + i, i),
        format: 'jpeg' as const,
        height: 100 + i,
        width: 200 + i,
        filename: `ö-${i}.jpg`,
        sourceId: `id-${i}`,
        sha256: 'f'.repeat(64),
        objects,
      };
    });
    const path = join(dir, 'ours.record');
    writeFileSync(path, tfRecordFile(images.map(encodeDetectionExample)));
    const { records, error } = tf('read', path) as {
      records: Record<string, unknown[]>[];
      error?: string;
    };
    assert.equal(error, undefined);
    const f32 = (v: number) => Math.fround(v);
    assert.deepEqual(
      records,
      images.map((image) => ({
        'image/encoded': [image.encoded.toString('base64')],
        'image/format': [Buffer.from('jpeg').toString('base64')],
        'image/filename': [Buffer.from(image.filename).toString('base64')],
        'image/key/sha256': [Buffer.from(image.sha256).toString('base64')],
        'image/source_id': [Buffer.from(image.sourceId).toString('base64')],
        'image/height': [image.height],
        'image/width': [image.width],
        'image/object/bbox/xmin': image.objects.map((o) => f32(o.xmin)),
        'image/object/bbox/xmax': image.objects.map((o) => f32(o.xmax)),
        'image/object/bbox/ymin': image.objects.map((o) => f32(o.ymin)),
        'image/object/bbox/ymax': image.objects.map((o) => f32(o.ymax)),
        'image/object/class/label': image.objects.map((o) => o.label),
        'image/object/class/text': image.objects.map((o) =>
          Buffer.from(o.text ?? '').toString('base64'),
        ),
        'image/object/difficult': image.objects.map((o) => (o.difficult ? 1 : 0)),
        'image/object/truncated': image.objects.map((o) => (o.truncated ? 1 : 0)),
        'image/object/view': image.objects.map((o) => Buffer.from(o.view ?? '').toString('base64')),
        decoded_shape: [image.height, image.width, 3],
      })),
    );
  });
});
