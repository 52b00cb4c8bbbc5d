import type { Command } from 'commander';
import { whoAmI } from '../../core/aws/session';
import { connectDocker } from '../../core/docker/engine';
import {
  createEcrClient,
  DEFAULT_ARCHITECTURE,
  ecrLogin,
  ensureRepository,
  formatBytes,
  imageUri,
  pushImage,
  tagImage,
} from '../../core/image';
import { LOCAL_IMAGE } from './build';
import { addAwsOptions, awsSession, interruptible, output, type AwsFlags } from './targetOptions';

interface PushFlags extends AwsFlags {
  readonly repository: string;
  readonly tag: string;
  readonly image?: string;
}

/**
 * `tfod push`: creates the ECR repository when missing, logs in with a token held in memory only
 * (never printed, never written to Docker's config), tags and pushes with per-layer progress.
 */
export function register(program: Command): void {
  const command = program
    .command('push')
    .description('Push the built image to Amazon ECR (the repository is created when missing)')
    .option('-r, --repository <name>', 'ECR repository', LOCAL_IMAGE)
    .option('--tag <tag>', 'image tag in ECR', DEFAULT_ARCHITECTURE)
    .option('--image <name>', `local image to push (default: ${LOCAL_IMAGE}:<tag>)`);
  addAwsOptions(command).action(async (flags: PushFlags, cmd: Command) => {
    const { out, err } = output(cmd);
    const session = awsSession(flags);
    const local = flags.image ?? `${LOCAL_IMAGE}:${flags.tag}`;
    const ecr = createEcrClient(session);
    try {
      const pushed = await interruptible(async (signal) => {
        const identity = await whoAmI(session, signal);
        const remote = imageUri(identity.account, identity.region, flags.repository, flags.tag);
        const repo = await ensureRepository(ecr, flags.repository, { signal, session });
        if (repo.created) err(`created ECR repository ${repo.uri}\n`);
        const credentials = await ecrLogin(ecr, { signal, session });
        const docker = connectDocker();
        await tagImage(docker, local, remote);
        err(`pushing ${remote}\n`);
        let lastDone = -1;
        return pushImage({
          docker,
          image: remote,
          auth: credentials,
          signal,
          onLog: (line) => err(`${line}\n`),
          onProgress: (s) => {
            if (s.layersDone === lastDone) return;
            lastDone = s.layersDone;
            err(
              `${s.layersDone}/${s.layers.length} layers, ${formatBytes(s.currentBytes)} of ${formatBytes(s.totalBytes)}\n`,
            );
          },
        });
      });
      out(`Pushed ${pushed.image}@${pushed.digest}\n`);
    } finally {
      ecr.destroy();
    }
  });
}
