import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxLayout,
  captionText,
  className,
  classesIn,
  cssColour,
  fitText,
  layoutCaptions,
  visiblePredictions,
} from '../../../media/preview/view';
import { overlaps } from '../../../src/detection/captionLayout';
import type { Prediction } from '../../../src/detection';

const cat: Prediction = [17, 0.93, 0.1, 0.2, 0.6, 0.9];
const person: Prediction = [1, 0.62, 0.5, 0.0, 1.0, 0.5];
const weak: Prediction = [17, 0.12, 0.0, 0.0, 0.2, 0.2];

describe('preview: threshold and class filtering', () => {
  it('keeps predictions at or above the threshold, strongest first', () => {
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.5), [cat, person]);
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.62), [cat, person]);
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.63), [cat]);
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.05), [cat, person, weak]);
    assert.deepEqual(visiblePredictions([weak, person, cat], 1), []);
  });

  it('drops classes switched off, whatever their confidence', () => {
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.05, [17]), [person]);
    assert.deepEqual(visiblePredictions([weak, person, cat], 0.05, new Set([1, 17])), []);
  });

  it('does not cap long lists (the slider filters what the host sent, nothing more)', () => {
    const many = Array.from({ length: 150 }, (_, i): Prediction => [
      1,
      0.6,
      0,
      0,
      0.1,
      0.1 + i / 1000,
    ]);
    assert.equal(visiblePredictions(many, 0.5).length, 150);
  });

  it('lists the classes present with how many pass the threshold', () => {
    assert.deepEqual(classesIn([[cat, weak], [person]], 0.5), [
      { id: 1, count: 1 },
      { id: 17, count: 1 },
    ]);
    assert.deepEqual(classesIn([[cat, weak], [person]], 0.7), [{ id: 17, count: 1 }]);
    assert.deepEqual(
      classesIn([[cat, weak], [person]], 0.95),
      [],
      'zero-count classes are not listed',
    );
  });
});

describe('preview: label lookup', () => {
  const labels = new Map([
    [1, 'person'],
    [17, 'cat'],
  ]);
  it('names a class from the label map', () => {
    assert.equal(className(17, labels), 'cat');
    assert.equal(captionText(cat, labels), 'cat 0.93');
  });
  it('falls back to the id when the label map lacks it or there is none', () => {
    assert.equal(className(4, labels), 'class 4');
    assert.equal(className(17, new Map()), 'class 17');
    assert.equal(captionText(person, new Map()), 'class 1 0.62');
  });
  it('gives each class its own colour, the same every time', () => {
    assert.notEqual(cssColour(1), cssColour(17));
    assert.equal(cssColour(17), cssColour(17));
    assert.match(cssColour(17), /^rgb\(\d+, \d+, \d+\)$/);
  });
});

describe('preview: box geometry on the canvas', () => {
  const sizes: [number, number][] = [
    [640, 480],
    [480, 640],
    [1000, 100],
    [100, 1000],
    [1, 1],
    [451, 300],
  ];
  for (const [width, height] of sizes) {
    it(`keeps boxes and their outline inside a ${width}x${height} image`, () => {
      for (const p of [cat, person, weak, [3, 0.9, 0, 0, 1, 1] as Prediction]) {
        const l = boxLayout(p, width, height);
        const half = l.lineWidth / 2;
        assert.ok(l.x - half >= 0 && l.y - half >= 0, `${JSON.stringify(l)}`);
        assert.ok(l.x + l.width + half <= width + 1e-9, `right edge ${JSON.stringify(l)}`);
        assert.ok(l.y + l.height + half <= height + 1e-9, `bottom edge ${JSON.stringify(l)}`);
      }
    });
  }

  it('scales normalised coordinates by width and height separately', () => {
    const wide = boxLayout([1, 0.9, 0.25, 0.5, 0.75, 1], 800, 200);
    const tall = boxLayout([1, 0.9, 0.25, 0.5, 0.75, 1], 200, 800);
    // x from 200 to 599 on the wide image, 50 to 149 on the tall one; y the other way round.
    assert.equal(wide.x - wide.lineWidth / 2, 200);
    assert.equal(wide.x + wide.width + wide.lineWidth / 2, 600);
    assert.equal(wide.y - wide.lineWidth / 2, 100);
    assert.equal(tall.x - tall.lineWidth / 2, 50);
    assert.equal(tall.y - tall.lineWidth / 2, 400);
    assert.equal(tall.y + tall.height + tall.lineWidth / 2, 800);
  });

  it('thickens lines and captions with the image size', () => {
    assert.ok(boxLayout(cat, 4000, 3000).lineWidth > boxLayout(cat, 400, 300).lineWidth);
    assert.ok(
      boxLayout(cat, 4000, 3000).caption.fontSize > boxLayout(cat, 400, 300).caption.fontSize,
    );
  });
});

describe('preview: captions on the canvas', () => {
  /** A stand-in for the canvas' measureText: every character 0.6 of the font size wide. */
  const measure = (text: string, fontSize: number) => text.length * fontSize * 0.6;
  const labels = new Map([
    [1, 'person'],
    [17, 'cat'],
  ]);

  it('puts the caption above the box, or inside when the box touches the top', () => {
    const [above] = layoutCaptions([cat], 640, 480, labels, measure);
    assert.equal(above!.y + above!.height, Math.floor(0.2 * 480));
    assert.equal(above!.x, Math.floor(0.1 * 640));
    assert.equal(above!.text, 'cat 0.93');
    const [inside] = layoutCaptions([person], 640, 480, labels, measure);
    assert.equal(inside!.y, 0);
  });

  it('keeps the captions of a crowd apart and on the image, the strongest in its own place', () => {
    // Twelve people in a row, shoulder to shoulder, each caption wider than its box.
    const crowd = Array.from({ length: 12 }, (_, i): Prediction => [
      1,
      0.9 - i * 0.01,
      0.04 + i * 0.075,
      0.3,
      0.11 + i * 0.075,
      0.95,
    ]);
    const names = new Map([[1, 'a person with a long name']]);
    const captions = layoutCaptions(crowd, 640, 480, names, measure);
    assert.equal(captions.length, 12, 'room for every caption');
    assert.deepEqual(captions[0], {
      ...captions[0],
      x: Math.floor(0.04 * 640),
      y: Math.floor(0.3 * 480) - captions[0]!.height,
    });
    for (const [i, a] of captions.entries()) {
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= 640 && a.y + a.height <= 480);
      for (const b of captions.slice(i + 1)) assert.ok(!overlaps(a, b), `${a.text} / ${b.text}`);
    }
  });

  it('shortens a caption wider than the image with an ellipsis', () => {
    const long = new Map([[17, 'a cat of a breed with a very long name indeed']]);
    const [caption] = layoutCaptions([cat], 120, 90, long, measure);
    assert.equal(caption!.width, 120);
    assert.match(caption!.text, /^a cat .*…$/);
    assert.ok(measure(caption!.text, caption!.fontSize) <= 120 - caption!.fontSize * 0.6);
    assert.equal(
      fitText('cat 0.93', 100, (t) => t.length * 10),
      'cat 0.93',
    );
    assert.equal(
      fitText('cat 0.93', 50, (t) => t.length * 10),
      'cat…',
    );
    assert.equal(
      fitText('cat 0.93', 5, (t) => t.length * 10),
      '…',
    );
  });
});
