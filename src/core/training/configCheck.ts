import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeProjectHost, validateBytes, type ProjectHost } from '../../schema/validate';
import { LineIndex } from '../../textproto';
import type { TrainingFolder } from './resources';

// The pipeline config and label map of a training channel, checked with the editor's validator
// as the training container will read them: before an upload and before a training job starts.
// An error here is one the job would fail on, so neither is worth doing until it is fixed.

/** A training channel's files as the check reads them: a folder on disk, or an S3 prefix. */
export interface ChannelFiles {
  /** The absolute path `host` knows the channel's root under. */
  readonly root: string;
  /** What the project checks look paths up in (the label map a config names, its records). */
  readonly host: ProjectHost;
  read(relative: string): Promise<Uint8Array>;
  /** How a file of the channel is named in messages (`data/pipeline.config`, an S3 URI). */
  display(relative: string): string;
}

export interface ConfigProblem {
  readonly code: 'invalid-config' | 'invalid-label-map';
  readonly message: string;
  readonly fix: string;
  /** Where the first error is: the file as `display` names it, 1-based line and column. */
  readonly at: { readonly file: string; readonly line: number; readonly column: number };
}

/** The channel of a folder on disk, its files named relative to the folder unless told. */
export function folderChannel(
  folder: string,
  display: (relative: string) => string = (relative) => relative,
): ChannelFiles {
  return {
    root: folder,
    host: new NodeProjectHost([folder]),
    read: (relative) => readFile(join(folder, relative)),
    display,
  };
}

/**
 * The fields the training container sets itself (container/src/training/train.ts): the label map
 * and the TFRecords of the channel when it has them, and fine_tune_checkpoint always (the
 * checkpoint's path, or removed to train from scratch). A template placeholder left in one of
 * them is harmless; anywhere else the job fails on it.
 */
export function fieldsFilledByContainer(training: TrainingFolder): string[] {
  return [
    ...(training.labelMaps.length > 0 ? ['label_map_path'] : []),
    ...(training.records.length > 0 ? ['input_path'] : []),
    'fine_tune_checkpoint',
  ];
}

const MAX_LISTED_ERRORS = 5;

/**
 * The errors of the pipeline config and label map the container takes (the first of each that
 * describeTrainingFiles lists), validated for training: a template placeholder is an error except
 * in the fields the container fills in. `fix` says what to do once a file is fixed.
 */
export async function configProblems(
  channel: ChannelFiles,
  training: TrainingFolder,
  fix: (file: string) => string,
): Promise<ConfigProblem[]> {
  const checks: Array<[string | undefined, ConfigProblem['code']]> = [
    [training.pipelineConfigs[0], 'invalid-config'],
    [training.labelMaps[0], 'invalid-label-map'],
  ];
  const filledByContainer = fieldsFilledByContainer(training);
  const problems: ConfigProblem[] = [];
  for (const [relative, code] of checks) {
    if (!relative) continue;
    const result = validateBytes(await channel.read(relative), {
      path: join(channel.root, relative),
      host: channel.host,
      target: { purpose: 'train', filledByContainer },
    });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) continue;
    const file = channel.display(relative);
    const lines = new LineIndex(result.doc.text);
    const located = errors.map((d) => ({ d, at: lines.positionAt(d.offset) }));
    const listed = located
      .slice(0, MAX_LISTED_ERRORS)
      .map(({ d, at }) => `${file}:${at.line + 1}:${at.character + 1}: ${d.message}`);
    const more =
      errors.length > MAX_LISTED_ERRORS ? ` (and ${errors.length - MAX_LISTED_ERRORS} more)` : '';
    const first = located[0]?.at ?? { line: 0, character: 0 };
    problems.push({
      code,
      message: `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'} the training job would fail on: ${listed.join('; ')}${more}`,
      fix: fix(file),
      at: { file, line: first.line + 1, column: first.character + 1 },
    });
  }
  return problems;
}
