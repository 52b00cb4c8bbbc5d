import { placeCaptions, type Rect } from './captionLayout';
import type { Prediction, RgbaImage } from './types';

/** A box in whole pixels; `right` and `bottom` are the last pixel column and row inside it. */
export interface PixelBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export type Rgb = readonly [r: number, g: number, b: number];

/** The golden angle in degrees: successive multiples of it never land on the same hue. */
const GOLDEN_ANGLE = 137.50776405003785;

/**
 * A fixed colour per class id, the same in every image and in the preview panel. Hues step by the
 * golden angle, so no two classes share a colour and classes with neighbouring ids (often seen
 * together) are far apart on the colour wheel; the lightness alternates in three steps so that
 * hues that do come close (ids 1 and 14, say) still differ.
 */
export function colourForClass(classId: number): Rgb {
  const n = Math.round(classId) - 1;
  const hue = (((n * GOLDEN_ANGLE) % 360) + 360) % 360;
  const lightness = [0.5, 0.62, 0.42][((n % 3) + 3) % 3];
  return hslToRgb(hue, 0.75, lightness);
}

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const at = (k: number) => {
    const h = (k + hue / 30) % 12;
    return lightness - (chroma / 2) * Math.max(-1, Math.min(h - 3, 9 - h, 1));
  };
  return [Math.round(at(0) * 255), Math.round(at(8) * 255), Math.round(at(4) * 255)];
}

/**
 * A normalised box to the pixels it covers in a `width` x `height` image: a box edge at 0.5 of a
 * 10-pixel-wide image falls between pixels 4 and 5. Always at least one pixel, always inside.
 */
export function boxToPixels(
  [, , xmin, ymin, xmax, ymax]: Prediction,
  width: number,
  height: number,
): PixelBox {
  const span = (a: number, b: number, size: number): [number, number] => {
    const first = clamp(Math.floor(Math.min(a, b) * size), 0, size - 1);
    const last = clamp(Math.ceil(Math.max(a, b) * size) - 1, first, size - 1);
    return [first, last];
  };
  const [left, right] = span(xmin, xmax, width);
  const [top, bottom] = span(ymin, ymax, height);
  return { left, top, right, bottom };
}

export interface DrawOptions {
  /** Outline thickness in pixels; default scales with the image (2 px at 400 px). */
  readonly lineWidth?: number;
  readonly colourFor?: (classId: number) => Rgb;
  /** Writes "<class id> <confidence>" above each box in a small pixel font; default true. */
  readonly captions?: boolean;
}

/**
 * A copy of the image with each prediction's box outlined (inside the box, so edges stay on the
 * image) and, by default, a caption with its class id and confidence: over the boxes, never over
 * another caption nor off the image (placeCaptions; `predictions` strongest first).
 */
export function drawPredictions(
  image: RgbaImage,
  predictions: readonly Prediction[],
  options: DrawOptions = {},
): RgbaImage {
  const out: RgbaImage = {
    width: image.width,
    height: image.height,
    data: new Uint8Array(image.data),
  };
  const lineWidth =
    options.lineWidth ?? Math.max(2, Math.round(Math.min(image.width, image.height) / 200));
  const colourFor = options.colourFor ?? colourForClass;
  // Weakest first, so the strongest box ends on top where boxes overlap.
  for (const prediction of [...predictions].reverse())
    strokeRect(
      out,
      boxToPixels(prediction, image.width, image.height),
      lineWidth,
      colourFor(prediction[0]),
    );
  if (options.captions ?? true) {
    // Over all the boxes, placed (strongest first) so that none covers another or leaves the image.
    const font = captionFont(image);
    const texts = predictions.map((p) => `${p[0]} ${p[1].toFixed(2)}`);
    const spots = placeCaptions(
      predictions.map((p, i) => {
        const box = boxToPixels(p, image.width, image.height);
        return {
          box: {
            x: box.left,
            y: box.top,
            width: box.right + 1 - box.left,
            height: box.bottom + 1 - box.top,
          },
          width: texts[i]!.length * 4 * font.scale - font.scale + 2 * font.pad,
          height: 5 * font.scale + 2 * font.pad,
        };
      }),
      image.width,
      image.height,
    );
    spots.forEach((spot, i) => {
      if (spot) drawCaption(out, spot, texts[i]!, colourFor(predictions[i]![0]), font);
    });
  }
  return out;
}

/** Fills the outline of `box`, `lineWidth` pixels thick, growing inwards. */
export function strokeRect(image: RgbaImage, box: PixelBox, lineWidth: number, colour: Rgb): void {
  const w = Math.max(1, Math.round(lineWidth));
  fillRect(image, box.left, box.top, box.right, Math.min(box.bottom, box.top + w - 1), colour);
  fillRect(image, box.left, Math.max(box.top, box.bottom - w + 1), box.right, box.bottom, colour);
  fillRect(image, box.left, box.top, Math.min(box.right, box.left + w - 1), box.bottom, colour);
  fillRect(image, Math.max(box.left, box.right - w + 1), box.top, box.right, box.bottom, colour);
}

/** Fills the pixels from (x0, y0) to (x1, y1) inclusive, clipped to the image, opaque. */
export function fillRect(
  image: RgbaImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  colour: Rgb,
): void {
  const left = Math.max(0, x0);
  const right = Math.min(image.width - 1, x1);
  const top = Math.max(0, y0);
  const bottom = Math.min(image.height - 1, y1);
  for (let y = top; y <= bottom; y++)
    for (let x = left; x <= right; x++) {
      const i = 4 * (y * image.width + x);
      image.data[i] = colour[0];
      image.data[i + 1] = colour[1];
      image.data[i + 2] = colour[2];
      image.data[i + 3] = 255;
    }
}

// 3x5 glyphs for the caption's characters, one row per string, '#' = ink.
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '.': ['...', '...', '...', '...', '.#.'],
  ' ': ['...', '...', '...', '...', '...'],
};

/** The pixel font's size on `image`: each glyph cell is `scale` pixels, the band padded by `pad`. */
function captionFont(image: RgbaImage): { scale: number; pad: number } {
  const scale = Math.max(2, Math.round(Math.min(image.width, image.height) / 250));
  return { scale, pad: scale };
}

/** A caption on a filled band at `spot` (placeCaptions'), with as many characters as fit. */
function drawCaption(
  image: RgbaImage,
  spot: Rect,
  text: string,
  colour: Rgb,
  { scale, pad }: { scale: number; pad: number },
): void {
  const left = Math.round(spot.x);
  const top = Math.round(spot.y);
  const right = left + Math.round(spot.width) - 1;
  fillRect(image, left, top, right, top + Math.round(spot.height) - 1, colour);
  const ink: Rgb =
    colour[0] * 0.299 + colour[1] * 0.587 + colour[2] * 0.114 > 140 ? [0, 0, 0] : [255, 255, 255];
  [...text].forEach((ch, n) => {
    // A band narrowed to the image shows the characters that fit whole.
    if (left + pad + (4 * n + 3) * scale - 1 > right) return;
    const glyph = GLYPHS[ch] ?? GLYPHS[' '];
    glyph.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell !== '#') return;
        const x = left + pad + (4 * n + gx) * scale;
        const y = top + pad + gy * scale;
        fillRect(image, x, y, x + scale - 1, y + scale - 1, ink);
      });
    });
  });
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
