import { parseMetricLine, type MetricSample } from '../training/metrics';
import type { MetricSeries } from './types';

/**
 * Turns `#metric step=<n> name=value ...` samples into one series per metric, ordered by step.
 * A step reported twice (a restarted job re-logs it) keeps the later value.
 */
export function seriesFromSamples(samples: Iterable<MetricSample>): MetricSeries[] {
  const byName = new Map<string, Map<number, number>>();
  for (const sample of samples) {
    for (const [name, value] of Object.entries(sample.values)) {
      let points = byName.get(name);
      if (!points) byName.set(name, (points = new Map()));
      points.set(sample.step, value);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => seriesOrder(a) - seriesOrder(b) || a.localeCompare(b))
    .map(([name, points]) => ({
      name,
      points: [...points.entries()]
        .sort(([a], [b]) => a - b)
        .map(([step, value]) => ({ step, value })),
    }));
}

/** Losses first (total first), then the learning rate, then eval metrics. */
function seriesOrder(name: string): number {
  if (name === 'total_loss') return 0;
  if (name.endsWith('_loss')) return 1;
  if (name.startsWith('eval_')) return 3;
  return 2;
}

/** Reads metric lines out of log messages (each may hold several lines). */
export function samplesFromLogLines(messages: Iterable<string>): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const message of messages) {
    for (const line of message.split('\n')) {
      const sample = parseMetricLine(line);
      if (sample) samples.push(sample);
    }
  }
  return samples;
}
