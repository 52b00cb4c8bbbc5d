import * as vscode from 'vscode';
import { connectDocker } from '../../../core/docker/engine';
import { ARCHITECTURES } from '../../../core/image/architecture';
import {
  buildProgressMessage,
  buildTrainingImage,
  defaultArchitecture,
  imageReferenceProblem,
  localImageName,
} from '../../../core/image/trainingImage';
import { getTarget } from '../../config';
import type { TfodContext } from '../../context';
import { recall, remember } from '../memory';
import { askPick, askText, type Step } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

const step = (n: number): Step => ({
  title: vscode.l10n.t('Build Training Image'),
  step: n,
  total: 2,
});

/**
 * tfod.image.build: builds the training image on this machine's Docker engine from container/
 * (the workspace's, else the one the extension ships), with no AWS call. Then offers the next
 * step: a training job on `local`, the push to ECR on `sagemaker`.
 */
export async function buildTrainingImageCommand(ctx: TfodContext): Promise<string> {
  const image = await buildLocalImage(ctx);
  const sagemaker = getTarget() === 'sagemaker';
  const next = sagemaker ? vscode.l10n.t('Push to ECR') : vscode.l10n.t('Start Training Job');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Built the training image {0}.', image), next)
    .then(
      (choice) =>
        choice && vscode.commands.executeCommand(sagemaker ? 'tfod.image.push' : 'tfod.job.start'),
    );
  return image;
}

/** Asks for the ARCHITECTURE and image name, builds, and returns the image name. */
export async function buildLocalImage(ctx: TfodContext): Promise<string> {
  const last = recall(ctx, 'image.built');
  const first = last.architecture ?? defaultArchitecture(getTarget());
  const architecture = (
    await askPick(
      step(1),
      [...ARCHITECTURES]
        .sort((a, b) => Number(b.tag === first) - Number(a.tag === first))
        .map((a) => ({ label: a.tag, description: a.gpu ? 'GPU' : 'CPU', detail: a.description })),
      vscode.l10n.t(
        'ARCHITECTURE: the tensorflow/tensorflow base image (GPU only where Docker has a GPU)',
      ),
    )
  ).label;
  const image = await askText(step(2), {
    prompt: vscode.l10n.t('Image name on this Docker engine'),
    value: localImageName(architecture),
    validate: imageReferenceProblem,
  });
  const candidates = [
    ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
    ctx.extension.extensionUri.fsPath,
  ];
  const built = await withCancellableProgress(
    vscode.l10n.t('Build {0}', image),
    (progress, signal) =>
      buildTrainingImage({
        docker: connectDocker(),
        candidates,
        architecture,
        tag: image,
        signal,
        onLog: (line) => ctx.log.info(`build: ${line}`),
        onProgress: (p) => progress.report({ message: buildProgressMessage(p) }),
      }),
  );
  ctx.log.info(`built ${image} (${built.imageId}) from ${built.contextDir}`);
  await remember(ctx, 'image.built', { architecture, image });
  return image;
}
