import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  gap,
  overlaps,
  placeCaptions,
  type CaptionRequest,
  type Rect,
} from '../../../src/detection/captionLayout';
import { seededRandom } from '../prng';

const box = (x: number, y: number, width: number, height: number): Rect => ({
  x,
  y,
  width,
  height,
});
const caption = (b: Rect, width = 80, height = 20): CaptionRequest => ({ box: b, width, height });

/** The layout's promises, checked on every placed caption. */
function assertReadable(
  requests: readonly CaptionRequest[],
  spots: readonly (Rect | undefined)[],
  width: number,
  height: number,
): void {
  assert.equal(spots.length, requests.length);
  const placed = spots.flatMap((s, i) => (s ? [{ s, i }] : []));
  for (const { s, i } of placed) {
    const where = `caption ${i} at ${JSON.stringify(s)}`;
    assert.ok(s.x >= 0 && s.y >= 0, `${where} starts on the image`);
    assert.ok(s.x + s.width <= width && s.y + s.height <= height, `${where} ends on the image`);
    assert.equal(s.height, requests[i]!.height, `${where} keeps its height`);
    assert.equal(s.width, Math.min(requests[i]!.width, width), `${where} keeps its width`);
    assert.ok(gap(s, requests[i]!.box) <= s.height, `${where} stays near its box`);
  }
  for (const [n, a] of placed.entries())
    for (const b of placed.slice(n + 1))
      assert.ok(
        !overlaps(a.s, b.s),
        `captions ${a.i} and ${b.i} overlap: ${JSON.stringify(a.s)} ${JSON.stringify(b.s)}`,
      );
}

describe('caption layout: one box', () => {
  it('puts the caption just above the box, at its left edge', () => {
    assert.deepEqual(placeCaptions([caption(box(100, 100, 200, 150))], 640, 480), [
      box(100, 80, 80, 20),
    ]);
  });

  it('flips inside the box when it touches the top of the image', () => {
    assert.deepEqual(placeCaptions([caption(box(100, 5, 200, 150))], 640, 480), [
      box(100, 5, 80, 20),
    ]);
  });

  it('moves left to stay on the image when the box touches the right edge', () => {
    assert.deepEqual(placeCaptions([caption(box(600, 100, 40, 40))], 640, 480), [
      box(560, 80, 80, 20),
    ]);
  });

  it('narrows a caption wider than the image to the image', () => {
    assert.deepEqual(placeCaptions([caption(box(10, 50, 20, 20), 500)], 300, 200), [
      box(0, 30, 300, 20),
    ]);
  });

  it('fits a whole-image box, and leaves out a caption taller than the image', () => {
    assert.deepEqual(placeCaptions([caption(box(0, 0, 640, 480))], 640, 480), [box(0, 0, 80, 20)]);
    assert.deepEqual(placeCaptions([caption(box(0, 0, 10, 10))], 10, 10), [undefined]);
  });
});

describe('caption layout: crowded images', () => {
  it('gives the first caption the place it would have alone', () => {
    const requests = [caption(box(100, 100, 50, 50)), caption(box(110, 100, 50, 50))];
    const [first, second] = placeCaptions(requests, 640, 480);
    assert.deepEqual(first, box(100, 80, 80, 20));
    assert.ok(second && !overlaps(first!, second));
    assertReadable(requests, [first, second], 640, 480);
  });

  it('stacks the captions of boxes that coincide (duplicate detections), all shown', () => {
    const requests = Array.from({ length: 8 }, () => caption(box(200, 150, 160, 200)));
    const spots = placeCaptions(requests, 640, 480);
    assertReadable(requests, spots, 640, 480);
    assert.ok(spots.every(Boolean), JSON.stringify(spots));
    assert.deepEqual(spots[0], box(200, 130, 80, 20), 'the strongest keeps its place above');
  });

  it('separates the wide captions of a row of narrow boxes side by side, all shown', () => {
    const requests = Array.from({ length: 10 }, (_, i) => caption(box(40 + i * 30, 200, 30, 120)));
    const spots = placeCaptions(requests, 640, 480);
    assertReadable(requests, spots, 640, 480);
    assert.ok(spots.every(Boolean), JSON.stringify(spots));
  });

  it('keeps captions on a crowd along the top edge apart, all shown', () => {
    const requests = Array.from({ length: 12 }, (_, i) => caption(box(i * 50, 0, 60, 80), 90));
    const spots = placeCaptions(requests, 640, 480);
    assertReadable(requests, spots, 640, 480);
    assert.ok(spots.every(Boolean), JSON.stringify(spots));
  });

  it('keeps every placed caption on the image and apart on random crowds (seeded)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const random = seededRandom(seed);
      const [width, height] = [200 + Math.floor(random() * 800), 150 + Math.floor(random() * 600)];
      const count = 5 + Math.floor(random() * 60);
      const requests = Array.from({ length: count }, () => {
        const w = 5 + random() * width * 0.5;
        const h = 5 + random() * height * 0.5;
        const b = box(random() * (width - w), random() * (height - h), w, h);
        return caption(b, 30 + random() * 150, 14 + random() * 12);
      });
      const spots = placeCaptions(requests, width, height);
      assertReadable(requests, spots, width, height);
      assert.ok(spots[0], `seed ${seed}: the strongest caption is always shown`);
    }
  });

  it('shows every caption of a moderate crowd (ten people in a group photo)', () => {
    const random = seededRandom(42);
    const requests = Array.from({ length: 10 }, (_, i) =>
      caption(box(20 + i * 60 + random() * 10, 120 + random() * 40, 70, 300), 100, 22),
    );
    const spots = placeCaptions(requests, 700, 480);
    assertReadable(requests, spots, 700, 480);
    assert.ok(spots.every(Boolean), JSON.stringify(spots));
  });

  it('leaves out what cannot fit rather than overlap (a hundred boxes on a thumbnail)', () => {
    const requests = Array.from({ length: 100 }, (_, i) =>
      caption(box((i % 10) * 10, Math.floor(i / 10) * 10, 10, 10), 60, 14),
    );
    const spots = placeCaptions(requests, 100, 100);
    assertReadable(requests, spots, 100, 100);
    const shown = spots.filter(Boolean).length;
    assert.ok(shown > 0 && shown < 100, `${shown} of 100 shown`);
  });
});

describe('caption layout: geometry', () => {
  it('counts touching rectangles as apart, and measures the gap between them', () => {
    assert.equal(overlaps(box(0, 0, 10, 10), box(10, 0, 10, 10)), false);
    assert.equal(overlaps(box(0, 0, 10, 10), box(9, 9, 10, 10)), true);
    assert.equal(gap(box(0, 0, 10, 10), box(10, 0, 10, 10)), 0);
    assert.equal(gap(box(0, 0, 10, 10), box(0, 25, 10, 10)), 15);
    assert.equal(gap(box(30, 0, 10, 10), box(0, 0, 10, 10)), 20);
  });
});
