import * as vscode from 'vscode';
import type { TrainingJobSpec } from '../../../core/jobs';
import type { TfodContext } from '../../context';
import { runQuickInputFlow } from '../../flows/quickInput';
import { recall, setting } from '../memory';
import { sagemakerJobDefaults, sagemakerJobFlow, sagemakerJobSpec } from './startFlow';
import { localJobDefaults, localJobFlow, localJobSpec } from './startFlowLocal';

/** The guided flow of tfod.job.start on SageMaker, with the defaults this workspace remembers. */
export async function askTrainingJobSpec(ctx: TfodContext): Promise<TrainingJobSpec> {
  const last = recall(ctx, 'job.last');
  const start = sagemakerJobDefaults(
    {
      last,
      pushedImage: recall(ctx, 'image.last').uri,
      uploaded: recall(ctx, 'data.last'),
      settings: {
        roleArn: setting('training.roleArn'),
        instanceType: setting('training.instanceType'),
        s3Prefix: setting('data.s3Prefix'),
      },
    },
    new Date(),
  );
  const flow = sagemakerJobFlow({ instanceType: start.instanceType, spot: start.spot });
  return sagemakerJobSpec(await runQuickInputFlow(flow, start), last);
}

/**
 * The guided flow of tfod.job.start on the local target. `trainingFolder` (the Explorer folder,
 * or the folder of the config the user chose to train with) is the training channel proposed.
 */
export async function askLocalTrainingJobSpec(
  ctx: TfodContext,
  workspace: string,
  trainingFolder?: string,
): Promise<TrainingJobSpec> {
  const configs = await vscode.workspace.findFiles(
    '**/pipeline.config',
    '**/{.tfod,node_modules}/**',
    1,
  );
  const suggested = configs[0] ? vscode.Uri.joinPath(configs[0], '..').fsPath : undefined;
  const start = localJobDefaults(
    recall(ctx, 'job.last'),
    {
      workspace,
      ...(trainingFolder ? { training: trainingFolder } : {}),
      ...(suggested ? { suggested } : {}),
    },
    new Date(),
    recall(ctx, 'image.built').image,
  );
  return localJobSpec(await runQuickInputFlow(localJobFlow(workspace), start), workspace);
}
