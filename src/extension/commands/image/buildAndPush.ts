import * as vscode from 'vscode';
import { whoAmI } from '../../../core/aws/session';
import { connectDocker } from '../../../core/docker/engine';
import { UserError } from '../../../core/errors';
import {
  ARCHITECTURES,
  buildImage,
  createEcrClient,
  ecrLogin,
  ensureRepository,
  formatBytes,
  imageBuildArgs,
  imageTagProblem,
  imageUri,
  pushImage,
  repositoryNameProblem,
  tagImage,
} from '../../../core/image';
import { getAwsSessionOptions } from '../../config';
import type { TfodContext } from '../../context';
import { recall, remember, setting } from '../memory';
import { askPick, askText, type Step } from '../prompts';
import { withCancellableProgress } from '../registerCommand';

const step = (n: number): Step => ({ title: 'Build and Push Image', step: n, total: 3 });
const DEFAULT_REPOSITORY = 'tfod-sagemaker';

/**
 * tfod.image.buildAndPush: builds container/ for the chosen ARCHITECTURE (build output to the
 * log), creates the ECR repository when missing, logs in with a token kept in memory only, tags
 * and pushes with per-layer progress. Remembers repository and tag per workspace.
 */
export async function buildAndPushImage(ctx: TfodContext): Promise<string> {
  const last = recall(ctx, 'image.last');
  const architecture = (
    await askPick(
      step(1),
      [...ARCHITECTURES]
        .sort((a, b) => Number(b.tag === last.architecture) - Number(a.tag === last.architecture))
        .map((a) => ({ label: a.tag, description: a.gpu ? 'GPU' : 'CPU', detail: a.description })),
      'ARCHITECTURE: the tensorflow/tensorflow base image (GPU for GPU instances)',
    )
  ).label;
  const repository = await askText(step(2), {
    prompt: 'ECR repository (created when missing; setting tfod.image.repository)',
    value: last.repository ?? setting('image.repository') ?? DEFAULT_REPOSITORY,
    validate: repositoryNameProblem,
  });
  const tag = await askText(step(3), {
    prompt: 'Image tag',
    value: last.tag && last.architecture === architecture ? last.tag : architecture,
    validate: imageTagProblem,
  });
  const contextDir = await findBuildContext(ctx);
  const session = getAwsSessionOptions();
  const uri = await withCancellableProgress(
    `Build and push ${repository}:${tag}`,
    async (progress, signal) => {
      progress.report({ message: 'checking the AWS account' });
      const identity = await whoAmI(session, signal);
      const remote = imageUri(identity.account, identity.region, repository, tag);
      const local = `${DEFAULT_REPOSITORY}:${tag}`;
      const docker = connectDocker();
      ctx.log.info(`building ${local} (ARCHITECTURE=${architecture}) from ${contextDir}`);
      await buildImage({
        docker,
        contextDir,
        buildArgs: imageBuildArgs(architecture),
        tag: local,
        signal,
        onLog: (line) => ctx.log.info(`build: ${line}`),
        onProgress: (p) =>
          progress.report({
            message:
              p.phase === 'context'
                ? `sending build context${p.contextBytes ? ` (${formatBytes(p.contextBytes)})` : ''}`
                : `build step ${p.step}/${p.totalSteps}: ${p.instruction ?? ''}`.slice(0, 120),
          }),
      });
      const ecr = createEcrClient(session);
      try {
        progress.report({ message: `ECR repository ${repository}` });
        const repo = await ensureRepository(ecr, repository, { signal, session });
        if (repo.created) ctx.log.info(`created ECR repository ${repo.uri}`);
        const credentials = await ecrLogin(ecr, { signal, session });
        await tagImage(docker, local, remote);
        ctx.log.info(`pushing ${remote}`);
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
  await remember(ctx, 'image.last', { architecture, repository, tag, uri });
  const start = 'Start Training Job';
  void vscode.window
    .showInformationMessage(`Pushed ${uri}.`, start)
    .then((choice) => choice === start && vscode.commands.executeCommand('tfod.job.start'));
  return uri;
}

/** The folder holding container/Dockerfile: a workspace folder, else the extension itself. */
async function findBuildContext(ctx: TfodContext): Promise<string> {
  const candidates = [
    ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri),
    ctx.extension.extensionUri,
  ];
  for (const folder of candidates) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, 'container', 'Dockerfile'));
      return folder.fsPath;
    } catch {
      // not here
    }
  }
  throw new UserError(
    'no container/Dockerfile to build: neither the workspace nor the extension has one',
    'Open the tfod-sagemaker repository (it holds container/) as a workspace folder',
  );
}
