// Where the captions of detection boxes go so that they stay readable on a crowded image: each on
// the image, none over another, each touching or near its own box. Pure geometry, shared by the
// preview webview (canvas) and `tfod predict --draw` (pixels).

/** A rectangle in image pixels: its top-left corner and its size. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface CaptionRequest {
  /** The box the caption names, outline included. */
  readonly box: Rect;
  /** The caption's band: its text and padding. A band wider than the image is narrowed to it. */
  readonly width: number;
  readonly height: number;
}

/** How many places one caption may try before it is left out (bounds the work on any image). */
const MAX_TRIES = 400;

/**
 * Places the captions in the order given: earlier ones (the strongest detections) get the better
 * places. A caption goes above its box; inside the box's top when there is no room above; below
 * the box, or inside its bottom, when those are taken; and is nudged off any caption placed before
 * it, staying within one caption height of its box. A caption that finds no such place is left
 * out (undefined): the box is still drawn, and the detection is still listed beside the image.
 *
 * Guarantees, whatever the boxes: every placed caption lies within the image, no two placed
 * captions overlap (they may touch), and each is at most its own height away from its box.
 */
export function placeCaptions(
  requests: readonly CaptionRequest[],
  imageWidth: number,
  imageHeight: number,
): (Rect | undefined)[] {
  const placed: Rect[] = [];
  return requests.map((request) => {
    const spot = placeOne(request, placed, imageWidth, imageHeight);
    if (spot) placed.push(spot);
    return spot;
  });
}

function placeOne(
  { box, width: wanted, height }: CaptionRequest,
  placed: readonly Rect[],
  imageWidth: number,
  imageHeight: number,
): Rect | undefined {
  const width = Math.min(wanted, imageWidth);
  if (width <= 0 || height <= 0 || height > imageHeight) return undefined;
  const at = (x: number, y: number): Rect => ({
    x: clamp(x, 0, imageWidth - width),
    y: clamp(y, 0, imageHeight - height),
    width,
    height,
  });
  const bottom = box.y + box.height;
  // The places a caption of a lone box would take, best first.
  const anchors = [
    ...(box.y - height >= 0 ? [at(box.x, box.y - height)] : []),
    at(box.x, box.y),
    ...(bottom + height <= imageHeight ? [at(box.x, bottom)] : []),
    at(box.x, bottom - height),
  ];
  const preferred = anchors[0]!;
  const cost = (r: Rect) => Math.abs(r.x - preferred.x) + Math.abs(r.y - preferred.y);
  const near = (r: Rect) => gap(r, box) <= height;
  // Best first: the cheapest untried place that is free wins; a taken one offers the places
  // beside each caption in its way (above, below, left, right of it) as new candidates.
  const queue: { rect: Rect; cost: number; order: number }[] = [];
  const seen = new Set<string>();
  let order = 0;
  const offer = (r: Rect) => {
    const key = `${r.x},${r.y}`;
    if (seen.has(key) || !near(r)) return;
    seen.add(key);
    queue.push({ rect: r, cost: cost(r), order: order++ });
  };
  anchors.forEach(offer);
  for (let tries = 0; tries < MAX_TRIES && queue.length > 0; tries++) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const [a, b] = [queue[i]!, queue[best]!];
      if (a.cost < b.cost || (a.cost === b.cost && a.order < b.order)) best = i;
    }
    const { rect } = queue.splice(best, 1)[0]!;
    const blocking = placed.filter((other) => overlaps(rect, other));
    if (blocking.length === 0) return rect;
    for (const other of blocking) {
      offer(at(rect.x, other.y - height));
      offer(at(rect.x, other.y + other.height));
      offer(at(other.x + other.width, rect.y));
      offer(at(other.x - width, rect.y));
    }
  }
  return undefined;
}

/** Whether two rectangles share some area (touching edges do not). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** How far apart two rectangles are (0 when they touch or overlap), along the larger axis. */
export function gap(a: Rect, b: Rect): number {
  const dx = Math.max(0, b.x - (a.x + a.width), a.x - (b.x + b.width));
  const dy = Math.max(0, b.y - (a.y + a.height), a.y - (b.y + b.height));
  return Math.max(dx, dy);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}
