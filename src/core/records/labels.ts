import { readdirSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import {
  defaultSchema,
  globToRegExp,
  isTextFormatPipelineConfig,
  LabelMapCache,
  NodeProjectHost,
  resolveProjectPath,
  validateText,
  type ProjectHost,
} from '../../schema/validate';
import { architectures } from '../../schema/validate/configRules';
import {
  asNumber,
  asString,
  lastScalar,
  messagesNamed,
  scalarsNamed,
} from '../../schema/validate/values';
import { shardNames } from './shards';

/**
 * The classes records should hold, found the way the validator finds a config's files: a pipeline
 * config whose input_path names the records (in the records' folder, its parent, or a workspace
 * root) gives its label_map_path, resolved as the validator resolves it, and its num_classes; else
 * a `label_map.pbtxt` beside the records. An explicit label map or config wins over both.
 */
export interface RecordLabels {
  readonly labelMap?: {
    readonly path: string;
    /** id -> name (the first item of an id, as the API's label_map_util keeps it). */
    readonly names: ReadonlyMap<number, string>;
    /**
     * name or display_name -> id, as the API's decoder looks class/text up when the config names a
     * label map (the last item of a name wins; the larger of its name and display_name ids).
     */
    readonly textIds?: ReadonlyMap<string, number>;
    /** Why the API cannot read it, when it cannot. */
    readonly error?: string;
  };
  readonly numClasses?: number;
  /** The pipeline config the label map and num_classes came from. */
  readonly config?: string;
  /** How they were found, in words ("label_map_path of pipeline.config"). */
  readonly how?: string;
}

export interface FindLabelsOptions {
  readonly labelMap?: string;
  readonly config?: string;
  /** Workspace folders (the CLI's working folder). */
  readonly roots?: readonly string[];
}

/** What one pipeline config says of its inputs. */
export interface PipelineInputs {
  readonly inputPaths: readonly string[];
  readonly labelMapPaths: readonly string[];
  readonly numClasses?: number;
}

export function readPipelineInputs(text: string, path: string): PipelineInputs {
  const result = validateText(text, {
    schema: defaultSchema(),
    path,
    root: 'object_detection.protos.TrainEvalPipelineConfig',
  });
  const { doc, values } = result;
  const inputPaths: string[] = [];
  const labelMapPaths: string[] = [];
  for (const name of ['train_input_reader', 'eval_input_reader'])
    for (const reader of messagesNamed(doc, name)) {
      const labelMap = asString(lastScalar(reader, 'label_map_path', values)?.value);
      if (labelMap) labelMapPaths.push(labelMap);
      for (const tf of messagesNamed(reader, 'tf_record_input_reader'))
        for (const input of scalarsNamed(tf, 'input_path', values)) {
          const value = asString(input.value);
          if (value) inputPaths.push(value);
        }
    }
  let numClasses: number | undefined;
  for (const { body } of architectures(doc))
    numClasses ??= asNumber(lastScalar(body, 'num_classes', values)?.value);
  return { inputPaths, labelMapPaths, ...(numClasses !== undefined ? { numClasses } : {}) };
}

/** Whether an input_path value names this record file (by file name, as the container matches). */
export function inputPathNames(inputPath: string, recordFile: string): boolean {
  const name = basename(recordFile);
  const pattern = basename(inputPath);
  if (pattern === name) return true;
  if (/[*?[]/.test(pattern) && pattern.length < 1024 && globToRegExp(pattern).test(name))
    return true;
  return (shardNames(inputPath) ?? []).some((shard) => basename(shard) === name);
}

export function findRecordLabels(
  recordFiles: readonly string[],
  options: FindLabelsOptions = {},
): RecordLabels {
  const roots = (options.roots ?? [process.cwd()]).map((r) => resolve(r));
  const host = new NodeProjectHost(roots);
  const labelMaps = new LabelMapCache(host, defaultSchema());
  if (options.labelMap) {
    const path = resolve(options.labelMap);
    const fromConfig = options.config
      ? fromPipeline(resolve(options.config), host, labelMaps)
      : undefined;
    return {
      labelMap: readLabels(path, labelMaps),
      ...(fromConfig?.numClasses !== undefined
        ? { numClasses: fromConfig.numClasses, config: fromConfig.config }
        : {}),
      how: '--label-map',
    };
  }
  if (options.config) return fromPipeline(resolve(options.config), host, labelMaps) ?? {};
  const folders = new Set<string>();
  for (const file of recordFiles) {
    const dir = dirname(resolve(file));
    folders.add(dir);
    folders.add(dirname(dir));
  }
  for (const root of roots) folders.add(root);
  for (const folder of folders)
    for (const config of pipelineConfigs(folder, host)) {
      const inputs = readPipelineInputs(host.readText(config) ?? '', config);
      if (
        !recordFiles.some((file) => inputs.inputPaths.some((input) => inputPathNames(input, file)))
      )
        continue;
      const found = fromPipeline(config, host, labelMaps, inputs);
      if (found) return found;
    }
  for (const file of recordFiles) {
    const beside = resolve(dirname(resolve(file)), 'label_map.pbtxt');
    if (host.stat(beside) === 'file')
      return { labelMap: readLabels(beside, labelMaps), how: 'label_map.pbtxt beside the records' };
  }
  return {};
}

function pipelineConfigs(folder: string, host: ProjectHost): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((n) => extname(n).toLowerCase() === '.config')
    .sort()
    .map((n) => resolve(folder, n))
    .filter(
      (path) => host.stat(path) === 'file' && isTextFormatPipelineConfig(host.readText(path) ?? ''),
    );
}

function fromPipeline(
  config: string,
  host: ProjectHost,
  labelMaps: LabelMapCache,
  inputs = readPipelineInputs(host.readText(config) ?? '', config),
): RecordLabels | undefined {
  const name = basename(config);
  for (const value of inputs.labelMapPaths) {
    const where = resolveProjectPath(value, config, host);
    const path =
      where.kind === 'found' ? where.path : where.kind === 'placeholder' ? where.byName : undefined;
    if (path && host.stat(path) === 'file')
      return {
        labelMap: readLabels(path, labelMaps),
        ...(inputs.numClasses !== undefined ? { numClasses: inputs.numClasses } : {}),
        config,
        how: `label_map_path of ${name}`,
      };
  }
  return inputs.numClasses !== undefined
    ? { numClasses: inputs.numClasses, config, how: `num_classes of ${name}` }
    : undefined;
}

function readLabels(path: string, labelMaps: LabelMapCache): NonNullable<RecordLabels['labelMap']> {
  const read = labelMaps.read(path);
  if (!read) return { path, names: new Map(), error: 'it cannot be read' };
  const names = new Map<number, string>();
  const byName = new Map<string, number>();
  const byDisplayName = new Map<string, number>();
  for (const item of read.summary.items) {
    if (!names.has(item.id)) names.set(item.id, item.name ?? item.displayName ?? '');
    if (item.name !== undefined) byName.set(item.name, item.id);
    if (item.displayName !== undefined) byDisplayName.set(item.displayName, item.id);
  }
  const textIds = new Map(byName);
  for (const [text, id] of byDisplayName) textIds.set(text, Math.max(id, textIds.get(text) ?? -1));
  return { path, names, textIds, ...(read.firstError ? { error: read.firstError.message } : {}) };
}
