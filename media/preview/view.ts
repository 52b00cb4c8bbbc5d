import { placeCaptions } from '../../src/detection/captionLayout';
import { boxToPixels, colourForClass } from '../../src/detection/draw';
import { labelFor, selectPredictions } from '../../src/detection/predictions';
import type { Prediction } from '../../src/detection/types';

// What the preview draws, as pure functions (unit-tested without a browser): which predictions
// show at a threshold with some classes switched off, where their boxes and captions go on a
// canvas of the image's own size, and what they are called.

/** The predictions at or above `threshold` whose class is not hidden, strongest first. */
export function visiblePredictions(
  predictions: readonly Prediction[],
  threshold: number,
  hidden: Iterable<number> = [],
): Prediction[] {
  const off = new Set(hidden);
  return selectPredictions(
    predictions.filter((p) => !off.has(p[0])),
    threshold,
    Math.max(1, predictions.length),
  );
}

/**
 * The class ids with a prediction that passes the threshold, ascending, each with how many do
 * (a class with none is not listed: there is nothing of it to show or hide).
 */
export function classesIn(
  lists: readonly (readonly Prediction[])[],
  threshold: number,
): { id: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const list of lists)
    for (const p of list) {
      const seen = counts.get(p[0]) ?? 0;
      counts.set(p[0], seen + (p[1] >= threshold ? 1 : 0));
    }
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([id, count]) => ({ id, count }))
    .sort((a, b) => a.id - b.id);
}

/** A class's name from the label map, or "class <id>" when there is none. */
export function className(id: number, labels: ReadonlyMap<number, string>): string {
  return labelFor(id, labels.size > 0 ? labels : undefined);
}

export function cssColour(classId: number): string {
  const [r, g, b] = colourForClass(classId);
  return `rgb(${r}, ${g}, ${b})`;
}

/** Black or white, whichever reads on the class colour. */
export function inkOn(classId: number): string {
  const [r, g, b] = colourForClass(classId);
  return r * 0.299 + g * 0.587 + b * 0.114 > 140 ? '#000' : '#fff';
}

export interface BoxLayout {
  /** The outline's rectangle, inset by half the line so the whole stroke stays on the box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly lineWidth: number;
  /** The caption band's height and font size (where it goes is `layoutCaptions`' call). */
  readonly caption: { readonly height: number; readonly fontSize: number };
}

/** Where a prediction's box goes on a canvas of `width` x `height` (the image's pixels). */
export function boxLayout(prediction: Prediction, width: number, height: number): BoxLayout {
  const box = boxToPixels(prediction, width, height);
  const short = Math.min(width, height);
  const boxWidth = box.right + 1 - box.left;
  const boxHeight = box.bottom + 1 - box.top;
  // Never thicker than the box itself, so the outline of a tiny box stays on it.
  const lineWidth = Math.min(Math.max(2, Math.round(short / 200)), boxWidth, boxHeight);
  const fontSize = Math.max(12, Math.round(short / 30));
  const inset = lineWidth / 2;
  return {
    x: box.left + inset,
    y: box.top + inset,
    width: boxWidth - lineWidth,
    height: boxHeight - lineWidth,
    lineWidth,
    caption: { height: Math.round(fontSize * 1.4), fontSize },
  };
}

export interface PlacedCaption {
  readonly prediction: Prediction;
  /** The caption, shortened with an ellipsis when its band had to be narrowed to the image. */
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly fontSize: number;
}

/**
 * The captions of `shown` (strongest first) on a `width` x `height` canvas, placed so that none
 * covers another or leaves the image (src/detection/captionLayout.ts); a caption with no room
 * near its box is left out (its detection is still listed). `measure` is the text's width in
 * pixels at a font size (the canvas' measureText in the webview).
 */
export function layoutCaptions(
  shown: readonly Prediction[],
  width: number,
  height: number,
  labels: ReadonlyMap<number, string>,
  measure: (text: string, fontSize: number) => number,
): PlacedCaption[] {
  const wanted = shown.map((p) => {
    const { caption } = boxLayout(p, width, height);
    const text = captionText(p, labels);
    const box = boxToPixels(p, width, height);
    return {
      prediction: p,
      text,
      fontSize: caption.fontSize,
      request: {
        box: {
          x: box.left,
          y: box.top,
          width: box.right + 1 - box.left,
          height: box.bottom + 1 - box.top,
        },
        width: Math.ceil(measure(text, caption.fontSize) + caption.fontSize * 0.6),
        height: caption.height,
      },
    };
  });
  const spots = placeCaptions(
    wanted.map((w) => w.request),
    width,
    height,
  );
  return wanted.flatMap(({ prediction, text, fontSize }, i) => {
    const spot = spots[i];
    if (!spot) return [];
    const room = spot.width - fontSize * 0.6;
    return [
      { prediction, text: fitText(text, room, (t) => measure(t, fontSize)), fontSize, ...spot },
    ];
  });
}

/** `text`, or as much of it as fits in `room` pixels followed by an ellipsis. */
export function fitText(text: string, room: number, measure: (text: string) => number): string {
  if (measure(text) <= room) return text;
  for (let n = text.length - 1; n > 0; n--) {
    const short = `${text.slice(0, n).trimEnd()}…`;
    if (measure(short) <= room) return short;
  }
  return '…';
}

export function captionText(prediction: Prediction, labels: ReadonlyMap<number, string>): string {
  return `${className(prediction[0], labels)} ${prediction[1].toFixed(2)}`;
}
