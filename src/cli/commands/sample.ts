import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeSampleProject } from '../../core/sample';
import { integer, output, tfVersion } from './targetOptions';

interface SampleFlags {
  readonly train: number;
  readonly validation: number;
  readonly seed: number;
  readonly numSteps: number;
  readonly tf?: 1 | 2;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** `tfod sample <dir>`: writes a tiny synthetic training project (shapes) in the seed's layout. */
export function register(program: Command): void {
  program
    .command('sample')
    .description(
      "Write a tiny synthetic training project into <dir> (squares and discs: pipeline.config, label_map.pbtxt, sharded TFRecords, JPEGs) in the seed's layout; the pre-trained checkpoint is downloaded separately",
    )
    .argument('<dir>', 'folder to write (new or empty)')
    .option('--train <n>', 'training images', integer('--train', 2), 24)
    .option('--validation <n>', 'validation images', integer('--validation', 1), 8)
    .option(
      '--seed <n>',
      'random seed (the same seed draws the same images)',
      integer('--seed', 0),
      7,
    )
    .option(
      '--num-steps <n>',
      "num_steps in the sample's pipeline.config",
      integer('--num-steps'),
      100,
    )
    .option(
      '--tf <1|2>',
      "TensorFlow version of the training image: 1 writes the TF1 (slim) config and the TF1 zoo's checkpoint for the 1.15 images",
      tfVersion,
      2,
    )
    .option('--force', 'write into a folder that already holds files')
    .option('--json', 'print what was written as JSON')
    .action(async (dir: string, flags: SampleFlags, cmd: Command) => {
      const { out } = output(cmd);
      const project = await writeSampleProject(resolve(dir), {
        trainImages: flags.train,
        validationImages: flags.validation,
        seed: flags.seed,
        numSteps: flags.numSteps,
        tfMajor: flags.tf ?? 2,
        ...(flags.force ? { force: true } : {}),
      });
      const boxes = project.images.reduce((sum, image) => sum + image.boxes.length, 0);
      if (flags.json) {
        out(
          `${JSON.stringify(
            {
              dir: project.dir,
              files: project.files,
              images: project.images.length,
              boxes,
              checkpoint: project.checkpoint,
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      out(
        `Wrote the sample project to ${project.dir}: ${project.images.length} images with ${boxes} boxes in ${project.files.filter((f) => !f.startsWith('images/')).length} files.\n` +
          `It still needs the pre-trained checkpoint: download ${project.checkpoint.url} and unpack it into ${resolve(project.dir, project.checkpoint.folder)} without its top folder (so that ${project.checkpoint.prefix}.index is there), e.g.\n` +
          `  mkdir -p ${resolve(project.dir, project.checkpoint.folder)} && curl -fL ${project.checkpoint.url} | tar -xz --strip-components=1 -C ${resolve(project.dir, project.checkpoint.folder)}\n`,
      );
    });
}
