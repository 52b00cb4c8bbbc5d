// The detection engine on the real COCO SSDLite model and real photos (test/harness/fixtures.sh),
// on the wasm backend as the extension and `tfod predict` run it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import {
  decodeImage,
  loadDetector,
  type Detector,
  type Prediction,
  type RgbaImage,
} from '../../../src/detection';
import { COCO, fixtures, type PhotoName } from './fixtures';

let detector: Detector;
before(async () => {
  detector = await loadDetector(fixtures().modelDir, { backend: 'wasm' });
});
after(() => detector?.dispose());

const area = ([, , xmin, ymin, xmax, ymax]: Prediction) => (xmax - xmin) * (ymax - ymin);
const centre = ([, , xmin, ymin, xmax, ymax]: Prediction) => [(xmin + xmax) / 2, (ymin + ymax) / 2];

/** What each photo must give: the top class, a confidence floor, and where the box must be. */
const EXPECTED: Record<
  PhotoName,
  { classId: number; minConfidence: number; check: (p: Prediction) => void }
> = {
  chelsea: {
    classId: COCO.cat,
    minConfidence: 0.85,
    // The cat fills most of the frame.
    check: (p) => assert.ok(area(p) > 0.6, `cat box area ${area(p)}`),
  },
  astronaut: {
    classId: COCO.person,
    minConfidence: 0.6,
    // A portrait: the person spans most of the height, centred left of the middle.
    check: (p) => {
      assert.ok(p[5] - p[3] > 0.7, `person box height ${p[5] - p[3]}`);
      assert.ok(centre(p)[0]! > 0.2 && centre(p)[0]! < 0.6, `person centre ${centre(p)}`);
    },
  },
  coffee: {
    classId: COCO.cup,
    minConfidence: 0.9,
    // The cup sits in the upper middle of the photo, well inside it.
    check: (p) => {
      const [x, y] = centre(p);
      assert.ok(x! > 0.35 && x! < 0.65 && y! > 0.2 && y! < 0.5, `cup centre ${x},${y}`);
      assert.ok(area(p) > 0.1 && area(p) < 0.4, `cup box area ${area(p)}`);
    },
  },
  motorcycle_left: {
    classId: COCO.motorcycle,
    minConfidence: 0.9,
    check: (p) => assert.ok(area(p) > 0.4, `motorcycle box area ${area(p)}`),
  },
};

describe('the COCO SSD test model on the wasm backend', () => {
  it('loads as a GraphModel whose outputs leave NMS to this code', () => {
    assert.equal(detector.backend, 'wasm');
    assert.equal(detector.format, 'graph-model');
    assert.equal(detector.layout.kind, 'raw');
  });

  for (const [photo, expected] of Object.entries(EXPECTED) as [
    PhotoName,
    (typeof EXPECTED)[PhotoName],
  ][])
    it(`finds class ${expected.classId} on ${photo} with a plausible box`, async (t) => {
      const image = decodeImage(fixtures().photo(photo));
      const started = performance.now();
      const predictions = await detector.detect(image);
      t.diagnostic(
        `${photo} ${image.width}x${image.height}: ${(performance.now() - started).toFixed(0)} ms, ${JSON.stringify(predictions.map((p) => [p[0], +p[1].toFixed(3)]))}`,
      );
      const top = predictions[0];
      assert.ok(top, `no detection on ${photo}`);
      assert.equal(top[0], expected.classId);
      assert.ok(top[1] >= expected.minConfidence, `confidence ${top[1]}`);
      expected.check(top);
      for (const p of predictions) {
        assert.ok(p[1] >= 0.5, 'every prediction meets the default threshold');
        assert.ok(
          p[2] >= 0 && p[2] < p[4] && p[4] <= 1 && p[3] >= 0 && p[3] < p[5] && p[5] <= 1,
          `box ${p}`,
        );
      }
      for (let i = 1; i < predictions.length; i++)
        assert.ok(predictions[i - 1]![1] >= predictions[i]![1], 'sorted by confidence');
    });

  it('finds the dining table under the cup too, and only the cup at threshold 0.9', async () => {
    const image = decodeImage(fixtures().photo('coffee'));
    const all = await detector.detect(image);
    assert.deepEqual(
      all.map((p) => p[0]),
      [COCO.cup, COCO.diningTable],
    );
    const strict = await detector.detect(image, { threshold: 0.9 });
    assert.deepEqual(
      strict.map((p) => p[0]),
      [COCO.cup],
    );
  });

  it('gives the same answer for the photo as a JPEG', async () => {
    const png = decodeImage(fixtures().photo('chelsea'));
    const asJpeg = jpeg.encode({ ...png, data: Buffer.from(png.data) }, 90).data;
    const predictions = await detector.detect(decodeImage(asJpeg));
    assert.equal(predictions[0]?.[0], COCO.cat);
  });

  it('finds nothing on a flat grey image and leaves no tensors behind', async () => {
    const { tf } = await import('../../../src/detection').then((m) => m.getTfRuntime());
    const grey: RgbaImage = {
      width: 320,
      height: 240,
      data: new Uint8Array(320 * 240 * 4).fill(128),
    };
    const before = tf.memory().numTensors;
    assert.deepEqual(await detector.detect(grey), []);
    await detector.detect(decodeImage(fixtures().photo('astronaut')));
    assert.equal(tf.memory().numTensors, before);
  });
});
