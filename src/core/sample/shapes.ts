import jpeg from 'jpeg-js';

/** The sample's classes, in label-map order (ids start at 1). */
export const SAMPLE_CLASSES = ['square', 'disc'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

/** A box in pixels (xmax/ymax exclusive) and its class. */
export interface ShapeBox {
  readonly label: SampleClass;
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
}

export interface ShapeImage {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly ShapeBox[];
  readonly jpeg: Buffer;
}

/** mulberry32: seeded, so the same seed always draws the same sample. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function overlaps(a: ShapeBox, b: ShapeBox): boolean {
  return a.xmin < b.xmax && b.xmin < a.xmax && a.ymin < b.ymax && b.ymin < a.ymax;
}

/**
 * One image of 1 to 3 filled squares and discs on a plain, slightly noisy background, with their
 * exact boxes. Shapes do not overlap, so every box is fully visible.
 */
export function drawShapeImage(random: () => number, width = 320, height = 320): ShapeImage {
  const pixels = Buffer.alloc(width * height * 4);
  const bg = [0, 1, 2].map(() => 170 + Math.floor(random() * 70));
  for (let i = 0; i < width * height; i++) {
    const noise = Math.floor(random() * 16) - 8;
    pixels[i * 4] = (bg[0] ?? 200) + noise;
    pixels[i * 4 + 1] = (bg[1] ?? 200) + noise;
    pixels[i * 4 + 2] = (bg[2] ?? 200) + noise;
    pixels[i * 4 + 3] = 255;
  }
  const count = 1 + Math.floor(random() * 3);
  const boxes: ShapeBox[] = [];
  for (let attempt = 0; boxes.length < count && attempt < 50; attempt++) {
    const size = Math.floor(Math.min(width, height) * (0.15 + random() * 0.25));
    const xmin = Math.floor(random() * (width - size));
    const ymin = Math.floor(random() * (height - size));
    const label: SampleClass = random() < 0.5 ? 'square' : 'disc';
    const box: ShapeBox = { label, xmin, ymin, xmax: xmin + size, ymax: ymin + size };
    if (boxes.some((other) => overlaps(box, other))) continue;
    boxes.push(box);
    const color = [0, 1, 2].map(() => Math.floor(random() * 120));
    const r = size / 2;
    const cx = xmin + r;
    const cy = ymin + r;
    for (let y = ymin; y < box.ymax; y++)
      for (let x = xmin; x < box.xmax; x++) {
        if (label === 'disc' && (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        const o = (y * width + x) * 4;
        pixels[o] = color[0] ?? 0;
        pixels[o + 1] = color[1] ?? 0;
        pixels[o + 2] = color[2] ?? 0;
      }
  }
  const encoded = jpeg.encode({ data: pixels, width, height }, 90).data;
  return { width, height, boxes, jpeg: Buffer.from(encoded) };
}
