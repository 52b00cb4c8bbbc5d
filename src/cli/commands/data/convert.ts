import { isAbsolute, relative } from 'node:path';
import { CommanderError, Option, type Command } from 'commander';
import {
  ANNOTATION_FORMATS,
  convertAnnotations,
  type ConvertProblem,
  type ConvertResult,
} from '../../../core/dataset';
import { UserError } from '../../../core/errors';
import { integer, interruptible, output, table } from '../targetOptions';

interface ConvertFlags {
  readonly from: (typeof ANNOTATION_FORMATS)[number];
  readonly out: string;
  readonly images?: string;
  readonly labelMap?: string;
  readonly valFraction: string;
  readonly shards?: number;
  readonly seed: number;
  readonly json?: boolean;
}

/**
 * `tfod data convert --from voc|coco|csv|yolo <input> --out <dir>`: annotations to the API's
 * TFRecords and label map, every problem listed; exit code 1 when an image or object was dropped.
 */
export function register(data: Command): void {
  data
    .command('convert')
    .description(
      'Convert annotations (Pascal VOC, COCO, CSV, YOLO) to train/validation TFRecords and label_map.pbtxt',
    )
    .argument(
      '<input>',
      'the annotation folder (VOC XML, YOLO with its class list) or file (COCO JSON, CSV)',
    )
    .addOption(
      new Option('--from <format>', 'annotation format')
        .choices([...ANNOTATION_FORMATS])
        .makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'folder for the records and label map')
    .option('--images <dir>', "where the images are (default: each format's convention)")
    .option(
      '--label-map <file>',
      'take class ids from this label map and check the classes against it (default: write one)',
    )
    .option('--val-fraction <f>', 'share of images for validation', '0.2')
    .option('--shards <n>', 'training shards (default: one per 1,000 images)', integer('--shards'))
    .option('--seed <n>', 'seed of the train/validation split', integer('--seed', 0), 1)
    .option('--json', 'print one JSON document')
    .action(async (input: string, flags: ConvertFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const fraction = Number(flags.valFraction);
      if (!(fraction >= 0 && fraction < 1))
        throw new UserError(
          `--val-fraction ${flags.valFraction} is not a number in [0, 1)`,
          'Give a share such as 0.2.',
        );
      const progress = process.stderr.isTTY && !flags.json;
      const result = await interruptible((signal) =>
        convertAnnotations({
          from: flags.from,
          input,
          out: flags.out,
          valFraction: fraction,
          seed: flags.seed,
          signal,
          ...(flags.images ? { images: flags.images } : {}),
          ...(flags.labelMap ? { labelMap: flags.labelMap } : {}),
          ...(flags.shards ? { shards: flags.shards } : {}),
          ...(progress ? { onProgress: (p) => err(`\r${p.images} of ${p.total} images`) } : {}),
        }),
      );
      if (progress) err('\r\x1b[K');
      if (flags.json)
        out(
          `${JSON.stringify({ ...result, problems: result.problems.map((p) => ({ ...p, file: shown(p.file) })) }, null, 2)}\n`,
        );
      else out(describe(result, flags.out));
      if (result.errors > 0) throw new CommanderError(1, 'tfod.data.convert.errors', '');
    });
}

function describe(r: ConvertResult, dir: string): string {
  const lines = r.problems.map(problemLine);
  if (lines.length) lines.push('');
  lines.push(
    `${r.images.train} training and ${r.images.validation} validation images written (${r.images.skipped} skipped); ${r.objects.written} objects (${r.objects.clipped} clipped, ${r.objects.dropped} dropped)`,
    table([
      ['ID', 'CLASS', 'TRAIN', 'VALIDATION'],
      ...r.classes.map((c) => [String(c.id), c.name, String(c.train), String(c.validation)]),
    ]).trimEnd(),
    `${shown(dir)}: ${r.files.join(', ')}${r.labelMap.written ? '' : ` (classes checked against ${shown(r.labelMap.path)})`}`,
    `pipeline.config: input_path: "${r.inputPaths.train}"${r.inputPaths.validation ? ` (eval: "${r.inputPaths.validation}")` : ''}, num_classes: ${Math.max(0, ...r.classes.map((c) => c.id))}`,
    `${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}

function problemLine(p: ConvertProblem): string {
  return `${shown(p.file)}${p.object !== undefined ? `: object ${p.object}` : ''}: ${p.severity}: ${p.message}`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
