import { closestMatch } from '../../schema/suggest';

/**
 * The training image's hyperparameters, with the seed's names and defaults. SageMaker delivers
 * every value as a string (hyperparameters.json), so parsing accepts strings and plain JSON values
 * alike; the extension validates with the same code before it submits a job.
 */
export const INFERENCE_TYPES = ['FLOAT', 'QUANTIZED_UINT8'] as const;
export type InferenceType = (typeof INFERENCE_TYPES)[number];

export interface TrainingHyperparameters {
  /** Training steps to run (`num_steps`). */
  readonly numSteps: number;
  /** Also export a TensorFlow Lite model (`quantize`). */
  readonly quantize: boolean;
  /** Square input size of the TensorFlow Lite model (`image_size`). */
  readonly imageSize: number;
  /** Arithmetic of the TensorFlow Lite model (`inference_type`). */
  readonly inferenceType: InferenceType;
}

export const DEFAULT_HYPERPARAMETERS: TrainingHyperparameters = {
  numSteps: 100,
  quantize: false,
  imageSize: 300,
  inferenceType: 'FLOAT',
};

export const HYPERPARAMETER_NAMES = [
  'num_steps',
  'quantize',
  'image_size',
  'inference_type',
] as const;
export type HyperparameterName = (typeof HYPERPARAMETER_NAMES)[number];

export interface HyperparameterProblem {
  readonly name: string;
  readonly severity: 'error' | 'warning';
  /** What is wrong and how to fix it, in one sentence. */
  readonly message: string;
}

export interface ParsedHyperparameters {
  readonly value: TrainingHyperparameters;
  readonly problems: readonly HyperparameterProblem[];
}

const MAX_STEPS = 100_000_000;

/** Keys SageMaker or its SDKs add on their own; they are not the image's business. */
function isPlatformKey(key: string): boolean {
  return key.startsWith('sagemaker_') || key.startsWith('_tuning_objective_metric');
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function parseInteger(
  name: string,
  raw: unknown,
  min: number,
  max: number,
  problems: HyperparameterProblem[],
): number | undefined {
  const text = asText(raw);
  if (text === undefined || !/^[+]?\d+$/.test(text)) {
    problems.push({
      name,
      severity: 'error',
      message: `${name} must be a whole number between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    });
    return undefined;
  }
  const value = Number(text);
  if (value < min || value > max) {
    problems.push({
      name,
      severity: 'error',
      message: `${name} must be between ${min} and ${max}, got ${value}`,
    });
    return undefined;
  }
  return value;
}

function parseBoolean(
  name: string,
  raw: unknown,
  problems: HyperparameterProblem[],
): boolean | undefined {
  const text = asText(raw)?.toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  problems.push({
    name,
    severity: 'error',
    message: `${name} must be true or false, got ${JSON.stringify(raw)}`,
  });
  return undefined;
}

/** Reads hyperparameters.json's object; never throws, reports every problem at once. */
export function parseHyperparameters(raw: unknown): ParsedHyperparameters {
  const problems: HyperparameterProblem[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({
      name: '',
      severity: 'error',
      message: 'hyperparameters must be a JSON object of names to values',
    });
    return { value: DEFAULT_HYPERPARAMETERS, problems };
  }
  const input = raw as Record<string, unknown>;
  let { numSteps, quantize, imageSize, inferenceType } = DEFAULT_HYPERPARAMETERS;

  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case 'num_steps':
        numSteps = parseInteger(key, value, 1, MAX_STEPS, problems) ?? numSteps;
        break;
      case 'quantize':
        quantize = parseBoolean(key, value, problems) ?? quantize;
        break;
      case 'image_size':
        imageSize = parseInteger(key, value, 32, 4096, problems) ?? imageSize;
        break;
      case 'inference_type': {
        const text = asText(value)?.toUpperCase();
        if (text && (INFERENCE_TYPES as readonly string[]).includes(text))
          inferenceType = text as InferenceType;
        else
          problems.push({
            name: key,
            severity: 'error',
            message: `inference_type must be ${INFERENCE_TYPES.join(' or ')}, got ${JSON.stringify(value)}`,
          });
        break;
      }
      default: {
        if (isPlatformKey(key)) break;
        const suggestion = closestMatch(key, HYPERPARAMETER_NAMES);
        problems.push({
          name: key,
          severity: 'error',
          message: `unknown hyperparameter '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (known: ${HYPERPARAMETER_NAMES.join(', ')})`,
        });
      }
    }
  }
  if (!quantize && 'inference_type' in input && inferenceType !== 'FLOAT') {
    problems.push({
      name: 'inference_type',
      severity: 'warning',
      message: `inference_type ${inferenceType} only applies to the TensorFlow Lite export; set quantize to true to get one`,
    });
  }
  if (!quantize && 'image_size' in input && imageSize !== DEFAULT_HYPERPARAMETERS.imageSize) {
    problems.push({
      name: 'image_size',
      severity: 'warning',
      message:
        'image_size only applies to the TensorFlow Lite export; set quantize to true to get one',
    });
  }
  return { value: { numSteps, quantize, imageSize, inferenceType }, problems };
}

/** The strings SageMaker's CreateTrainingJob expects (HyperParameters values must be strings). */
export function toSageMakerHyperparameters(
  value: TrainingHyperparameters,
): Record<HyperparameterName, string> {
  return {
    num_steps: String(value.numSteps),
    quantize: value.quantize ? 'true' : 'false',
    image_size: String(value.imageSize),
    inference_type: value.inferenceType,
  };
}
