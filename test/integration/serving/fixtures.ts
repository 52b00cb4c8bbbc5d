import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The real test model and photos (see test/harness/fixtures.sh). */
export interface Fixtures {
  /** The COCO SSDLite MobileNetV2 TF.js GraphModel folder. */
  readonly modelDir: string;
  photo(name: PhotoName): Buffer;
  photoPath(name: PhotoName): string;
}

export type PhotoName = 'astronaut' | 'chelsea' | 'coffee' | 'motorcycle_left';

/** COCO class ids of the label map the test model was trained with. */
export const COCO = { person: 1, motorcycle: 4, cat: 17, cup: 47, diningTable: 67 } as const;

let cached: Fixtures | undefined;

/**
 * Fetches the fixtures on first use (the script caches them, so later runs cost nothing) and
 * throws with the script's own explanation when it cannot: these tests fail, never skip.
 */
export function fixtures(): Fixtures {
  if (cached) return cached;
  const script = join(__dirname, '..', '..', 'harness', 'fixtures.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0)
    throw new Error(
      `the serving tests need the real model and photos, and test/harness/fixtures.sh could not provide them (exit ${result.status ?? result.signal}):\n${result.stderr.trim()}`,
    );
  const dir = result.stdout.trim().split('\n').pop()!;
  const photoPath = (name: PhotoName) => join(dir, 'photos', `${name}.png`);
  cached = {
    modelDir: join(dir, 'coco-ssd'),
    photoPath,
    photo: (name) => readFileSync(photoPath(name)),
  };
  return cached;
}
