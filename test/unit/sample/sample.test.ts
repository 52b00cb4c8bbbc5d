import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import {
  crc32c,
  encodeExample,
  maskedCrc32c,
  sampleImages,
  SAMPLE_CHECKPOINT_PREFIX,
  SAMPLE_MODEL_FOLDER,
  tfRecordFile,
  writeSampleProject,
  type SampleProject,
} from '../../../src/core/sample';
import { layoutTrainingFolder } from '../../../src/core/s3/plan';
import { describeTrainingFiles, listFiles } from '../../../src/core/training/resources';
import { decodeExample, readTfRecords, type Decoded } from './records';

const root = join(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');

function tfod(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function values(features: Map<string, Decoded>, key: string): unknown[] {
  const feature = features.get(key);
  assert.ok(feature, `feature ${key} is missing`);
  return feature.kind === 'bytes'
    ? feature.values.map((b) => b.toString('latin1'))
    : feature.values;
}

describe('CRC-32C', () => {
  it('matches the published check value and the RFC 3720 test vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  });

  it("masks like TensorFlow's crc32c::Mask (rotate right 15, add 0xa282ead8)", () => {
    const data = Buffer.from('123456789');
    const crc = 0xe3069283;
    const masked = maskedCrc32c(data);
    // Unmask independently: subtract the constant, rotate left 15.
    const rot = (masked - 0xa282ead8) >>> 0;
    assert.equal(((rot >>> 17) | (rot << 15)) >>> 0, crc);
    // Computed with Python's unbounded integers: ((c >> 15 | c << 17) & 0xffffffff) + 0xa282ead8.
    assert.equal(masked, 0xc78ab0e5);
  });
});

describe('TFRecord framing and tf.Example', () => {
  it('frames records that an independent reader reads back with valid checksums', () => {
    const records = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(300, 7)];
    const file = tfRecordFile(records);
    assert.equal(
      file.length,
      records.reduce((n, r) => n + 16 + r.length, 0),
    );
    assert.deepEqual(readTfRecords(file), records);
    const corrupted = Buffer.from(file);
    corrupted[14] = (corrupted[14] ?? 0) ^ 1;
    assert.throws(() => readTfRecords(corrupted), /bad data crc/);
  });

  it('encodes bytes, float and int64 lists that decode back', () => {
    const encoded = encodeExample({
      'image/format': { bytes: ['jpeg'] },
      'image/object/bbox/xmin': { floats: [0.25, 0.5] },
      'image/object/class/label': { int64s: [1, 2, 300, -1] },
      empty: { floats: [] },
    });
    const features = decodeExample(encoded);
    assert.deepEqual([...features.keys()].sort(), [
      'empty',
      'image/format',
      'image/object/bbox/xmin',
      'image/object/class/label',
    ]);
    assert.deepEqual(values(features, 'image/format'), ['jpeg']);
    assert.deepEqual(values(features, 'image/object/bbox/xmin'), [0.25, 0.5]);
    assert.deepEqual(values(features, 'image/object/class/label'), [1n, 2n, 300n, -1n]);
    assert.deepEqual(values(features, 'empty'), []);
  });
});

describe('sample images', () => {
  it('draws the same images for the same seed and other images for another seed', () => {
    const a = sampleImages({ trainImages: 2, validationImages: 1, seed: 3 });
    const b = sampleImages({ trainImages: 2, validationImages: 1, seed: 3 });
    const c = sampleImages({ trainImages: 2, validationImages: 1, seed: 4 });
    assert.deepEqual(
      a.map((i) => i.jpeg),
      b.map((i) => i.jpeg),
    );
    assert.notDeepEqual(
      a.map((i) => i.jpeg),
      c.map((i) => i.jpeg),
    );
  });

  it('puts the drawn shapes where the boxes say: dark inside, the light background outside', () => {
    for (const image of sampleImages({ trainImages: 6, validationImages: 2 })) {
      const decoded = jpeg.decode(image.jpeg, { useTArray: true });
      assert.equal(decoded.width, 320);
      assert.equal(decoded.height, 320);
      assert.ok(image.boxes.length >= 1 && image.boxes.length <= 3);
      const pixel = (x: number, y: number) => {
        const o = (y * decoded.width + x) * 4;
        return [decoded.data[o] ?? 0, decoded.data[o + 1] ?? 0, decoded.data[o + 2] ?? 0];
      };
      for (const box of image.boxes) {
        const cx = Math.floor((box.xmin + box.xmax) / 2);
        const cy = Math.floor((box.ymin + box.ymax) / 2);
        assert.ok(Math.max(...pixel(cx, cy)) < 145, `centre of ${box.label} is not drawn`);
        // A box corner is inside a square but outside a disc.
        const corner = Math.max(...pixel(box.xmin + 1, box.ymin + 1));
        if (box.label === 'square') assert.ok(corner < 145, 'square corner not drawn');
        else assert.ok(corner > 150, 'disc drawn into its corner');
      }
      const free = [
        [0, 0],
        [319, 319],
        [0, 319],
        [319, 0],
      ].find(
        ([x, y]) =>
          !image.boxes.some((b) => x! >= b.xmin && x! < b.xmax && y! >= b.ymin && y! < b.ymax),
      );
      if (free) assert.ok(Math.min(...pixel(free[0]!, free[1]!)) > 150, 'background is not light');
    }
  });
});

describe('writeSampleProject', () => {
  let dir: string;
  let project: SampleProject;

  before(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'tfod-sample-')), 'sample');
    project = await writeSampleProject(dir);
  });
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('writes the seed layout: config, label map, two train shards, a validation record, JPEGs', async () => {
    const files = await listFiles(dir);
    assert.deepEqual(
      files.filter((f) => !f.startsWith('images/')),
      [
        'label_map.pbtxt',
        'pipeline.config',
        'train.record-00000-of-00002',
        'train.record-00001-of-00002',
        'validation.record',
      ],
    );
    assert.equal(files.filter((f) => /^images\/.*\.jpg$/.test(f)).length, 32);
    const label = readFileSync(join(dir, 'label_map.pbtxt'), 'utf8');
    assert.match(label, /id: 1\s+name: 'square'/);
    assert.match(label, /id: 2\s+name: 'disc'/);
    const config = readFileSync(join(dir, 'pipeline.config'), 'utf8');
    assert.match(config, /num_classes: 2\n/);
    assert.match(config, new RegExp(`fine_tune_checkpoint: "${SAMPLE_CHECKPOINT_PREFIX}"`));
    assert.match(config, /input_path: "train.record-\?\?\?\?\?-of-00002"/);
    assert.match(config, /input_path: "validation.record"/);
    assert.match(config, /type: "ssd_mobilenet_v2_keras"/);
  });

  it('is recognised by describeTrainingFiles: sharded train records, eval record, label map, config', async () => {
    const training = describeTrainingFiles(await listFiles(dir));
    assert.deepEqual(training.pipelineConfigs, ['pipeline.config']);
    assert.deepEqual(training.labelMaps, ['label_map.pbtxt']);
    assert.deepEqual(
      training.records.map((r) => ({
        role: r.role,
        pattern: r.pattern,
        n: r.files.length,
        missing: r.missingShards ?? [],
      })),
      [
        { role: 'train', pattern: 'train.record-?????-of-00002', n: 2, missing: [] },
        { role: 'eval', pattern: 'validation.record', n: 1, missing: [] },
      ],
    );
  });

  it('stores every image as a tf.Example with its boxes, normalised, and its class ids and names', () => {
    const readSet = (names: string[]) =>
      names.flatMap((n) => readTfRecords(readFileSync(join(dir, n)))).map(decodeExample);
    const train = readSet(['train.record-00000-of-00002', 'train.record-00001-of-00002']);
    const validation = readSet(['validation.record']);
    assert.equal(train.length, 24);
    assert.equal(validation.length, 8);
    const byName = new Map(project.images.map((i) => [i.filename, i]));
    for (const example of [...train, ...validation]) {
      const filename = String(values(example, 'image/filename')[0]);
      const image = byName.get(filename);
      assert.ok(image, `unknown image ${filename}`);
      assert.deepEqual(values(example, 'image/source_id'), [filename]);
      assert.deepEqual(values(example, 'image/format'), ['jpeg']);
      assert.deepEqual(values(example, 'image/height'), [320n]);
      assert.deepEqual(values(example, 'image/width'), [320n]);
      const encoded = example.get('image/encoded');
      assert.ok(encoded?.kind === 'bytes' && encoded.values[0]?.equals(image.jpeg));
      assert.deepEqual(
        values(example, 'image/object/class/text'),
        image.boxes.map((b) => b.label),
      );
      assert.deepEqual(
        values(example, 'image/object/class/label'),
        image.boxes.map((b) => (b.label === 'square' ? 1n : 2n)),
      );
      for (const side of ['xmin', 'xmax', 'ymin', 'ymax'] as const) {
        const got = values(example, `image/object/bbox/${side}`) as number[];
        assert.equal(got.length, image.boxes.length);
        got.forEach((v, i) => {
          assert.ok(v >= 0 && v <= 1);
          assert.ok(Math.abs(v - (image.boxes[i]?.[side] ?? NaN) / 320) < 1e-6);
        });
      }
      const jpegFile = readFileSync(join(dir, 'images', filename));
      assert.ok(jpegFile.equals(image.jpeg));
    }
  });

  it('passes `tfod validate` with no errors; with the checkpoint in place, with no warnings and no layout problems', () => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
    const before = tfod(dir, 'validate', '.');
    assert.equal(before.code, 0, before.stdout + before.stderr);
    assert.match(before.stdout, /2 files checked: 0 errors, 1 warning/);
    assert.match(before.stdout, /No checkpoint `ssd_mobilenet_v2\/checkpoint\/ckpt-0`/);
    const ckpt = join(dir, SAMPLE_MODEL_FOLDER, 'checkpoint');
    mkdirSync(ckpt, { recursive: true });
    writeFileSync(join(ckpt, 'ckpt-0.index'), 'index');
    writeFileSync(join(ckpt, 'ckpt-0.data-00000-of-00001'), 'data');
    try {
      const withCheckpoint = tfod(dir, 'validate', 'pipeline.config', 'label_map.pbtxt');
      assert.equal(withCheckpoint.code, 0, withCheckpoint.stdout + withCheckpoint.stderr);
      assert.match(withCheckpoint.stdout, /2 files checked: 0 errors, 0 warnings/);
    } finally {
      rmSync(join(dir, SAMPLE_MODEL_FOLDER), { recursive: true, force: true });
    }
  });

  it('lays out for upload like the seed once the checkpoint is unpacked into ssd_mobilenet_v2/', async () => {
    const files = [
      ...(await listFiles(dir)),
      `${SAMPLE_MODEL_FOLDER}/checkpoint/ckpt-0.index`,
      `${SAMPLE_MODEL_FOLDER}/checkpoint/ckpt-0.data-00000-of-00001`,
      `${SAMPLE_MODEL_FOLDER}/pipeline.config`,
    ];
    const layout = layoutTrainingFolder(files);
    assert.deepEqual(layout.problems, []);
    assert.equal(layout.checkpointFolder, SAMPLE_MODEL_FOLDER);
    assert.equal(layout.training.checkpoints[0]?.prefix, SAMPLE_CHECKPOINT_PREFIX);
    assert.deepEqual(
      layout.entries.filter((e) => e.role !== 'model').map((e) => e.key),
      [
        'pipeline.config',
        'label_map.pbtxt',
        'train.record-00000-of-00002',
        'train.record-00001-of-00002',
        'validation.record',
      ],
    );
  });

  it('refuses a folder that already holds files', async () => {
    await assert.rejects(writeSampleProject(dir), (error: Error & { fix?: string }) => {
      assert.match(error.message, /is not empty/);
      assert.match(String(error.fix), /--force/);
      return true;
    });
  });
});

