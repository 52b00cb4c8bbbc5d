// `node scripts/icon.mjs`: writes media/icons/tfod.png, the extension's 128 x 128 icon (package.json
// `icon`, which the Marketplace requires as a PNG), from the activity-bar design in
// media/icons/tfod.svg: its shapes, scaled from the 24-unit view box, drawn in white on a rounded
// tile of TensorFlow orange. The PNG is committed and generated only by this script (no drawn or
// downloaded art); test/unit/project/icon.test.ts checks that it still matches the SVG.
//
// The SVG holds only what this reads: <rect> (x, y, width, height, rx, stroke-dasharray) and
// <circle> (cx, cy, r), stroked at the root's stroke-width or filled. Each pixel's coverage is the
// share of 8 x 8 samples inside a shape, so edges are smoothed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SVG = join(root, 'media', 'icons', 'tfod.svg');
export const PNG_PATH = join(root, 'media', 'icons', 'tfod.png');

const SIZE = 128;
const SAMPLES = 8;
/** The tile: TensorFlow's orange, corners of 16 px. */
const TILE = { color: [0xff, 0x6f, 0x00], radius: 16 };
const INK = [0xff, 0xff, 0xff];

const number = (attributes, name, fallback = 0) => {
  const m = new RegExp(`\\b${name}="([-\\d.]+)"`).exec(attributes);
  return m ? Number(m[1]) : fallback;
};

/** The shapes of the SVG, in view-box units. */
export function readShapes(svgText) {
  const rootAttributes = /<svg\b([^>]*)>/.exec(svgText)?.[1] ?? '';
  const width = number(rootAttributes, 'stroke-width', 1);
  const viewBox = /viewBox="([\d. -]+)"/.exec(rootAttributes)?.[1].split(/\s+/).map(Number);
  const shapes = [];
  for (const [, tag, attributes] of svgText.matchAll(/<(rect|circle)\b([^>]*)\/>/g)) {
    const filled = /\bfill="(?!none)/.test(attributes) && /\bstroke="none"/.test(attributes);
    if (tag === 'rect') {
      const dash = /stroke-dasharray="([\d. ]+)"/.exec(attributes)?.[1].trim().split(/\s+/);
      shapes.push({
        kind: 'rect',
        x: number(attributes, 'x'),
        y: number(attributes, 'y'),
        w: number(attributes, 'width'),
        h: number(attributes, 'height'),
        rx: number(attributes, 'rx'),
        dash: dash ? dash.map(Number) : undefined,
        width,
        filled,
      });
    } else
      shapes.push({
        kind: 'circle',
        cx: number(attributes, 'cx'),
        cy: number(attributes, 'cy'),
        r: number(attributes, 'r'),
        width,
        filled,
      });
  }
  return { viewBox: viewBox ?? [0, 0, 24, 24], shapes };
}

/** Signed distance from (px, py) to a rounded box (negative inside). */
function roundedBoxDistance(px, py, cx, cy, hw, hh, r) {
  const qx = Math.abs(px - cx) - (hw - r);
  const qy = Math.abs(py - cy) - (hh - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

/** Where along a rectangle's outline (from its top-left corner, clockwise) (px, py) lies. */
function perimeterPosition(px, py, s) {
  const dx = [
    Math.abs(py - s.y),
    Math.abs(px - (s.x + s.w)),
    Math.abs(py - (s.y + s.h)),
    Math.abs(px - s.x),
  ];
  const side = dx.indexOf(Math.min(...dx));
  const clampX = Math.min(Math.max(px, s.x), s.x + s.w);
  const clampY = Math.min(Math.max(py, s.y), s.y + s.h);
  if (side === 0) return clampX - s.x;
  if (side === 1) return s.w + (clampY - s.y);
  if (side === 2) return s.w + s.h + (s.x + s.w - clampX);
  return 2 * s.w + s.h + (s.y + s.h - clampY);
}

function inside(shape, px, py) {
  if (shape.kind === 'circle') {
    const d = Math.hypot(px - shape.cx, py - shape.cy) - shape.r;
    return shape.filled ? d <= 0 : Math.abs(d) <= shape.width / 2;
  }
  const half = shape.width / 2;
  const cx = shape.x + shape.w / 2;
  const cy = shape.y + shape.h / 2;
  let on;
  if (shape.rx > 0)
    on = Math.abs(roundedBoxDistance(px, py, cx, cy, shape.w / 2, shape.h / 2, shape.rx)) <= half;
  else {
    // Square corners (miter joins): inside the outline grown by half the stroke, outside it shrunk.
    const ax = Math.abs(px - cx);
    const ay = Math.abs(py - cy);
    const outer = ax <= shape.w / 2 + half && ay <= shape.h / 2 + half;
    const inner = ax < shape.w / 2 - half && ay < shape.h / 2 - half;
    on = shape.filled ? outer : outer && !inner;
  }
  if (!on || !shape.dash) return on;
  const period = shape.dash.reduce((a, b) => a + b, 0);
  let t = perimeterPosition(px, py, shape) % period;
  for (let i = 0; i < shape.dash.length; i++) {
    if (t < shape.dash[i]) return i % 2 === 0;
    t -= shape.dash[i];
  }
  return false;
}

/** The icon's RGBA pixels. */
export function renderIcon(svgText = readFileSync(SVG, 'utf8')) {
  const { viewBox, shapes } = readShapes(svgText);
  const scale = SIZE / viewBox[2];
  const data = Buffer.alloc(SIZE * SIZE * 4);
  const n = SAMPLES * SAMPLES;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      let tile = 0;
      let ink = 0;
      for (let sy = 0; sy < SAMPLES; sy++)
        for (let sx = 0; sx < SAMPLES; sx++) {
          const px = x + (sx + 0.5) / SAMPLES;
          const py = y + (sy + 0.5) / SAMPLES;
          const half = SIZE / 2;
          if (roundedBoxDistance(px, py, half, half, half, half, TILE.radius) > 0) continue;
          tile++;
          const vx = viewBox[0] + px / scale;
          const vy = viewBox[1] + py / scale;
          if (shapes.some((shape) => inside(shape, vx, vy))) ink++;
        }
      const i = (y * SIZE + x) * 4;
      for (let c = 0; c < 3; c++)
        data[i + c] =
          tile === 0 ? 0 : Math.round((TILE.color[c] * (tile - ink) + INK[c] * ink) / tile);
      data[i + 3] = Math.round((255 * tile) / n);
    }
  return { width: SIZE, height: SIZE, data };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const image = renderIcon();
  const png = new PNG({ width: image.width, height: image.height });
  image.data.copy(png.data);
  writeFileSync(PNG_PATH, PNG.sync.write(png));
  console.log(`wrote ${relative(root, PNG_PATH)} (${image.width} x ${image.height})`);
}
