/**
 * Names of training jobs, models, endpoint configs and endpoints, by SageMaker's rule (which the
 * local target follows too, so a job can move between targets under the same name).
 */
export const RESOURCE_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const MAX_RESOURCE_NAME_LENGTH = 63;

/** Why `name` is not a valid job/endpoint name, or undefined when it is. */
export function resourceNameProblem(name: string, what = 'training job name'): string | undefined {
  if (name.length === 0) return `${what} is empty`;
  if (name.length > MAX_RESOURCE_NAME_LENGTH)
    return `${what} '${name}' is ${name.length} characters long; at most ${MAX_RESOURCE_NAME_LENGTH} are allowed`;
  if (!RESOURCE_NAME_PATTERN.test(name)) {
    const bad = [...new Set(name.replace(/[a-zA-Z0-9-]/g, ''))].join('');
    if (bad)
      return `${what} '${name}' contains ${quoteChars(bad)}; use only letters, digits and hyphens`;
    return `${what} '${name}' must start and end with a letter or digit`;
  }
  return undefined;
}

function quoteChars(chars: string): string {
  return [...chars].map((c) => (c === ' ' ? 'a space' : `'${c}'`)).join(', ');
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `<yyyymmdd-hhmmss>` in UTC, the time part of generated names. */
export function timestamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/**
 * A fresh job name: `tfod-20240131-235959` (UTC). A prefix other than `tfod` is cleaned into a
 * valid name and shortened so the result stays within 63 characters.
 */
export function generateJobName(date: Date = new Date(), prefix = 'tfod'): string {
  return withSuffix(prefix, timestamp(date));
}

/** `<base>-<suffix>`, `base` cleaned and cut so the whole is a valid name. */
export function withSuffix(base: string, suffix: string): string {
  const room = MAX_RESOURCE_NAME_LENGTH - suffix.length - 1;
  const cleaned = base
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return cleaned ? `${cleaned}-${suffix}` : suffix;
}
