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
