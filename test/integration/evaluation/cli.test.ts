// `tfod evaluate` end to end: TFRecords written by the repo's tf.Example writer (src/core/sample)
// from the real photos, the real COCO SSD model (test/harness/fixtures.sh) run in-process on the
// wasm backend, and pycocotools (test/harness/setup.sh) on the detections file it writes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import { createServingApp } from '../../../src/detection/server';
import { encodeExample, tfRecordFile } from '../../../src/core/sample';
import { decodeImage, loadDetector, type Prediction } from '../../../src/detection';
import { SUMMARY_KEYS, type CocoResult } from '../../../src/detection/evaluation';
import { fixtures, type PhotoName } from '../serving/fixtures';
import { runPycocotools } from './pycocotools';
import type { EvaluationCase } from './datasets';

const root = join(__dirname, '..', '..', '..');
const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
/** image/source_id per photo: integers become the image id, anything else the record's index. */
const SOURCE_IDS = ['11', '12', '13', 'motorcycle'];

interface Truth {
  readonly label: number;
  readonly box: [xmin: number, ymin: number, xmax: number, ymax: number];
}

let scratch: string;
let records: string;
/** Per photo: its size and the ground truth written to its record. */
const truths: { width: number; height: number; objects: Truth[] }[] = [];

function example(
  photo: PhotoName,
  sourceId: string,
  objects: readonly Truth[],
  size: { width: number; height: number },
) {
  return encodeExample({
    'image/encoded': { bytes: [readFileSync(fixtures().photoPath(photo))] },
    'image/format': { bytes: ['png'] },
    'image/width': { int64s: [size.width] },
    'image/height': { int64s: [size.height] },
    'image/filename': { bytes: [`${photo}.png`] },
    'image/source_id': { bytes: [sourceId] },
    'image/object/bbox/xmin': { floats: objects.map((o) => o.box[0]) },
    'image/object/bbox/ymin': { floats: objects.map((o) => o.box[1]) },
    'image/object/bbox/xmax': { floats: objects.map((o) => o.box[2]) },
    'image/object/bbox/ymax': { floats: objects.map((o) => o.box[3]) },
    'image/object/class/label': { int64s: objects.map((o) => o.label) },
    'image/object/class/text': { bytes: objects.map((o) => `class-${o.label}`) },
  });
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tfod-evaluate-'));
  // The ground truth is what the model itself finds at 0.5 (so it scores well), less its weakest
  // box in the coffee photo (a false positive now), plus a made-up object in the astronaut photo
  // (a miss), with boxes rounded to float32 as the record stores them.
  const detector = await loadDetector(fixtures().modelDir, { backend: 'wasm' });
  try {
    for (const photo of PHOTOS) {
      const image = decodeImage(readFileSync(fixtures().photoPath(photo)));
      const found: Prediction[] = await detector.detect(image, { threshold: 0.5 });
      let objects = found.map((p): Truth => ({ label: p[0], box: [p[2], p[3], p[4], p[5]] }));
      if (photo === 'coffee') objects = objects.slice(0, -1);
      if (photo === 'astronaut') objects.push({ label: 44, box: [0.05, 0.8, 0.2, 0.95] });
      objects = objects.map((o) => ({ ...o, box: o.box.map(Math.fround) as Truth['box'] }));
      truths.push({ width: image.width, height: image.height, objects });
    }
  } finally {
    detector.dispose();
  }
  records = join(scratch, 'validation.record');
  writeFileSync(
    records,
    tfRecordFile(
      PHOTOS.map((photo, i) => example(photo, SOURCE_IDS[i]!, truths[i]!.objects, truths[i]!)),
    ),
  );
});
after(() => rmSync(scratch, { recursive: true, force: true }));

