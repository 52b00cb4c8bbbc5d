import * as vscode from 'vscode';
import { CancelledError } from '../../../core/errors';
import { formatBytes } from '../../../core/image/build';
import { TRAINING_INSTANCE_TYPES } from '../../../core/jobs';
import {
  describeZooModel,
  initZooProject,
  MODEL_ZOO,
  modelZooBaseUrl,
  type ZooModel,
} from '../../../core/modelZoo';
import type { TfodContext } from '../../context';
import { recall, setting } from '../memory';
import { askPick } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

const title = (): string => vscode.l10n.t('New Project from Model Zoo');

/**
 * tfod.project.newFromZoo: picks a zoo model (TF2 zoo for the TF2 images, TF1 zoo for the 1.15
 * ones) by what users choose by, downloads it into the shared cache with progress, and writes the
 * project's checkpoint and pipeline.config (the twin of `tfod init`).
 */
export async function newProjectFromZoo(ctx: TfodContext): Promise<string | undefined> {
  // The image's ARCHITECTURE: the validation setting, else the image last built and pushed.
  const architecture = setting('validation.architecture') ?? recall(ctx, 'image.last').architecture;
  const tf: 1 | 2 = architecture
    ? architecture.startsWith('1.')
      ? 1
      : 2
    : (
        await askPick(
          { title: title(), step: 1, total: 4 },
          [
            {
              label: 'TF2',
              description: vscode.l10n.t('TensorFlow 2 images (2.9.1): the TF2 zoo'),
              tf: 2 as const,
            },
            {
              label: 'TF1',
              description: vscode.l10n.t('TensorFlow 1.15 images: the TF1 zoo'),
              tf: 1 as const,
            },
          ],
          vscode.l10n.t('The TensorFlow version of the training image'),
        )
      ).tf;
  const model = (
    await askPick(
      { title: title(), step: 2, total: 4 },
      MODEL_ZOO.filter((m) => m.tf === tf).map((m) => ({
        label: m.title,
        description: describeZooModel(m),
        detail: m.name,
        model: m,
      })),
      vscode.l10n.t('A model: speed (the zoo’s GPU ms) and COCO mAP as the zoo publishes them'),
    )
  ).model as ZooModel;
  const folder = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('{0} (3/4): the project folder', title()),
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: vscode.l10n.t('Create the project here'),
    ...(vscode.workspace.workspaceFolders?.[0]
      ? { defaultUri: vscode.workspace.workspaceFolders[0].uri }
      : {}),
  });
  if (!folder?.[0]) throw new CancelledError();
  const labelMap = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('{0} (4/4): the label map (Cancel to set it later)', title()),
    canSelectFiles: true,
    filters: { 'Label map': ['pbtxt', 'txt'] },
    openLabel: vscode.l10n.t('Use this label map'),
  });
  const baseUrl = modelZooBaseUrl(setting('modelZoo.url'));
  // The batch size fits the instance type training is offered on, when one is set and known.
  const instanceType = setting('training.instanceType');
  const sized = TRAINING_INSTANCE_TYPES.some((t) => t.name === instanceType);
  const result = await withCancellableProgress(
    vscode.l10n.t('Downloading {0}', model.name),
    (progress, signal) => {
      let reported = 0;
      return initZooProject({
        dir: folder[0]!.fsPath,
        model,
        labelMap: labelMap?.[0]?.fsPath,
        ...(sized ? { instanceType } : {}),
        baseUrl,
        signal,
        log: (line) => ctx.log.info(line),
        onProgress: (p) => {
          const percent = p.total ? (p.received / p.total) * 100 : 0;
          progress.report({
            increment: percent - reported,
            message: `${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`,
          });
          reported = percent;
        },
      });
    },
  );
  for (const change of result.changes)
    ctx.log.info(`pipeline.config: ${change.field}: ${change.from ?? '(added)'} -> ${change.to}`);
  await vscode.window.showTextDocument(vscode.Uri.file(result.configPath));
  void vscode.window.showInformationMessage(
    result.remaining.length === 0
      ? vscode.l10n.t(
          "{0}: the project's pipeline.config is ready (no error, no warning).",
          model.name,
        )
      : vscode.l10n.t(
          '{0}: pipeline.config written; {1} problem(s) left, underlined in the editor.',
          model.name,
          result.remaining.length,
        ),
  );
  return result.configPath;
}
