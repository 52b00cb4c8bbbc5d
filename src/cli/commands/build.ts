import { resolve } from 'node:path';
import type { Command } from 'commander';
import { connectDocker } from '../../core/docker/engine';
import {
  buildImage,
  DEFAULT_ARCHITECTURE,
  imageBuildArgs,
  parseArchitecture,
  parseBuildArgs,
} from '../../core/image';
import { interruptible, output } from './targetOptions';

export const LOCAL_IMAGE = 'tfod-sagemaker';

interface BuildFlags {
  readonly architecture: string;
  readonly tag?: string;
  readonly context: string;
  readonly dockerfile: string;
  readonly quiet?: boolean;
  readonly buildArg: string[];
  readonly caCertificates: string[];
  readonly network?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `tfod build`: the training/serving image from container/Dockerfile, with the Docker engine. */
export function register(program: Command): void {
  program
    .command('build')
    .description(
      'Build the training and serving image (container/Dockerfile) with the Docker engine',
    )
    .option(
      '-a, --architecture <tag>',
      'tensorflow/tensorflow base tag (GPU: 2.9.1-gpu, 1.15.0-gpu)',
      DEFAULT_ARCHITECTURE,
    )
    .option('--tag <image>', `image name (default: ${LOCAL_IMAGE}:<architecture>)`)
    .option('--context <dir>', 'build context: the folder holding container/', '.')
    .option(
      '-f, --dockerfile <path>',
      'Dockerfile, relative to the context',
      'container/Dockerfile',
    )
    .option(
      '--build-arg <KEY=VALUE>',
      'a Dockerfile build argument (repeatable): BASE_IMAGE, NODE_SOURCE, OD_API_SOURCE, TFJS_NATIVE, ...',
      collect,
      [],
    )
    .option(
      '--ca-certificates <file>',
      'a PEM file of certificate authorities the build trusts (repeatable; default: $NODE_EXTRA_CA_CERTS)',
      collect,
      [],
    )
    .option(
      '--network <mode>',
      "the engine's network for RUN steps (e.g. host, to reach a local proxy)",
    )
    .option('-q, --quiet', 'print only the image name')
    .action(async (flags: BuildFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const architecture = parseArchitecture(flags.architecture);
      const tag = flags.tag ?? `${LOCAL_IMAGE}:${architecture.tag}`;
      const buildArgs = imageBuildArgs(architecture.tag, parseBuildArgs(flags.buildArg));
      const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
      const caCertificates =
        flags.caCertificates.length > 0 ? flags.caCertificates : fromEnv ? [fromEnv] : [];
      if (flags.caCertificates.length === 0 && fromEnv && !flags.quiet)
        err(`trusting the certificate authorities in NODE_EXTRA_CA_CERTS (${fromEnv})\n`);
      const result = await interruptible((signal) =>
        buildImage({
          docker: connectDocker(),
          contextDir: resolve(flags.context),
          dockerfile: flags.dockerfile,
          buildArgs,
          caCertificates,
          tag,
          ...(flags.network ? { network: flags.network } : {}),
          signal,
          ...(flags.quiet ? {} : { onLog: (line: string) => err(`${line}\n`) }),
        }),
      );
      out(flags.quiet ? `${result.tag}\n` : `Built ${result.tag} (${result.imageId})\n`);
    });
}
