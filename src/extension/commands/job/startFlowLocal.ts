import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateJobName, resourceNameProblem, type TrainingJobSpec } from '../../../core/jobs';
import { JOB_DEFAULTS, type JobProfile } from '../../../core/jobs/profile';
import { defaultLocalOutputPath } from '../../../core/local';
import { folderProblem, resolvePath, type Flow } from '../../flows/flow';
import { l10n } from '../../l10n';
import {
  HYPERPARAMETER_STEPS,
  hyperparameterDefaults,
  hyperparametersOf,
  type HyperparameterAnswers,
} from './hyperparameterSteps';

/** The flow's title (translated when asked, not at load). */
export const localJobTitle = (): string => l10n.t('Start Local Training Job');
export const DEFAULT_LOCAL_IMAGE = 'tfod-sagemaker:2.9.1';

/** What the guided flow of tfod.job.start asks on the local target. */
export interface LocalJobAnswers extends HyperparameterAnswers {
  readonly name: string;
  readonly image: string;
  /** Folders as typed: relative to the workspace folder, or absolute. */
  readonly training: string;
  /** Empty: no checkpoint channel. Unset: the training folder's checkpoint/ when it has one. */
  readonly checkpoint: string | undefined;
}

/**
 * The defaults: the last job's answers that fit this target (no ECR image, no S3 channel), else
 * the image Build Training Image last built (`builtImage`: a first job trains with the image just
 * built, as a SageMaker job with the image just pushed). `trainingFolder` (the Explorer folder or
 * the config's folder the user started from) wins over the last training channel, and `suggested`
 * (a folder with a pipeline.config) comes after it.
 */
export function localJobDefaults(
  last: Partial<JobProfile>,
  folders: { readonly workspace: string; readonly training?: string; readonly suggested?: string },
  now: Date,
  builtImage?: string,
): LocalJobAnswers {
  const local = (path: string | undefined) => (path && !path.startsWith('s3://') ? path : '');
  const lastTraining = local(last.channels?.training);
  const lastImage = last.image && !last.image.includes('.dkr.ecr.') ? last.image : undefined;
  return {
    name: generateJobName(now),
    image: lastImage ?? (builtImage || DEFAULT_LOCAL_IMAGE),
    training: folders.training ?? (lastTraining || folders.suggested || folders.workspace),
    checkpoint: local(last.channels?.checkpoint) || undefined,
    ...hyperparameterDefaults(last.hyperparameters),
  };
}

/**
 * The guided flow of tfod.job.start on the local target: Docker on this machine runs the same
 * image with the same channels, read from folders instead of S3; folders are typed (relative to
 * `workspace`) or browsed.
 */
export function localJobFlow(workspace: string): Flow<LocalJobAnswers> {
  const browse = { base: workspace, folders: true, files: false };
  return {
    title: localJobTitle(),
    steps: [
      {
        ask: async (s, ask) => ({
          name: await ask.text({
            prompt: l10n.t('Training job name (letters, digits and hyphens)'),
            value: s.name,
            validate: (value) => resourceNameProblem(value),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          image: await ask.text({
            prompt: l10n.t(
              'Training image on this Docker engine (Build Training Image creates one, e.g. tfod-sagemaker:2.9.1)',
            ),
            value: s.image,
            validate: (value) =>
              /^[\w.\-/:@]+$/.test(value)
                ? undefined
                : l10n.t('A Docker image reference, e.g. tfod-sagemaker:2.9.1'),
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          training: await ask.text({
            prompt: l10n.t(
              'Training channel: the folder with the TFRecords, pipeline.config and label_map.pbtxt',
            ),
            value: s.training,
            browse,
            validate: (value) =>
              folderProblem(value, workspace, l10n.t('Give the training folder')),
          }),
        }),
      },
      {
        ask: async (s, ask) => {
          const inTraining = join(resolvePath(workspace, s.training), 'checkpoint');
          return {
            checkpoint: await ask.text({
              prompt: l10n.t('Checkpoint channel: the pre-trained model folder (empty: none)'),
              value: s.checkpoint ?? (existsSync(inTraining) ? inTraining : ''),
              browse,
              validate: (value) => folderProblem(value, workspace, '', true),
            }),
          };
        },
      },
      ...HYPERPARAMETER_STEPS,
    ],
  };
}

export function localJobSpec(answers: LocalJobAnswers, workspace: string): TrainingJobSpec {
  return {
    name: answers.name,
    image: answers.image,
    roleArn: '',
    instanceType: 'local',
    instanceCount: 1,
    volumeSizeGb: JOB_DEFAULTS.volumeSizeGb,
    maxRuntimeSeconds: JOB_DEFAULTS.maxRuntimeSeconds,
    outputPath: defaultLocalOutputPath(workspace),
    hyperparameters: hyperparametersOf(answers),
    channels: {
      training: resolvePath(workspace, answers.training),
      ...(answers.checkpoint ? { checkpoint: resolvePath(workspace, answers.checkpoint) } : {}),
    },
  };
}
