import { UserError } from '../errors';

/**
 * The ARCHITECTURE build argument: a tag of the tensorflow/tensorflow base images that
 * container/Dockerfile is tested with. GPU tags come first: SageMaker training normally runs on
 * GPU instances, and the first entry is the default.
 */
export interface Architecture {
  readonly tag: string;
  readonly gpu: boolean;
  readonly tensorflow: '1.15.0' | '2.9.1';
  readonly description: string;
}

export const ARCHITECTURES: readonly Architecture[] = [
  {
    tag: '2.9.1-gpu',
    gpu: true,
    tensorflow: '2.9.1',
    description: 'TensorFlow 2.9, CUDA: for GPU instances (ml.p3, ml.g4dn, ml.g5)',
  },
  {
    tag: '1.15.0-gpu',
    gpu: true,
    tensorflow: '1.15.0',
    description: 'TensorFlow 1.15 (the TF1 Object Detection API), CUDA: for GPU instances',
  },
  { tag: '2.9.1', gpu: false, tensorflow: '2.9.1', description: 'TensorFlow 2.9, CPU only' },
  {
    tag: '1.15.0',
    gpu: false,
    tensorflow: '1.15.0',
    description: 'TensorFlow 1.15 (the TF1 Object Detection API), CPU only',
  },
];

export const DEFAULT_ARCHITECTURE = '2.9.1-gpu';

/** The Python 3 variants of the TF1 tags, which the Dockerfile also accepts. */
const PY3_VARIANTS = new Set(['1.15.0-py3', '1.15.0-gpu-py3']);

/** What is wrong with an ARCHITECTURE value, or undefined when the Dockerfile accepts it. */
export function architectureProblem(tag: string): string | undefined {
  const value = tag.trim();
  if (value === '') return 'choose an ARCHITECTURE tag';
  if (ARCHITECTURES.some((a) => a.tag === value) || PY3_VARIANTS.has(value)) return undefined;
  const hint = /gpu/i.test(value) ? ' (GPU: 2.9.1-gpu or 1.15.0-gpu)' : '';
  return `'${value}' is not an ARCHITECTURE the image is built for; use one of ${ARCHITECTURES.map((a) => a.tag).join(', ')}${hint}`;
}

export function parseArchitecture(tag: string): Architecture {
  const problem = architectureProblem(tag);
  if (problem)
    throw new UserError(problem, `Pick one of ${ARCHITECTURES.map((a) => a.tag).join(', ')}`);
  const value = tag.trim();
  const base = value.replace(/-py3$/, '');
  const known = ARCHITECTURES.find((a) => a.tag === base);
  if (!known) throw new Error(`no architecture for ${value}`);
  return { ...known, tag: value };
}

/**
 * The base image for an ARCHITECTURE tag. The plain TF1 tags are Python 2.7 images, where the
 * image's Python 3 tooling cannot run: they build on their `-py3` variants.
 */
export function baseImageFor(tag: string): string {
  const value = tag.trim();
  const py3 = value === '1.15.0' || value === '1.15.0-gpu' ? `${value}-py3` : value;
  return `tensorflow/tensorflow:${py3}`;
}

/**
 * The build arguments of container/Dockerfile for a tag, with `overrides` (KEY=VALUE pairs a user
 * passes, e.g. BASE_IMAGE of a mirror or NODE_SOURCE=npm) applied last.
 */
export function imageBuildArgs(
  tag: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ARCHITECTURE: tag.trim(), BASE_IMAGE: baseImageFor(tag), ...overrides };
}

const BUILD_ARG = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** `KEY=VALUE` strings (the --build-arg flag, a setting) to a record; a malformed one is a UserError. */
export function parseBuildArgs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const match = BUILD_ARG.exec(pair);
    if (!match)
      throw new UserError(
        `'${pair.length > 80 ? `${pair.slice(0, 80)}...` : pair}' is not a build argument`,
        'Write build arguments as KEY=VALUE, e.g. --build-arg NODE_SOURCE=npm',
      );
    out[match[1] ?? ''] = match[2] ?? '';
  }
  return out;
}