describe('tfod sample', () => {
  it('writes the project and says where the checkpoint comes from; refuses a non-empty folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'tfod-sample-cli-'));
    try {
      const made = tfod(base, 'sample', 'proj', '--train', '4', '--validation', '2', '--json');
      assert.equal(made.code, 0, made.stderr);
      const report = JSON.parse(made.stdout) as {
        dir: string;
        images: number;
        checkpoint: { url: string; folder: string; prefix: string };
      };
      assert.equal(report.dir, join(base, 'proj'));
      assert.equal(report.images, 6);
      assert.equal(
        report.checkpoint.url,
        'http://download.tensorflow.org/models/object_detection/tf2/20200711/ssd_mobilenet_v2_320x320_coco17_tpu-8.tar.gz',
      );
      assert.equal(report.checkpoint.folder, 'ssd_mobilenet_v2');
      const shards = ['train.record-00000-of-00002', 'train.record-00001-of-00002'].map(
        (n) => readTfRecords(readFileSync(join(base, 'proj', n))).length,
      );
      assert.deepEqual(shards, [2, 2]);
      const text = tfod(base, 'sample', 'other');
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /still needs the pre-trained checkpoint: download http/);
      const again = tfod(base, 'sample', 'proj');
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^tfod: error: .*proj is not empty/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('--tf 1 writes the TF1 form, clean for the 1.15 images once the TF1 zoo checkpoint is in place', () => {
    const base = mkdtempSync(join(tmpdir(), 'tfod-sample-tf1-'));
    try {
      const made = tfod(
        base,
        'sample',
        'proj',
        '--tf',
        '1',
        '--train',
        '2',
        '--validation',
        '1',
        '--json',
      );
      assert.equal(made.code, 0, made.stderr);
      const report = JSON.parse(made.stdout) as { checkpoint: { url: string; prefix: string } };
      assert.equal(
        report.checkpoint.url,
        'http://download.tensorflow.org/models/object_detection/ssd_mobilenet_v2_coco_2018_03_29.tar.gz',
      );
      assert.equal(report.checkpoint.prefix, 'ssd_mobilenet_v2/model.ckpt');
      const config = readFileSync(join(base, 'proj', 'pipeline.config'), 'utf8');
      assert.match(config, /type: "ssd_mobilenet_v2"\n/);
      assert.match(config, /fine_tune_checkpoint: "ssd_mobilenet_v2\/model\.ckpt"/);
      assert.doesNotMatch(config, /fine_tune_checkpoint_version/);
      const model = join(base, 'proj', 'ssd_mobilenet_v2');
      mkdirSync(model);
      writeFileSync(join(model, 'model.ckpt.index'), 'index');
      writeFileSync(join(model, 'model.ckpt.data-00000-of-00001'), 'data');
      const tf1 = tfod(
        join(base, 'proj'),
        'validate',
        'pipeline.config',
        'label_map.pbtxt',
        '--architecture',
        '1.15.0',
      );
      assert.equal(tf1.code, 0, tf1.stdout + tf1.stderr);
      assert.match(tf1.stdout, /2 files checked: 0 errors, 0 warnings/);
      // The TF2 images cannot train it: the validator says so, as for any TF1 config.
      const tf2 = tfod(
        join(base, 'proj'),
        'validate',
        'pipeline.config',
        '--architecture',
        '2.9.1',
      );
      assert.notEqual(tf2.code, 0, tf2.stdout);
      assert.match(tf2.stdout, /ssd_mobilenet_v2/);
      const bad = tfod(base, 'sample', 'x', '--tf', '3');
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(bad.stderr, /--tf must be 1 or 2, got '3'/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