async function tfod(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tfod evaluate', () => {
  it('prints the twelve COCO numbers as JSON, equal to pycocotools on its own detections file', async () => {
    const detectionsOut = join(scratch, 'detections.json');
    const { code, stdout, stderr } = await tfod(
      'evaluate',
      '--model',
      fixtures().modelDir,
      '--data',
      records,
      '--json',
      '--detections-out',
      detectionsOut,
      '--backend',
      'wasm',
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as Record<string, unknown> & {
      classes: { categoryId: number; AP: number }[];
      confusion: { categoryIds: number[]; counts: number[][] };
      curves: { recall: number[]; classes: { precision: number[] }[] };
    };
    assert.deepEqual(Object.keys(report).slice(0, 12), [...SUMMARY_KEYS]);
    assert.equal(report.images, 4);
    assert.ok((report.AP50 as number) > 0.6, `AP50 ${report.AP50}`);
    assert.ok((report.AR100 as number) < 1, 'the made-up object is a miss');
    assert.equal(report.curves.recall.length, 101);

    // The detections file: COCO results, image ids from integer source ids, else the index.
    const results = JSON.parse(readFileSync(detectionsOut, 'utf8')) as CocoResult[];
    assert.ok(results.length > 4);
    assert.deepEqual(
      [...new Set(results.map((r) => r.image_id))].sort((a, b) => a - b),
      [3, 11, 12, 13],
    );
    for (const r of results) {
      assert.equal(r.bbox.length, 4);
      assert.ok(r.score >= 0 && r.score <= 1);
    }
    const cat = results.filter((r) => r.image_id === 12).sort((a, b) => b.score - a.score)[0]!;
    assert.equal(cat.category_id, 17, 'the strongest detection in chelsea is a cat');
    assert.ok(cat.bbox[2] > 50 && cat.bbox[2] <= 451, `a box in pixels: ${cat.bbox}`);

    // pycocotools on the same ground truth (pixels, as COCO has it) and that file.
    const imageIds = [11, 12, 13, 3];
    let id = 0;
    const categories = new Set<number>([...results.map((r) => r.category_id)]);
    const annotations = truths.flatMap((t, i) =>
      t.objects.map((o) => {
        categories.add(o.label);
        const bbox = [
          o.box[0] * t.width,
          o.box[1] * t.height,
          (o.box[2] - o.box[0]) * t.width,
          (o.box[3] - o.box[1]) * t.height,
        ] as [number, number, number, number];
        return {
          id: ++id,
          image_id: imageIds[i]!,
          category_id: o.label,
          bbox,
          area: bbox[2] * bbox[3],
          iscrowd: 0 as const,
        };
      }),
    );
    const dataset = {
      images: imageIds.map((imageId, i) => ({
        id: imageId,
        width: truths[i]!.width,
        height: truths[i]!.height,
      })),
      categories: [...categories].sort((a, b) => a - b).map((c) => ({ id: c, name: String(c) })),
      annotations,
    };
    const c: EvaluationCase = { name: 'tfod-evaluate', dataset, results, ourDataset: dataset };
    const reference = runPycocotools(join(scratch, 'pycocotools'), [c]).get(c.name)!;
    SUMMARY_KEYS.forEach((key, i) =>
      assert.ok(
        Math.abs((report[key] as number) - reference.stats[i]!) <= 1e-4,
        `${key}: ours ${report[key]}, pycocotools ${reference.stats[i]}`,
      ),
    );

    // The confusion matrix at 0.5: the coffee photo's dropped box is a false positive.
    const background = report.confusion.categoryIds.length;
    const falsePositives = report.confusion.counts[background]!.reduce((s, n) => s + n, 0);
    const misses = report.confusion.counts.reduce((s, row) => s + row[background]!, 0);
    assert.ok(falsePositives >= 1, 'the dropped coffee box');
    assert.equal(misses, 1, 'the made-up object');
  });

  it('prints a table with pycocotools-style lines and per-class rows', async () => {
    const { code, stdout } = await tfod(
      'evaluate',
      '-m',
      fixtures().modelDir,
      '-d',
      records,
      '--backend',
      'wasm',
    );
    assert.equal(code, 0);
    assert.match(stdout, /4 images evaluated/);
    assert.match(
      stdout,
      /Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = 0\.\d{3}/,
    );
    assert.match(stdout, /\n17 +[^\n]*1 +\d+ +\d\.\d{3}/, 'the cat row: 1 object');
    assert.match(stdout, /1 missed/);
  });

  it('gives the same numbers through an endpoint, three images in flight, as the model run here', async () => {
    const here = await tfod(
      'evaluate',
      '-m',
      fixtures().modelDir,
      '-d',
      records,
      '--json',
      '--backend',
      'wasm',
    );
    assert.equal(here.code, 0, here.stderr);
    const app = createServingApp({ modelDir: fixtures().modelDir });
    const { port } = await app.listen(0, '127.0.0.1');
    try {
      await app.ready;
      const served = await tfod(
        'evaluate',
        '--endpoint',
        `http://127.0.0.1:${port}`,
        '-d',
        records,
        '--json',
        '--concurrency',
        '3',
      );
      assert.equal(served.code, 0, served.stderr);
      const a = JSON.parse(here.stdout) as Record<string, unknown>;
      const b = JSON.parse(served.stdout) as Record<string, unknown>;
      for (const key of SUMMARY_KEYS)
        assert.ok(
          Math.abs((a[key] as number) - (b[key] as number)) <= 1e-6,
          `${key}: here ${a[key]}, endpoint ${b[key]}`,
        );
      assert.equal(b.images, 4);
      assert.ok((b.AP50 as number) > 0.6);
    } finally {
      await app.close();
    }
  });

  it('wants exactly one of --model and --endpoint', async () => {
    const neither = await tfod('evaluate', '-d', records);
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /give either --model <dir\|model\.tar\.gz> or --endpoint/);
  });

  it('refuses records it cannot find and a record set with missing shards, exit 1', async () => {
    const missing = await tfod(
      'evaluate',
      '-m',
      fixtures().modelDir,
      '-d',
      join(scratch, 'nope.record'),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /tfod: error: cannot read .*nope\.record/);
    const shards = await tfod(
      'evaluate',
      '-m',
      fixtures().modelDir,
      '-d',
      join(scratch, 'val.record-00000-of-00003'),
    );
    assert.equal(shards.code, 1);
    assert.match(shards.stderr, /3 shards are missing/);
  });

  it('stops on Ctrl+C with exit 130, says how far it got, and leaves no partial detections file', async () => {
    const many = join(scratch, 'many.record');
    const frames = Array.from({ length: 200 }, (_, i) =>
      example(PHOTOS[i % 4]!, String(1000 + i), truths[i % 4]!.objects, truths[i % 4]!),
    );
    writeFileSync(many, tfRecordFile(frames));
    const out = join(scratch, 'partial.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src', 'cli', 'main.ts'),
        'evaluate',
        '-m',
        fixtures().modelDir,
        '-d',
        many,
        '--detections-out',
        out,
        '--backend',
        'wasm',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait until it has begun writing detections (the model is loaded and running), then interrupt.
    const deadline = Date.now() + 60_000;
    while (!existsSync(out) || readFileSync(out, 'utf8').length < 200) {
      assert.ok(Date.now() < deadline, `never started:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /tfod: evaluation cancelled after \d+ of 200 images/);
    assert.ok(!existsSync(out), 'the partial detections file is removed');
  });
});
