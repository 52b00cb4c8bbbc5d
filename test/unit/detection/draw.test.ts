import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxToPixels,
  colourForClass,
  drawPredictions,
  type Prediction,
  type RgbaImage,
} from '../../../src/detection';

function blank(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8Array(width * height * 4).fill(0) };
}

function pixel(image: RgbaImage, x: number, y: number): number[] {
  const i = 4 * (y * image.width + x);
  return Array.from(image.data.subarray(i, i + 4));
}

const box = (xmin: number, ymin: number, xmax: number, ymax: number): Prediction => [
  1,
  0.9,
  xmin,
  ymin,
  xmax,
  ymax,
];

describe('boxToPixels', () => {
  it('maps the whole image to every pixel', () => {
    assert.deepEqual(boxToPixels(box(0, 0, 1, 1), 640, 480), {
      left: 0,
      top: 0,
      right: 639,
      bottom: 479,
    });
  });

  it('scales x by the width and y by the height, for any aspect ratio', () => {
    assert.deepEqual(boxToPixels(box(0.25, 0.5, 0.75, 1), 400, 100), {
      left: 100,
      top: 50,
      right: 299,
      bottom: 99,
    });
    assert.deepEqual(boxToPixels(box(0.25, 0.5, 0.75, 1), 100, 400), {
      left: 25,
      top: 200,
      right: 74,
      bottom: 399,
    });
  });

  it('covers partial pixels at the edges', () => {
    // 0.33 * 10 = 3.3 -> pixel 3; 0.67 * 10 = 6.7 -> pixel 6
    assert.deepEqual(boxToPixels(box(0.33, 0.33, 0.67, 0.67), 10, 10), {
      left: 3,
      top: 3,
      right: 6,
      bottom: 6,
    });
  });

  it('gives at least one pixel, inside the image, for degenerate boxes', () => {
    assert.deepEqual(boxToPixels(box(0.5, 0.5, 0.5, 0.5), 10, 10), {
      left: 5,
      top: 5,
      right: 5,
      bottom: 5,
    });
    assert.deepEqual(boxToPixels(box(1, 1, 1, 1), 10, 10), {
      left: 9,
      top: 9,
      right: 9,
      bottom: 9,
    });
  });
});

describe('drawPredictions', () => {
  const red = [255, 0, 0] as const;

  it('outlines the box inside its pixels and leaves the rest alone', () => {
    const image = blank(20, 10);
    const out = drawPredictions(image, [box(0.25, 0.2, 0.75, 0.8)], {
      lineWidth: 1,
      colourFor: () => red,
      captions: false,
    });
    // Box is x 5..14, y 2..7
    for (const [x, y] of [
      [5, 2],
      [14, 2],
      [5, 7],
      [14, 7],
      [10, 2],
      [5, 5],
    ])
      assert.deepEqual(pixel(out, x!, y!), [255, 0, 0, 255], `edge pixel ${x},${y}`);
    for (const [x, y] of [
      [4, 2],
      [6, 3],
      [10, 5],
      [15, 7],
      [10, 8],
    ])
      assert.deepEqual(pixel(out, x!, y!), [0, 0, 0, 0], `pixel ${x},${y} outside the outline`);
  });

  it('draws thicker lines inwards only', () => {
    const out = drawPredictions(blank(20, 20), [box(0.25, 0.25, 0.75, 0.75)], {
      lineWidth: 3,
      colourFor: () => red,
      captions: false,
    });
    // Box is 5..14; 3 px lines cover 5..7 and 12..14.
    assert.deepEqual(pixel(out, 7, 10), [255, 0, 0, 255]);
    assert.deepEqual(pixel(out, 8, 10), [0, 0, 0, 0]);
    assert.deepEqual(pixel(out, 4, 10), [0, 0, 0, 0]);
    assert.deepEqual(pixel(out, 12, 10), [255, 0, 0, 255]);
  });

  it('does not change the image it was given', () => {
    const image = blank(8, 8);
    drawPredictions(image, [box(0, 0, 1, 1)]);
    assert.ok(image.data.every((v) => v === 0));
  });

  it('puts a caption band above the box, in the class colour', () => {
    const out = drawPredictions(blank(200, 200), [[17, 0.93, 0.2, 0.5, 0.8, 0.9]], {
      lineWidth: 1,
    });
    const colour = colourForClass(17);
    // The band ends just above the box's top row (y = 100) at its left edge.
    assert.deepEqual(pixel(out, 40, 99).slice(0, 3), [...colour]);
    assert.deepEqual(pixel(out, 39, 99), [0, 0, 0, 0]);
  });

  it('keeps the captions of coinciding boxes apart: the second goes inside the box', () => {
    const out = drawPredictions(
      blank(200, 200),
      [
        [1, 0.9, 0.2, 0.5, 0.8, 0.9],
        [2, 0.8, 0.2, 0.5, 0.8, 0.9],
      ],
      { lineWidth: 1 },
    );
    // The strongest's band ends just above the box (y = 100); the other's starts on its top row.
    assert.deepEqual(pixel(out, 40, 99).slice(0, 3), [...colourForClass(1)]);
    assert.deepEqual(pixel(out, 41, 100).slice(0, 3), [...colourForClass(2)]);
    assert.deepEqual(pixel(out, 41, 101).slice(0, 3), [...colourForClass(2)]);
  });

  it('gives each class a stable colour', () => {
    assert.deepEqual(colourForClass(17), colourForClass(17));
    assert.deepEqual(colourForClass(17), colourForClass(17.2), 'ids are whole numbers');
  });

  it('gives the first 100 classes 100 different colours, neighbours far apart', () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const colours = ids.map((id) => colourForClass(id).join(','));
    assert.equal(new Set(colours).size, 100, 'no colour repeats');
    const distance = (a: number, b: number) => {
      const [x, y] = [colourForClass(a), colourForClass(b)];
      return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
    };
    // Classes 1 and 13 shared a colour in the old 12-colour table.
    assert.ok(distance(1, 13) > 60, `1 vs 13: ${distance(1, 13)}`);
    for (const id of ids.slice(0, 20)) assert.ok(distance(id, id + 1) > 100, `${id} vs ${id + 1}`);
    // Among the first 12 classes, no two are hard to tell apart.
    for (const a of ids.slice(0, 12))
      for (const b of ids.slice(a, 12)) assert.ok(distance(a, b) > 40, `${a} vs ${b}`);
    for (const id of ids) assert.ok(colourForClass(id).every((v) => v >= 0 && v <= 255));
  });
});
