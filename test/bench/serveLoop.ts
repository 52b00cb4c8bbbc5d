// What test/bench/serve.ts and its loop worker share: the photos, and the bare engine's loop.
import { decodeImage, type Detector } from '../../src/detection';
import type { PhotoName } from '../integration/serving/fixtures';

export const PHOTOS: PhotoName[] = ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];

/** Decodes and detects `count` images (`images` in turn); returns each one's milliseconds. */
export async function bareRun(
  detector: Detector,
  images: readonly Uint8Array[],
  count: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await detector.detect(decodeImage(images[i % images.length]!));
    latencies.push(performance.now() - started);
  }
  return latencies;
}
