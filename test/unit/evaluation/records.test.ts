import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CancelledError, UserError } from '../../../src/core/errors';
import {
  buildReport,
  evaluateRecords,
  imageIdOf,
  readGalleryImages,
} from '../../../src/core/evaluation';
import { encodeExample, tfRecordFile, tfRecordFrame } from '../../../src/core/sample';
import { encodePng, type Prediction } from '../../../src/detection';

// The run's plumbing (records in, ids, problems, cancellation) with a stand-in for the model that
// answers each image with boxes it is told; the real model is in test/integration/evaluation.

const dir = mkdtempSync(join(tmpdir(), 'tfod-eval-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const png = encodePng({ width: 200, height: 100, data: new Uint8Array(200 * 100 * 4).fill(128) });

interface Box {
  readonly label: number;
  readonly box: [number, number, number, number];
}

function record(sourceId: string, objects: readonly Box[], extra: Record<string, unknown> = {}) {
  return encodeExample({
    'image/encoded': { bytes: [png] },
    'image/format': { bytes: ['png'] },
    'image/source_id': { bytes: [sourceId] },
    'image/object/bbox/xmin': { floats: objects.map((o) => o.box[0]) },
    'image/object/bbox/ymin': { floats: objects.map((o) => o.box[1]) },
    'image/object/bbox/xmax': { floats: objects.map((o) => o.box[2]) },
    'image/object/bbox/ymax': { floats: objects.map((o) => o.box[3]) },
    'image/object/class/label': { int64s: objects.map((o) => o.label) },
    ...(extra as object),
  });
}

function file(name: string, records: readonly Buffer[]): string {
  const path = join(dir, name);
  writeFileSync(path, tfRecordFile(records));
  return path;
}

const cat: Box = { label: 1, box: [0.25, 0.25, 0.75, 0.75] };
const dog: Box = { label: 2, box: [0, 0, 0.25, 0.5] };
/** The stand-in model: finds exactly `boxes`, at score 0.9. */
const finds = (boxes: readonly Box[]) => async (): Promise<Prediction[]> =>
  boxes.map((b) => [b.label, 0.9, ...b.box] as Prediction);

describe('imageIdOf', () => {
  it("is the source id when it is an integer, else the record's index", () => {
    assert.equal(imageIdOf('42', 3), 42);
    assert.equal(imageIdOf(' 7 ', 3), 7);
    assert.equal(imageIdOf('-5', 3), -5);
    assert.equal(imageIdOf('photo.jpg', 3), 3);
    assert.equal(imageIdOf('1.5', 3), 3);
    assert.equal(imageIdOf(undefined, 9), 9);
    assert.equal(imageIdOf('12345678901234567890', 2), 2, 'beyond a safe integer');
  });
});

describe('evaluateRecords', () => {
  it('evaluates each record with pixel boxes and ids from the records', async () => {
    const path = file('perfect.record', [record('10', [cat, dog]), record('not-a-number', [cat])]);
    const seen: { imageId: number; boxes: number[][] }[] = [];
    const progress: string[] = [];
    const result = await evaluateRecords({
      files: [path],
      detect: async (image) => (image ? finds([cat, dog])() : []),
      threshold: 0.5,
      onImage: ({ imageId, detections }) =>
        void seen.push({ imageId, boxes: detections.map((d) => [...d.bbox]) }),
      onProgress: (done, total) => void progress.push(`${done}/${total}`),
    });
    assert.equal(result.images, 2);
    assert.deepEqual(progress, ['1/2', '2/2']);
    assert.deepEqual(
      seen.map((s) => s.imageId),
      [10, 1],
    );
    assert.deepEqual(seen[0]!.boxes[0], [50, 25, 100, 50], 'normalised box in a 200x100 image');
    // Image 1 has no dog: the dog detected there is a false positive, and at the same score it
    // ranks before image 10's true one (ties go by image id), so dog AP50 is 0.5, cat's 1.
    assert.ok(Math.abs(result.coco.summary.AP50 - 0.75) < 1e-9, `AP50 ${result.coco.summary.AP50}`);
    assert.deepEqual(result.confusion.counts, [
      [2, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });

  it('reads image/object/area and image/object/is_crowd', async () => {
    const path = file('crowd.record', [
      record('1', [cat, dog], {
        'image/object/area': { floats: [500, 1250] },
        'image/object/is_crowd': { int64s: [0, 1] },
      }),
    ]);
    const result = await evaluateRecords({
      files: [path],
      detect: finds([cat, dog]),
      threshold: 0.5,
    });
    // The cat's recorded area (500) makes it small; the crowd dog counts nowhere.
    assert.ok(result.coco.summary.APs > 0.99);
    assert.equal(result.coco.summary.APm, -1);
    assert.equal(result.coco.classes.find((c) => c.categoryId === 2)!.groundTruth, 0);
    assert.equal(
      result.confusion.images[0]!.falsePositives,
      0,
      'a detection on the crowd is no error',
    );
  });

  it('names and leaves out a damaged record, an undecodable image and an object without a class', async () => {
    const damaged = tfRecordFrame(record('2', [cat]));
    damaged[20] = damaged[20]! ^ 0xff; // inside the data: its CRC no longer matches
    const notAnImage = encodeExample({ 'image/encoded': { bytes: [Buffer.from('not an image')] } });
    const noClass = encodeExample({
      'image/encoded': { bytes: [png] },
      'image/source_id': { bytes: ['4'] },
      'image/object/bbox/xmin': { floats: [0.1] },
      'image/object/bbox/ymin': { floats: [0.1] },
      'image/object/bbox/xmax': { floats: [0.2] },
      'image/object/bbox/ymax': { floats: [0.2] },
    });
    const path = join(dir, 'damaged.record');
    writeFileSync(
      path,
      Buffer.concat([
        tfRecordFrame(record('1', [cat])),
        damaged,
        tfRecordFrame(notAnImage),
        tfRecordFrame(noClass),
      ]),
    );
    const problems: string[] = [];
    const result = await evaluateRecords({
      files: [path],
      detect: finds([cat]),
      threshold: 0.5,
      onProblem: (m) => void problems.push(m),
    });
    assert.equal(result.images, 2);
    assert.equal(result.skipped, 2);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /damaged\.record: record 1 .*left out/);
    assert.match(problems[1]!, /record 2: its image does not decode/);
    assert.match(problems[2]!, /record 3: object 0 has no image\/object\/class\/label/);
  });

  it('refuses two records with the same image id, naming both', async () => {
    const path = file('twice.record', [record('5', [cat]), record('5', [dog])]);
    await assert.rejects(
      evaluateRecords({ files: [path], detect: finds([]), threshold: 0.5 }),
      (error: unknown) =>
        error instanceof UserError &&
        /record 1 has image id 5, as .*record 0 does/.test(error.message),
    );
  });

  it('stops between records when cancelled', async () => {
    const path = file(
      'long.record',
      Array.from({ length: 20 }, (_, i) => record(String(i), [cat])),
    );
    const controller = new AbortController();
    let detected = 0;
    await assert.rejects(
      evaluateRecords({
        files: [path],
        detect: async () => {
          if (++detected === 3) controller.abort();
          return [];
        },
        threshold: 0.5,
        signal: controller.signal,
      }),
      CancelledError,
    );
    assert.equal(detected, 3);
  });

  it('keeps the worst images with judged boxes, and reads their images back by offset', async () => {
    const path = file('gallery.record', [
      record('1', [cat]), // found: no mistake, not kept
      record('2', [cat, dog]), // the dog is missed
      record('3', [dog]), // the cat detected is false, the dog missed
    ]);
    const result = await evaluateRecords({ files: [path], detect: finds([cat]), threshold: 0.5 });
    assert.deepEqual(
      result.worst.map((w) => [w.imageId, w.misses, w.falsePositives, w.record]),
      [
        [3, 1, 1, 2],
        [2, 1, 0, 1],
      ],
    );
    assert.deepEqual(
      result.worst[1]!.truths.map((t) => [t.categoryId, t.outcome]),
      [
        [1, 'found'],
        [2, 'missed'],
      ],
    );
    assert.deepEqual(
      result.worst[0]!.detections.map((d) => d.outcome),
      ['false'],
    );
    const report = buildReport(result, { model: 'm', records: [path], threshold: 0.5 });
    const images = await readGalleryImages(report.gallery);
    assert.deepEqual(Object.keys(images).sort(), ['2', '3']);
    assert.equal(images[3], `data:image/png;base64,${Buffer.from(png).toString('base64')}`);
    const moved = await readGalleryImages([
      { ...report.gallery[0]!, file: join(dir, 'gone.record') },
    ]);
    assert.deepEqual(moved, {}, 'a record file that is gone gives no image, and no error');
  });

  it('keeps at most `concurrency` images in flight and gives the same result as one at a time', async () => {
    const path = file(
      'many.record',
      Array.from({ length: 30 }, (_, i) => record(String(i), i % 3 ? [cat] : [cat, dog])),
    );
    let inFlight = 0;
    let most = 0;
    const slow = (delay: (n: number) => number) => {
      let n = 0;
      return async (): Promise<Prediction[]> => {
        inFlight++;
        most = Math.max(most, inFlight);
        const wait = delay(n++);
        await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight--;
        return [
          [1, 0.9 - (n % 5) / 10, ...cat.box] as Prediction,
          [2, 0.3, ...dog.box] as Prediction,
        ];
      };
    };
    const one = await evaluateRecords({ files: [path], detect: slow(() => 0), threshold: 0.5 });
    assert.equal(most, 1);
    most = 0;
    const three = await evaluateRecords({
      files: [path],
      detect: slow((n) => (n * 7) % 5), // finishing out of order
      threshold: 0.5,
      concurrency: 3,
    });
    assert.equal(most, 3);
    assert.deepEqual(three.coco.summary, one.coco.summary);
    assert.deepEqual(three.confusion.counts, one.confusion.counts);
    assert.deepEqual(
      three.worst.map((w) => w.imageId),
      one.worst.map((w) => w.imageId),
    );
  });
});
