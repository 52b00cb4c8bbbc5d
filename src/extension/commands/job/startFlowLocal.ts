import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { generateJobName, resourceNameProblem, type TrainingJobSpec } from '../../../core/jobs';
import { JOB_DEFAULTS } from '../../../core/jobs/profile';
import { defaultLocalOutputPath } from '../../../core/local';
import type { TfodContext } from '../../context';
import { recall } from '../memory';
import { askFolder, askText, type Step } from '../prompts';
import { askHyperparameters } from './startFlow';

const title = (): string => vscode.l10n.t('Start Local Training Job');
const TOTAL = 6;
const step = (n: number): Step => ({ title: title(), step: n, total: TOTAL });
export const DEFAULT_LOCAL_IMAGE = 'tfod-sagemaker:2.9.1';

function folderProblem(
  value: string,
  base: string,
  what: string,
  optional = false,
): string | undefined {
  if (!value.trim()) return optional ? undefined : `Give the ${what} folder`;
  const path = isAbsolute(value) ? value : resolve(base, value);
  if (!existsSync(path)) return `${path} does not exist`;
  if (!statSync(path).isDirectory()) return `${path} is not a folder`;
  return undefined;
}

/**
 * The guided flow of tfod.job.start on the local target: Docker on this machine runs the same
 * image with the same channels, read from folders instead of S3. `trainingFolder` (the folder of
 * the config the user chose to train with) is the training channel proposed.
 */
export async function askLocalTrainingJobSpec(
  ctx: TfodContext,
  workspace: string,
  trainingFolder?: string,
): Promise<TrainingJobSpec> {
  const last = recall(ctx, 'job.last');
  const name = await askText(step(1), {
    prompt: vscode.l10n.t('Training job name (letters, digits and hyphens)'),
    value: generateJobName(new Date()),
    validate: (value) => resourceNameProblem(value),
  });
  const image = await askText(step(2), {
    prompt:
      'Training image on this Docker engine (Build Training Image creates one, e.g. tfod-sagemaker:2.9.1)',
    value: last.image && !last.image.includes('.dkr.ecr.') ? last.image : DEFAULT_LOCAL_IMAGE,
    validate: (value) =>
      /^[\w.\-/:@]+$/.test(value)
        ? undefined
        : 'A Docker image reference, e.g. tfod-sagemaker:2.9.1',
  });
  const configs = await vscode.workspace.findFiles(
    '**/pipeline.config',
    '**/{.tfod,node_modules}/**',
    1,
  );
  const suggested = configs[0] ? vscode.Uri.joinPath(configs[0], '..').fsPath : workspace;
  const training = await askFolder(step(3), {
    base: workspace,
    prompt: vscode.l10n.t(
      'Training channel: the folder with the TFRecords, pipeline.config and label_map.pbtxt',
    ),
    value:
      trainingFolder ??
      (last.channels?.training && !last.channels.training.startsWith('s3://')
        ? last.channels.training
        : suggested),
    validate: (value) => folderProblem(value, workspace, 'training'),
  });
  const checkpoint = await askFolder(step(4), {
    base: workspace,
    prompt: vscode.l10n.t('Checkpoint channel: the pre-trained model folder (empty: none)'),
    value:
      last.channels?.checkpoint && !last.channels.checkpoint.startsWith('s3://')
        ? last.channels.checkpoint
        : existsSync(join(training, 'checkpoint'))
          ? join(training, 'checkpoint')
          : '',
    validate: (value) => folderProblem(value, workspace, 'checkpoint', true),
  });
  const hyperparameters = await askHyperparameters(step(5), step(6), last.hyperparameters);
  const absolute = (value: string) => (isAbsolute(value) ? value : resolve(workspace, value));
  return {
    name,
    image,
    roleArn: '',
    instanceType: 'local',
    instanceCount: 1,
    volumeSizeGb: JOB_DEFAULTS.volumeSizeGb,
    maxRuntimeSeconds: JOB_DEFAULTS.maxRuntimeSeconds,
    outputPath: defaultLocalOutputPath(workspace),
    hyperparameters,
    channels: {
      training: absolute(training),
      ...(checkpoint.trim() ? { checkpoint: absolute(checkpoint) } : {}),
    },
  };
}
