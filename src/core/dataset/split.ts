import { seededRandom } from '../sample/shapes';

/**
 * A deterministic train/validation split by image, balanced per class where possible: images are
 * grouped by their rarest class (over the whole set; images without objects form a group of
 * their own), each group is shuffled with the seed and its first round(fraction x size) images go
 * to validation. A rare class so gets its share of validation images rather than none, and the
 * same seed, images and fraction always give the same split.
 */
export function splitImages(
  classesOfImages: readonly (readonly string[])[],
  fraction: number,
  seed: number,
): boolean[] {
  const imagesPerClass = new Map<string, number>();
  for (const classes of classesOfImages)
    for (const name of new Set(classes))
      imagesPerClass.set(name, (imagesPerClass.get(name) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  classesOfImages.forEach((classes, i) => {
    let rarest = '';
    let fewest = Infinity;
    for (const name of classes) {
      const n = imagesPerClass.get(name) ?? 0;
      if (n < fewest || (n === fewest && name < rarest)) [rarest, fewest] = [name, n];
    }
    const key = classes.length ? `c:${rarest}` : 'none';
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  });
  const validation = classesOfImages.map(() => false);
  const random = seededRandom(seed);
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key) as number[];
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j] as number, group[i] as number];
    }
    const take = Math.round(fraction * group.length);
    for (const index of group.slice(0, take)) validation[index] = true;
  }
  return validation;
}
