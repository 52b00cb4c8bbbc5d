import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { runCli } from '../../../src/cli/program';
import {
  encodeDetectionExample,
  encodeExample,
  shardName,
  tfRecordFile,
  tfRecordFrame,
  type DetectionObject,
} from '../../../src/core/records';

const root = mkdtempSync(join(tmpdir(), 'tfod-inspect-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function tfod(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
  }
}

function jpegOf(width: number, height: number): Buffer {
  return jpeg.encode({ data: Buffer.alloc(width * height * 4, 128), width, height }, 80).data;
}

function example(
  objects: DetectionObject[],
  size: [number, number] = [64, 48],
  name = 'a.jpg',
  encoded?: Buffer,
) {
  const [width, height] = size;
  return encodeDetectionExample({
    encoded: encoded ?? jpegOf(width, height),
    format: 'jpeg',
    width,
    height,
    filename: name,
    sourceId: name,
    objects,
  });
}

const box = (
  label: number,
  text: string,
  xmin = 0.1,
  ymin = 0.1,
  xmax = 0.5,
  ymax = 0.6,
): DetectionObject => ({
  xmin,
  ymin,
  xmax,
  ymax,
  label,
  text,
});

const LABEL_MAP =
  "item {\n  id: 1\n  name: 'cat'\n}\nitem {\n  id: 2\n  name: 'dog'\n}\nitem {\n  id: 5\n  name: 'bird'\n}\n";

function project(name: string, numClasses: number): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'label_map.pbtxt'), LABEL_MAP);
  writeFileSync(
    join(dir, 'pipeline.config'),
    `model { ssd { num_classes: ${numClasses} } }\ntrain_input_reader {\n  tf_record_input_reader { input_path: "data/train.record-?????-of-00003" }\n  label_map_path: "label_map.pbtxt"\n}\n`,
  );
  return dir;
}

