/**
 * The arithmetic of the metrics chart, apart from the DOM so it is unit-tested: "nice" axis
 * ticks, point-to-pixel scales and the SVG path of a series.
 */
export interface Point {
  readonly step: number;
  readonly value: number;
}

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Ticks at 1, 2 or 5 × 10^n covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const [lo, hi] = min < max ? [min, max] : [max, min];
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let tick = first; tick <= hi + step * 0.5; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
    if (tick >= hi) break;
  }
  return ticks;
}

/** Maps [domain0, domain1] onto [range0, range1]; a zero-width domain maps to the middle. */
export function scale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

export interface Layout {
  readonly xTicks: number[];
  readonly yTicks: number[];
  readonly x: (step: number) => number;
  readonly y: (value: number) => number;
  /** The SVG path ("M x y L x y ...") of the points, in order of step. */
  readonly path: string;
}

export function layoutSeries(points: readonly Point[], box: Box): Layout {
  const finite = points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step));
  const steps = finite.map((p) => p.step);
  const values = finite.map((p) => p.value);
  const xTicks = niceTicks(Math.min(...steps, 0), Math.max(...steps, 1), 6);
  const yTicks = niceTicks(Math.min(...values), Math.max(...values), 4);
  const x = scale(
    [xTicks[0] ?? 0, xTicks[xTicks.length - 1] ?? 1],
    [box.left, box.left + box.width],
  );
  const y = scale(
    [yTicks[0] ?? 0, yTicks[yTicks.length - 1] ?? 1],
    [box.top + box.height, box.top],
  );
  const path = [...finite]
    .sort((a, b) => a.step - b.step)
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)} ${y(p.value).toFixed(1)}`)
    .join(' ');
  return { xTicks, yTicks, x, y, path };
}

/** Short tick labels: 12000 -> "12k", 0.000123 -> "1.2e-4". */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  if (abs < 1e-3) return value.toExponential(1).replace(/e-0*/, 'e-');
  return String(Number(value.toPrecision(3)));
}
