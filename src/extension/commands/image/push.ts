import * as vscode from 'vscode';
import { whoAmI } from '../../../core/aws/session';
import { connectDocker } from '../../../core/docker/engine';
import {
  createEcrClient,
  DEFAULT_ARCHITECTURE,
  ecrLogin,
  ensureRepository,
  formatBytes,
  imageReferenceProblem,
  imageTagProblem,
  imageUri,
  LOCAL_IMAGE_REPOSITORY,
  localImageName,
  pushImage,
  repositoryNameProblem,
  tagImage,
} from '../../../core/image';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { recall, remember, setting } from '../memory';
import { askText, type Step } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

/** tfod.image.push: pushes a training image built on this machine to Amazon ECR. */
export function pushTrainingImageCommand(ctx: TfodContext): Promise<string> {
  return pushToEcr(ctx);
}

/**
 * Asks for the ECR repository and tag (and the local image, unless given), creates the
 * repository when missing, logs in with a token kept in memory only, tags and pushes with
 * per-layer progress. Remembers repository and tag per workspace.
 */
export async function pushToEcr(ctx: TfodContext, built?: string): Promise<string> {
  const total = built ? 2 : 3;
  const step = (n: number): Step => ({
    title: vscode.l10n.t('Push Training Image to ECR'),
    step: n,
    total,
  });
  const last = recall(ctx, 'image.last');
  const local =
    built ??
    (await askText(step(1), {
      prompt: vscode.l10n.t('Image on this Docker engine to push (Build Training Image makes one)'),
      value: recall(ctx, 'image.built').image ?? localImageName(DEFAULT_ARCHITECTURE),
      validate: imageReferenceProblem,
    }));
  const repository = await askText(step(total - 1), {
    prompt: vscode.l10n.t('ECR repository (created when missing; setting tfod.image.repository)'),
    value: last.repository ?? setting('image.repository') ?? LOCAL_IMAGE_REPOSITORY,
    validate: repositoryNameProblem,
  });
  const tag = await askText(step(total), {
    prompt: vscode.l10n.t('Image tag in ECR'),
    value: local.split('/').pop()?.split(':')[1] ?? last.tag ?? 'latest',
    validate: imageTagProblem,
  });
  const session = getAwsSessionOptions();
  const uri = await withCancellableProgress(
    vscode.l10n.t('Push {0}:{1}', repository, tag),
    async (progress, signal) => {
      progress.report({ message: 'checking the AWS account' });
      const identity = await whoAmI(session, signal);
      const remote = imageUri(identity.account, identity.region, repository, tag);
      const docker = connectDocker();
      const ecr = createEcrClient(session);
      try {
        progress.report({ message: `ECR repository ${repository}` });
        const repo = await ensureRepository(ecr, repository, { signal, session });
        if (repo.created) ctx.log.info(`created ECR repository ${repo.uri}`);
        const credentials = await ecrLogin(ecr, { signal, session });
        await tagImage(docker, local, remote);
        ctx.log.info(`pushing ${local} as ${remote}`);
        let reported = 0;
        const pushed = await pushImage({
          docker,
          image: remote,
          auth: credentials,
          signal,
          onLog: (line) => ctx.log.info(`push: ${line}`),
          onProgress: (s) => {
            const percent = s.totalBytes ? (s.currentBytes / s.totalBytes) * 100 : 0;
            progress.report({
              increment: Math.max(0, percent - reported),
              message: `push: ${s.layersDone}/${s.layers.length} layers · ${formatBytes(s.currentBytes)} of ${formatBytes(s.totalBytes)}`,
            });
            reported = Math.max(reported, percent);
          },
        });
        ctx.log.info(`pushed ${pushed.image}@${pushed.digest}`);
        return remote;
      } finally {
        ecr.destroy();
      }
    },
  );
  const architecture = recall(ctx, 'image.built').architecture ?? last.architecture ?? '';
  await remember(ctx, 'image.last', { architecture, repository, tag, uri });
  const start = vscode.l10n.t('Start Training Job');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Pushed {0}.', uri), start)
    .then((choice) => choice === start && vscode.commands.executeCommand('tfod.job.start'));
  return uri;
}