describe('tfod data inspect', () => {
  it('counts classes, sizes and boxes of a sharded set, with the label map and num_classes of the config naming it', async () => {
    const dir = project('clean', 5);
    const shards = [
      [
        example([box(1, 'cat'), box(2, 'dog', 0, 0, 1, 1)]),
        example([box(1, 'cat', 0.1, 0.1, 0.105, 0.105)], [640, 480]),
      ],
      [example([])],
      [example([box(5, 'bird')], [640, 480])],
    ];
    shards.forEach((records, i) =>
      writeFileSync(join(dir, 'data', shardName('train.record', i, 3)), tfRecordFile(records)),
    );
    const { code, stdout, stderr } = await tfod(
      dir,
      'data',
      'inspect',
      '--json',
      'data/train.record-00000-of-00003',
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.deepEqual(report.labelMap, {
      path: 'label_map.pbtxt',
      how: 'label_map_path of pipeline.config',
    });
    assert.equal(report.numClasses, 5);
    assert.deepEqual(
      report.files.map((f: { path: string; records: number }) => [f.path, f.records]),
      [0, 1, 2].map((i) => [join('data', shardName('train.record', i, 3)), i === 0 ? 2 : 1]),
    );
    assert.equal(report.records, 4);
    assert.equal(report.objects, 4);
    assert.equal(report.imagesWithoutObjects, 1);
    assert.equal(report.maxObjectsPerImage, 2);
    assert.deepEqual(report.classes, [
      { label: 1, name: 'cat', objects: 2, images: 2 },
      { label: 2, name: 'dog', objects: 1, images: 1 },
      { label: 5, name: 'bird', objects: 1, images: 1 },
    ]);
    assert.deepEqual(report.imageSizes, [
      { width: 64, height: 48, images: 2 },
      { width: 640, height: 480, images: 2 },
    ]);
    assert.deepEqual(report.formats, { jpeg: 4 });
    // sides: sqrt(0.4*0.5)=0.447 (64x48: 25.6 x 24 px, small), 1 (64 x 48 px, medium), 0.005 (3.2 x 2.4 px, small), 0.447 (256x240, large)
    assert.deepEqual(
      report.boxSizes.map((b: { objects: number }) => b.objects),
      [1, 0, 0, 0, 0, 2, 1],
    );
    assert.deepEqual(report.boxAreas, { small: 2, medium: 1, large: 1 });
    assert.deepEqual(report.problems, []);
    const text = await tfod(dir, 'data', 'inspect', 'data/train.record-?????-of-00003');
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^1 +cat +2 +2$/m);
    assert.match(text.stdout, /label map: label_map\.pbtxt \(label_map_path of pipeline\.config\)/);
    assert.match(text.stdout, /0 errors, 0 warnings/);
  });

  it('lists every problem with file, record, byte offset and object, and exits 1', async () => {
    const dir = project('problems', 4);
    const good = example([box(1, 'cat')]);
    const damaged = Buffer.from(tfRecordFrame(good));
    damaged[40] ^= 1;
    const records = [
      good,
      example([
        box(1, 'cat', -0.1, 0, 0.5, 1.2),
        box(2, 'dog', 0.6, 0.1, 0.4, 0.5),
        box(2, 'dog', 0.3, 0.3, 0.3, 0.5),
      ]),
      example([box(3, 'cow'), box(5, 'bird'), box(0, 'bg'), box(1, 'dog')]),
      example([box(1, 'cat')], [100, 100], 'b.jpg', jpegOf(64, 48)),
      Buffer.from('not a protocol buffer at all'),
      Buffer.from([0x0a, 0x00, 0x12, 0x00]),
      encodeExample({
        'image/height': { floats: [48] },
        'image/encoded': { bytes: [jpegOf(8, 8)] },
      }),
    ];
    const file0 = Buffer.concat([
      tfRecordFile(records.slice(0, 2)),
      damaged,
      tfRecordFile(records.slice(2)),
    ]);
    writeFileSync(join(dir, 'data', shardName('train.record', 0, 3)), file0);
    writeFileSync(
      join(dir, 'data', shardName('train.record', 2, 3)),
      tfRecordFile([good]).subarray(0, 30),
    );
    const { code, stdout } = await tfod(
      dir,
      'data',
      'inspect',
      '--json',
      'data/train.record-?????-of-00003',
    );
    assert.equal(code, 1);
    const report = JSON.parse(stdout);
    const offsetOf = (i: number) => {
      const lengths = [...records.slice(0, 2), good, ...records.slice(2)].map((r) => r.length + 16);
      return lengths.slice(0, i).reduce((a, b) => a + b, 0);
    };
    const shard = (i: number) => join('data', shardName('train.record', i, 3));
    const got = report.problems.map((p: Record<string, unknown>) => [
      p.file,
      p.record ?? null,
      p.offset ?? null,
      p.object ?? null,
      p.code,
    ]);
    assert.deepEqual(got, [
      [shard(1), null, null, null, 'missing-shard'],
      [shard(0), 1, offsetOf(1), 0, 'box-out-of-range'],
      [shard(0), 1, offsetOf(1), 1, 'box-inverted'],
      [shard(0), 1, offsetOf(1), 2, 'box-zero-area'],
      [shard(0), 2, offsetOf(2), null, 'data-crc'],
      [shard(0), 3, offsetOf(3), 0, 'class-not-in-label-map'],
      [shard(0), 3, offsetOf(3), 0, 'class-text-not-in-label-map'],
      [shard(0), 3, offsetOf(3), 1, 'class-above-num-classes'],
      [shard(0), 3, offsetOf(3), 2, 'class-id-invalid'],
      [shard(0), 3, offsetOf(3), 3, 'class-text-mismatch'],
      [shard(0), 4, offsetOf(4), null, 'image-size-mismatch'],
      [shard(0), 5, offsetOf(5), null, 'not-an-example'],
      [shard(0), 6, offsetOf(6), null, 'not-an-example'],
      [shard(0), 7, offsetOf(7), null, 'feature-kind'],
      [shard(2), 0, 0, null, 'truncated'],
    ]);
    const messages = report.problems.map((p: { message: string }) => p.message);
    assert.match(messages[5], /class\/label 3 \('cow'\) is not in the label map/);
    assert.match(
      messages[6],
      /class\/text 'cow' is not a name in the label map: .* gives this one class -1/,
    );
    assert.match(messages[7], /class\/label 5 is above num_classes 4/);
    assert.match(
      messages[9],
      /class\/text 'dog' is id 2 in the label map but class\/label is 1: the API's decoder uses the text's id \(2\)/,
    );
    assert.match(messages[10], /say 100 x 100 but the JPEG is 64 x 48/);
    assert.match(messages[12], /tf\.SequenceExample/);
    assert.equal(report.errors, 12);
    assert.equal(report.warnings, 3);
    const text = await tfod(dir, 'data', 'inspect', 'data/train.record-?????-of-00003');
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      new RegExp(
        `^${shard(0).replace(/\./g, '\\.')}: record 2, byte ${offsetOf(2)}: error: the data's CRC does not match`,
        'm',
      ),
    );
    assert.match(
      text.stdout,
      /: record 3, byte \d+, object 1: error: class\/label 5 is above num_classes 4/,
    );
    assert.match(text.stdout, /^12 errors, 3 warnings$/m);
  });

  it('falls back to label_map.pbtxt beside the records, takes --label-map over it, and says when there is none', async () => {
    const dir = join(root, 'bare');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x.record'), tfRecordFile([example([box(2, 'dog')])]));
    const none = await tfod(dir, 'data', 'inspect', 'x.record');
    assert.equal(none.code, 0);
    assert.match(none.stdout, /label map: none found/);
    writeFileSync(join(dir, 'label_map.pbtxt'), "item { id: 1 name: 'cat' }\n");
    const beside = JSON.parse((await tfod(dir, 'data', 'inspect', '--json', 'x.record')).stdout);
    assert.equal(beside.labelMap.how, 'label_map.pbtxt beside the records');
    assert.deepEqual(
      beside.problems.map((p: { code: string }) => p.code),
      ['class-not-in-label-map', 'class-text-not-in-label-map'],
    );
    writeFileSync(join(dir, 'other.pbtxt'), "item { id: 2 name: 'dog' }\n");
    const given = JSON.parse(
      (await tfod(dir, 'data', 'inspect', '--json', '--label-map', 'other.pbtxt', 'x.record'))
        .stdout,
    );
    assert.equal(given.labelMap.path, 'other.pbtxt');
    assert.deepEqual(given.problems, []);
  });

  it('says clearly when nothing matches', async () => {
    const { code, stderr } = await tfod(
      root,
      'data',
      'inspect',
      'nothing-here.record-?????-of-00002',
    );
    assert.equal(code, 1);
    assert.match(stderr, /no TFRecord files match nothing-here\.record-\?\?\?\?\?-of-00002/);
  });
});
