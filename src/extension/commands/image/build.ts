import * as vscode from 'vscode';
import { connectDocker } from '../../../core/docker/engine';
import { ARCHITECTURES } from '../../../core/image/architecture';
import { describeImageBuildSettings } from '../../../core/image/buildSettings';
import {
  buildProgressMessage,
  buildTrainingImage,
  defaultArchitecture,
  imageReferenceProblem,
  localImageName,
} from '../../../core/image/trainingImage';
import { getImageBuildSettings, getTarget } from '../../config';
import type { TfodContext } from '../../context';
import { recall, remember } from '../memory';
import { firstWhere, type Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

interface BuildAnswers {
  readonly architecture: string;
  /** Empty until asked: it defaults from the architecture. */
  readonly image: string;
}

function buildFlow(first: string): Flow<BuildAnswers> {
  return {
    title: vscode.l10n.t('Build Training Image'),
    steps: [
      {
        ask: async (s, ask) => {
          const items = firstWhere(ARCHITECTURES, (a) => a.tag === first).map((a) => ({
            label: a.tag,
            description: a.gpu ? 'GPU' : 'CPU',
            detail: a.description,
          }));
          const picked = await ask.pick({
            items,
            placeHolder: vscode.l10n.t(
              'ARCHITECTURE: the tensorflow/tensorflow base image (GPU only where Docker has a GPU)',
            ),
            active: items.find((i) => i.label === s.architecture),
          });
          // Another architecture, another image name.
          return picked.label === s.architecture
            ? { architecture: picked.label }
            : { architecture: picked.label, image: '' };
        },
      },
      {
        ask: async (s, ask) => ({
          image: await ask.text({
            prompt: vscode.l10n.t('Image name on this Docker engine'),
            value: s.image || localImageName(s.architecture),
            validate: imageReferenceProblem,
          }),
        }),
      },
    ],
  };
}

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

/**
 * Asks for the ARCHITECTURE and image name, builds with the build arguments and certificate files
 * of the settings (a network without Docker Hub, a TLS-intercepting proxy), and returns the image
 * name.
 */
export async function buildLocalImage(ctx: TfodContext): Promise<string> {
  // Before the questions: a wrong setting is said at once, not after them.
  const settings = getImageBuildSettings();
  const last = recall(ctx, 'image.built');
  const first = last.architecture ?? defaultArchitecture(getTarget());
  const { architecture, image } = await runQuickInputFlow(buildFlow(first), {
    architecture: first,
    image: '',
  });
  const candidates = [
    ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
    ctx.extension.extensionUri.fsPath,
  ];
  ctx.log.info(`build settings (tfod.image.*): ${describeImageBuildSettings(settings)}`);
  const built = await withCancellableProgress(
    vscode.l10n.t('Build {0}', image),
    (progress, signal) =>
      buildTrainingImage({
        docker: connectDocker(),
        candidates,
        architecture,
        tag: image,
        buildArgs: settings.buildArgs,
        caCertificates: settings.caCertificates,
        signal,
        onLog: (line) => ctx.log.info(`build: ${line}`),
        onProgress: (p) => progress.report({ message: buildProgressMessage(p) }),
      }),
  );
  ctx.log.info(`built ${image} (${built.imageId}) from ${built.contextDir}`);
  await remember(ctx, 'image.built', { architecture, image });
  return image;
}
