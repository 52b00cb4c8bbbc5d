import { isAbsolute, relative } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { UserError } from '../../../core/errors';
import {
  expandRecordPath,
  findRecordLabels,
  inspectRecords,
  type RecordsInspection,
  type RecordsProblem,
} from '../../../core/records';
import { interruptible, output, table } from '../targetOptions';

interface InspectFlags {
  readonly json?: boolean;
  readonly labelMap?: string;
  readonly config?: string;
}

/**
 * `tfod data inspect <records...>`: per-class counts, image sizes, box sizes and every problem
 * of TFRecord files (sharded names and input_path patterns expand to their whole set); exit code
 * 1 when any problem is an error.
 */
export function register(data: Command): void {
  data
    .command('inspect')
    .description(
      'Count classes, image sizes and box sizes in TFRecord files and list every problem (bad CRC, not a tf.Example, boxes out of range, class ids the label map or num_classes lack)',
    )
    .argument(
      '<records...>',
      'TFRecord files; a shard (train.record-00000-of-00004) or a pattern (train.record-?????-of-00004) stands for its whole set',
    )
    .option('--json', 'print one JSON document')
    .option(
      '--label-map <file>',
      'check class ids against this label map (default: the label_map_path of a pipeline config naming the records, else label_map.pbtxt beside them)',
    )
    .option('--config <file>', 'take the label map and num_classes from this pipeline config')
    .action(async (paths: string[], flags: InspectFlags, cmd: Command) => {
      const { out, err } = output(cmd);
      const files: string[] = [];
      const missing: string[] = [];
      for (const path of paths) {
        const set = await expandRecordPath(path).catch((e: NodeJS.ErrnoException) => {
          throw new UserError(
            `cannot list the folder of ${path}: ${e.code ?? e.message}`,
            'Check the path.',
          );
        });
        files.push(...set.files);
        missing.push(...set.missing);
      }
      if (files.length === 0)
        throw new UserError(
          `no TFRecord files match ${paths.join(', ')}`,
          'Give record files, or a shard name or pattern whose files are there.',
        );
      const labels = findRecordLabels(files, {
        ...(flags.labelMap ? { labelMap: flags.labelMap } : {}),
        ...(flags.config ? { config: flags.config } : {}),
      });
      const progress = process.stderr.isTTY && !flags.json;
      const result = await interruptible((signal) =>
        inspectRecords(files, {
          labels,
          signal,
          missing,
          ...(progress
            ? {
                onProgress: (p) =>
                  err(
                    `\r${p.records} records, ${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))}%`,
                  ),
              }
            : {}),
        }),
      );
      if (progress) err('\r\x1b[K');
      if (flags.json)
        out(
          `${JSON.stringify(
            {
              labelMap: labels.labelMap
                ? {
                    path: shown(labels.labelMap.path),
                    how: labels.how,
                    ...(labels.labelMap.error ? { error: labels.labelMap.error } : {}),
                  }
                : null,
              numClasses: labels.numClasses ?? null,
              ...result,
              files: result.files.map((f) => ({ ...f, path: shown(f.path) })),
              problems: result.problems.map((p) => ({ ...p, file: shown(p.file) })),
            },
            null,
            2,
          )}\n`,
        );
      else out(describe(result, labels));
      if (result.errors > 0) throw new CommanderError(1, 'tfod.data.inspect.errors', '');
    });
}

function describe(r: RecordsInspection, labels: ReturnType<typeof findRecordLabels>): string {
  const lines: string[] = [];
  lines.push(
    table([
      ['FILE', 'RECORDS', 'BYTES'],
      ...r.files.map((f) => [shown(f.path), String(f.records), String(f.bytes)]),
    ]).trimEnd(),
  );
  lines.push(
    `${plural(r.records, 'record')}, ${r.examples} tf.Example${r.examples === 1 ? '' : 's'}, ${plural(r.objects, 'object')} (${r.imagesWithoutObjects} image${r.imagesWithoutObjects === 1 ? '' : 's'} without objects, at most ${r.maxObjectsPerImage} in one)`,
  );
  if (labels.labelMap)
    lines.push(
      `label map: ${shown(labels.labelMap.path)} (${labels.how})${labels.labelMap.error ? `: the API cannot read it: ${labels.labelMap.error}` : ''}`,
    );
  else lines.push('label map: none found (give --label-map or --config to check class ids)');
  if (labels.numClasses !== undefined)
    lines.push(
      `num_classes: ${labels.numClasses}${labels.config ? ` (${shown(labels.config)})` : ''}`,
    );
  if (r.classes.length > 0)
    lines.push(
      '',
      table([
        ['ID', 'CLASS', 'OBJECTS', 'IMAGES'],
        ...r.classes.map((c) => [
          c.label !== undefined ? String(c.label) : '-',
          c.name ?? '',
          String(c.objects),
          String(c.images),
        ]),
      ]).trimEnd(),
    );
  if (r.imageSizes.length > 0) {
    const top = r.imageSizes.slice(0, 5).map((s) => `${s.width} x ${s.height} (${s.images})`);
    const rest = r.imageSizes.slice(5).reduce((n, s) => n + s.images, 0) + r.otherImageSizes;
    lines.push('', `image sizes: ${top.join(', ')}${rest ? `, ${rest} other` : ''}`);
  }
  const formats = Object.entries(r.formats).map(([f, n]) => `${f} ${n}`);
  if (formats.length) lines.push(`image formats: ${formats.join(', ')}`);
  if (r.objects > 0) {
    const pct = (v: number) => `${+(v * 100).toFixed(1)}%`;
    lines.push(
      `box sides (relative to the image): ${r.boxSizes.map((b) => `${b.to === null ? `>=${pct(b.from)}` : `<${pct(b.to)}`} ${b.objects}`).join(', ')}`,
      `box areas (COCO, pixels): small ${r.boxAreas.small}, medium ${r.boxAreas.medium}, large ${r.boxAreas.large}`,
    );
  }
  if (r.problems.length > 0) lines.push('', ...r.problems.map(problemLine));
  if (r.problemsNotListed > 0)
    lines.push(`... and ${r.problemsNotListed} more problems (not listed)`);
  lines.push('', `${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')}`);
  return `${lines.join('\n')}\n`;
}

function problemLine(p: RecordsProblem): string {
  const where = [
    p.record !== undefined ? `record ${p.record}` : undefined,
    p.offset !== undefined ? `byte ${p.offset}` : undefined,
    p.object !== undefined ? `object ${p.object}` : undefined,
  ].filter(Boolean);
  return `${shown(p.file)}${where.length ? `: ${where.join(', ')}` : ''}: ${p.severity}: ${p.message}`;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
