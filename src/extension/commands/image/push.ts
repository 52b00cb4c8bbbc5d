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
import type { Flow } from '../../flows/flow';
import { runQuickInputFlow } from '../../flows/quickInput';
import { withCancellableProgress } from '../registerCommand';

interface PushAnswers {
  readonly local: string;
  readonly repository: string;
  /** Empty until asked: the local image's tag, else the last one pushed. */
  readonly tag: string;
  readonly lastTag: string | undefined;
}

/** The local image (unless just built), the ECR repository and the tag. */
function pushFlow(built: boolean): Flow<PushAnswers> {
  return {
    title: vscode.l10n.t('Push Training Image to ECR'),
    steps: [
      {
        when: () => !built,
        ask: async (s, ask) => {
          const local = await ask.text({
            prompt: vscode.l10n.t(
              'Image on this Docker engine to push (Build Training Image makes one)',
            ),
            value: s.local,
            validate: imageReferenceProblem,
          });
          // Another image, its own tag.
          return local === s.local ? { local } : { local, tag: '' };
        },
      },
      {
        ask: async (s, ask) => ({
          repository: await ask.text({
            prompt: vscode.l10n.t(
              'ECR repository (created when missing; setting tfod.image.repository)',
            ),
            value: s.repository,
            validate: repositoryNameProblem,
          }),
        }),
      },
      {
        ask: async (s, ask) => ({
          tag: await ask.text({
            prompt: vscode.l10n.t('Image tag in ECR'),
            value: s.tag || (s.local.split('/').pop()?.split(':')[1] ?? s.lastTag ?? 'latest'),
            validate: imageTagProblem,
          }),
        }),
      },
    ],
  };
}

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
  const last = recall(ctx, 'image.last');
  const { local, repository, tag } = await runQuickInputFlow(pushFlow(built !== undefined), {
    local: built ?? recall(ctx, 'image.built').image ?? localImageName(DEFAULT_ARCHITECTURE),
    repository: last.repository ?? setting('image.repository') ?? LOCAL_IMAGE_REPOSITORY,
    tag: '',
    lastTag: last.tag,
  });
  const session = getAwsSessionOptions();
  const uri = await withCancellableProgress(
    vscode.l10n.t('Push {0}:{1}', repository, tag),
    async (progress, signal) => {
      progress.report({ message: vscode.l10n.t('checking the AWS account') });
      const identity = await whoAmI(session, signal);
      const remote = imageUri(identity.account, identity.region, repository, tag);
      const docker = connectDocker();
      const ecr = createEcrClient(session);
      try {
        progress.report({ message: vscode.l10n.t('ECR repository {0}', repository) });
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
              message: vscode.l10n.t(
                'push: {0}/{1} layers · {2} of {3}',
                s.layersDone,
                s.layers.length,
                formatBytes(s.currentBytes),
                formatBytes(s.totalBytes),
              ),
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
