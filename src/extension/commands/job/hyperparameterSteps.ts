import {
  DEFAULT_HYPERPARAMETERS,
  INFERENCE_TYPES,
  parseHyperparameters,
  type InferenceType,
  type TrainingHyperparameters,
} from '../../../core/training/hyperparameters';
import type { FlowStep } from '../../flows/flow';
import { l10n } from '../../l10n';

/** The answers of the hyperparameter steps, shared by the SageMaker and local job flows. */
export type HyperparameterAnswers = TrainingHyperparameters;

/** The last run's hyperparameters; the TensorFlow Lite export is asked afresh each time. */
export function hyperparameterDefaults(lastValues: unknown): HyperparameterAnswers {
  const last = parseHyperparameters(lastValues ?? {}).value;
  return {
    numSteps: last.numSteps ?? DEFAULT_HYPERPARAMETERS.numSteps,
    quantize: false,
    inferenceType: 'FLOAT',
    imageSize: last.imageSize ?? DEFAULT_HYPERPARAMETERS.imageSize,
  };
}

function hyperProblem(name: string, value: string): string | undefined {
  const problem = parseHyperparameters({ [name]: value }).problems.find(
    (p) => p.severity === 'error',
  );
  return problem?.message;
}

/** num_steps, the optional TensorFlow Lite export, and its image_size when it is chosen. */
export const HYPERPARAMETER_STEPS: readonly FlowStep<HyperparameterAnswers>[] = [
  {
    ask: async (s, ask) => ({
      numSteps: Number(
        await ask.text({
          prompt: l10n.t('num_steps: training steps to run'),
          value: String(s.numSteps),
          validate: (value) => hyperProblem('num_steps', value),
        }),
      ),
    }),
  },
  {
    ask: async (s, ask) => {
      const items = [
        { label: l10n.t('No TensorFlow Lite export'), quantize: false, inferenceType: 'FLOAT' },
        ...INFERENCE_TYPES.map((type) => ({
          label: l10n.t('Also export TensorFlow Lite ({0})', type),
          quantize: true,
          inferenceType: type,
        })),
      ] satisfies { label: string; quantize: boolean; inferenceType: InferenceType }[];
      const { quantize, inferenceType } = await ask.pick({
        items,
        placeHolder: l10n.t('quantize / inference_type: export a TensorFlow Lite model as well?'),
        active: items.find(
          (i) => i.quantize === s.quantize && (!i.quantize || i.inferenceType === s.inferenceType),
        ),
      });
      return { quantize, inferenceType };
    },
  },
  {
    when: (s) => s.quantize,
    ask: async (s, ask) => ({
      imageSize: Number(
        await ask.text({
          prompt: l10n.t('image_size: the square input size of the TensorFlow Lite model'),
          value: String(s.imageSize),
          validate: (value) => hyperProblem('image_size', value),
        }),
      ),
    }),
  },
];

export function hyperparametersOf(answers: HyperparameterAnswers): TrainingHyperparameters {
  const { numSteps, quantize, imageSize, inferenceType } = answers;
  return { numSteps, quantize, imageSize, inferenceType };
}
