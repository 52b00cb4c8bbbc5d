import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { formatBytes } from '../../core/image/build';
import {
  describeZooModel,
  initZooProject,
  MODEL_ZOO,
  modelZooBaseUrl,
  type DownloadProgress,
} from '../../core/modelZoo';
import { integer, interruptible, output, tfVersion } from './targetOptions';

interface InitFlags {
  readonly model?: string;
  readonly labelMap?: string;
  readonly records?: string;
  readonly evalRecords?: string;
  readonly tf?: 1 | 2;
  readonly numSteps?: number;
  readonly batchSize?: number;
  readonly instanceType?: string;
  readonly list?: boolean;
}

/**
 * `tfod init <dir> --model <zoo-name>`: a new training project from the Detection Model Zoo (the
 * palette's "New Project from Model Zoo"); `--list` prints the catalogue.
 */
export function register(program: Command): void {
  program
    .command('init')
    .description(
      'Start a training project from a Detection Model Zoo model (downloaded into a shared cache)',
    )
    .argument('[dir]', 'the project folder (created when missing)')
    .option(
      '-m, --model <name>',
      'zoo model, e.g. ssd_mobilenet_v2_320x320_coco17_tpu-8 (see --list)',
    )
    .option(
      '--label-map <file>',
      'label map to copy in; num_classes follows its largest id (default: from --records)',
    )
    .option(
      '--records <glob>',
      'training TFRecords relative to <dir>, as the config names them; without --label-map their classes give num_classes and label_map.pbtxt',
    )
    .option('--eval-records <glob>', 'evaluation TFRecords')
    .option('--tf <1|2>', 'TensorFlow version of the training image (TF1 or TF2 zoo)', tfVersion)
    .option('--num-steps <n>', 'training steps', integer('--num-steps'))
    .option(
      '--batch-size <n>',
      'batch size (default: what this machine carries)',
      integer('--batch-size'),
    )
    .option(
      '--instance-type <type>',
      'SageMaker training instance type to size the batch for (default: this machine)',
    )
    .option('--list', 'list the zoo models with what to choose by, and exit')
    .action(async (dir: string | undefined, flags: InitFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      if (flags.list) {
        for (const model of MODEL_ZOO.filter((m) => !flags.tf || m.tf === flags.tf))
          out(`TF${model.tf}  ${model.name}  (${describeZooModel(model)})\n`);
        return;
      }
      if (!dir || !flags.model)
        throw new UserError(
          'tfod init needs a folder and a model',
          'Run tfod init <dir> --model <zoo-name>; tfod init --list shows the models',
        );
      const baseUrl = modelZooBaseUrl();
      let last = 0;
      const onProgress = (p: DownloadProgress): void => {
        const now = Date.now();
        if (now - last < 1000 && p.received !== p.total) return;
        last = now;
        const of = p.total ? ` of ${formatBytes(p.total)}` : '';
        const resumed = p.resumedFrom > 0 ? ` (resumed at ${formatBytes(p.resumedFrom)})` : '';
        err(`downloaded ${formatBytes(p.received)}${of}${resumed}\n`);
      };
      const result = await interruptible((signal) =>
        initZooProject({
          dir,
          model: flags.model as string,
          tf: flags.tf,
          labelMap: flags.labelMap,
          records: flags.records,
          evalRecords: flags.evalRecords,
          numSteps: flags.numSteps,
          batchSize: flags.batchSize,
          instanceType: flags.instanceType,
          baseUrl,
          signal,
          onProgress,
          log: (line) => err(`${line}\n`),
        }),
      );
      if (result.recordClasses)
        out(
          `label_map.pbtxt: ${[...result.recordClasses.names].map(([id, name]) => `${id} ${name}`).join(', ')} (from the records)\n`,
        );
      for (const change of result.changes)
        out(`${change.field}: ${change.from ?? '(added)'} -> ${change.to}\n`);
      for (const line of result.remaining) err(`${line}\n`);
      out(
        `${result.configPath}: ready to train from ${result.checkpoint} (TF${result.model.tf}${result.remaining.length ? `, ${result.remaining.length} problem(s) left above` : ', validates with no error and no warning'})\n`,
      );
    });
}
