// Checks against the other files of the project: the label map a config names (its ids against
// num_classes), the TFRecords of input_path and the fine-tune checkpoint. The SageMaker training
// container rewrites paths to the files of its `training` channel by file name, so a path is
// looked for as written, next to the config, in the workspace, and finally by its file name.
// Only a file that was found and contradicts the config is an error; a file that may still be
// uploaded is at most a warning; a template placeholder is information.

import type { DocumentNode, FieldNode, ScalarNode } from '../../textproto';
import type { ValidationDiagnostic } from './diagnostic';
import { architectures } from './configRules';
import type { LabelMapSummary } from './labelMapRules';
import type { ScalarValues } from './schemaChecks';
import { asNumber, asString, lastScalar, messagesNamed, scalarsNamed } from './values';

/** The file system as validation sees it; paths are absolute, with `/` or the platform's separator. */
export interface ProjectHost {
  /** Workspace folders, absolute. */
  readonly roots: readonly string[];
  stat(path: string): 'file' | 'directory' | undefined;
  /** The text of a file (an open editor's text first), undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Names in a folder, undefined when it is not one. */
  list(dir: string): readonly string[] | undefined;
  /** Files with this exact name anywhere in the workspace folders. */
  findByName(name: string): readonly string[];
  /**
   * What TFRecord files hold, when the host can read them: 'pending' while they are being read
   * (off the message loop; the host re-validates the configs that asked when it is done).
   */
  records?(files: readonly string[]): RecordsSummary | 'pending' | undefined;
}

/** The class ids a set of TFRecord files holds, as `tfod data inspect` counts them. */
export interface RecordsSummary {
  readonly records: number;
  readonly objects: number;
  /** Objects per class/label id. */
  readonly classIds: ReadonlyMap<number, number>;
  /** Problems of the files (bad CRC, not a tf.Example, ...), as `tfod data inspect` lists them. */
  readonly problems: number;
}

/** What project checks need from a label map: validated with the same walker, elsewhere. */
export interface LabelMapReader {
  (
    path: string,
  ):
    | { summary: LabelMapSummary; firstError: ValidationDiagnostic | undefined; text: string }
    | undefined;
}

export interface ProjectContext {
  readonly host: ProjectHost;
  /** Absolute path of the validated file. */
  readonly path: string;
  readonly readLabelMap: LabelMapReader;
  /** Paths read, for re-validation when they change. */
  readonly dependencies: Set<string>;
}

const PLACEHOLDER = /PATH_TO_BE_CONFIGURED|PATH_TO_BE_FILLED|\/path\/to\//i;
const REMOTE = /^(?:s3|gs|hdfs|https?):\/\//i;

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function join(dir: string, rel: string): string {
  const parts = (dir.replace(/[\\/]+$/, '') + '/' + rel.replace(/\\/g, '/')).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
    else if (out.length === 0) out.push('');
  }
  return out.join('/') || '/';
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

export type Resolution =
  | {
      kind: 'found';
      path: string;
      how: 'as written' | 'next to the config' | 'in the workspace' | 'by file name';
      type: 'file' | 'directory';
    }
  | { kind: 'placeholder'; byName: string | undefined }
  | { kind: 'remote' }
  | { kind: 'ambiguous'; candidates: readonly string[] }
  | { kind: 'missing' };

/** Where a path written in a config points in this project. */
export function resolveProjectPath(
  value: string,
  configPath: string,
  host: ProjectHost,
): Resolution {
  if (REMOTE.test(value)) return { kind: 'remote' };
  const name = basename(value);
  const byName = (): string[] => {
    if (!name || /[*?[]/.test(name)) return [];
    const next = join(dirname(configPath), name);
    if (host.stat(next)) return [next];
    return [...host.findByName(name)];
  };
  if (PLACEHOLDER.test(value)) {
    const found = byName();
    return { kind: 'placeholder', byName: found.length === 1 ? found[0] : undefined };
  }
  const tries: [string, 'as written' | 'next to the config' | 'in the workspace'][] = [];
  if (isAbsolute(value)) tries.push([value, 'as written']);
  else {
    tries.push([join(dirname(configPath), value), 'next to the config']);
    for (const root of host.roots) tries.push([join(root, value), 'in the workspace']);
  }
  for (const [path, how] of tries) {
    const type = host.stat(path);
    if (type) return { kind: 'found', path, how, type };
  }
  const found = byName();
  if (found.length === 1)
    return { kind: 'found', path: found[0] as string, how: 'by file name', type: 'file' };
  if (found.length > 1) return { kind: 'ambiguous', candidates: found };
  return { kind: 'missing' };
}

function project(
  code: string,
  message: string,
  severity: ValidationDiagnostic['severity'],
  at: { offset: number; length: number },
  extra: Partial<ValidationDiagnostic> = {},
): ValidationDiagnostic {
  return {
    code,
    message,
    severity,
    origin: 'project',
    offset: at.offset,
    length: at.length,
    ...extra,
  };
}

function shown(path: string, host: ProjectHost): string {
  for (const root of host.roots) {
    const r = root.replace(/[\\/]+$/, '');
    if (path.startsWith(r + '/') || path.startsWith(r + '\\')) return path.slice(r.length + 1);
  }
  return path;
}

export function projectDiagnostics(
  doc: DocumentNode,
  values: ScalarValues,
  ctx: ProjectContext,
): ValidationDiagnostic[] {
  const out: ValidationDiagnostic[] = [];
  const readers = [
    ...messagesNamed(doc, 'train_input_reader'),
    ...messagesNamed(doc, 'eval_input_reader'),
  ];
  let labelMap: { path: string; summary: LabelMapSummary; node: ScalarNode } | undefined;
  const inputs: { node: ScalarNode; files: string[]; labelMap: LabelMapSummary | undefined }[] = [];
  for (const reader of readers) {
    const found = checkLabelMapPath(reader, values, ctx, out);
    if (found && !labelMap) labelMap = found;
    for (const tf of messagesNamed(reader, 'tf_record_input_reader'))
      for (const input of scalarsNamed(tf, 'input_path', values)) {
        const files = checkInputPath(input.node, asString(input.value), ctx, out);
        if (files.length) inputs.push({ node: input.node, files, labelMap: found?.summary });
      }
  }
  if (labelMap) checkNumClasses(doc, values, labelMap, ctx, out);
  const numClasses = architectures(doc)
    .map(({ body }) => asNumber(lastScalar(body, 'num_classes', values)?.value))
    .find((n) => n !== undefined);
  for (const input of inputs) checkRecordClasses(input, numClasses, ctx, out);
  for (const train of messagesNamed(doc, 'train_config')) checkCheckpoint(train, values, ctx, out);
  return out;
}

function placeholderInfo(
  node: ScalarNode,
  field: string,
  byName: string | undefined,
  ctx: ProjectContext,
): ValidationDiagnostic {
  const name = basename(asDisplay(node));
  return project(
    'path-placeholder',
    `\`${field}\` is still the template's placeholder: the training container points it at ${quoted(name)} in the \`training\` channel${
      byName ? ` (found as ${shown(byName, ctx.host)} in the workspace)` : ''
    }. Set the path, or leave it for the container to fill in.`,
    'information',
    node,
  );
}

function asDisplay(node: ScalarNode): string {
  return typeof node.value === 'string' ? node.value : String(node.value);
}

function checkLabelMapPath(
  reader: import('../../textproto').Container,
  values: ScalarValues,
  ctx: ProjectContext,
  out: ValidationDiagnostic[],
): { path: string; summary: LabelMapSummary; node: ScalarNode } | undefined {
  const found = lastScalar(reader, 'label_map_path', values);
  const value = asString(found?.value);
  if (!found || value === undefined || value === '') return undefined;
  const where = resolveProjectPath(value, ctx.path, ctx.host);
  let path: string | undefined;
  if (where.kind === 'placeholder') {
    out.push(placeholderInfo(found.node, 'label_map_path', where.byName, ctx));
    path = where.byName;
  } else if (where.kind === 'missing')
    out.push(
      project(
        'label-map-not-found',
        `The label map ${quoted(value)} is not in the workspace (looked as written, next to the config and by file name): put it in the training data folder or fix the path.`,
        'warning',
        found.node,
      ),
    );
  else if (where.kind === 'found') {
    if (where.type === 'directory') {
      out.push(
        project(
          'label-map-is-folder',
          `${quoted(value)} is a folder: label_map_path needs the label map file (e.g. \`label_map.pbtxt\`).`,
          'error',
          found.node,
        ),
      );
      return undefined;
    }
    path = where.path;
  }
  if (!path) return undefined;
  ctx.dependencies.add(path);
  const labelMap = ctx.readLabelMap(path);
  if (!labelMap) return undefined;
  if (labelMap.firstError) {
    out.push(
      project(
        'label-map-unreadable',
        `The Object Detection API cannot read the label map ${shown(path, ctx.host)}: ${labelMap.firstError.message}`,
        'error',
        found.node,
        {
          related: [
            {
              message: labelMap.firstError.message,
              path,
              offset: labelMap.firstError.offset,
              length: labelMap.firstError.length,
            },
          ],
        },
      ),
    );
    return undefined;
  }
  return { path, summary: labelMap.summary, node: found.node };
}

function checkNumClasses(
  doc: DocumentNode,
  values: ScalarValues,
  labelMap: { path: string; summary: LabelMapSummary },
  ctx: ProjectContext,
  out: ValidationDiagnostic[],
): void {
  const maxId = labelMap.summary.maxId;
  if (maxId === undefined) return;
  const file = shown(labelMap.path, ctx.host);
  for (const { body } of architectures(doc)) {
    const num = lastScalar(body, 'num_classes', values);
    const n = asNumber(num?.value);
    if (!num || n === undefined) continue;
    const top = labelMap.summary.items.reduce((a, b) => (b.id > a.id ? b : a));
    const related = top.idNode
      ? [
          {
            message: `largest id in ${file}`,
            path: labelMap.path,
            offset: top.idNode.offset,
            length: top.idNode.length,
          },
        ]
      : undefined;
    if (maxId > n) {
      const lost = labelMap.summary.items.filter((i) => i.id > n).length;
      out.push(
        project(
          'num-classes-below-label-map',
          `num_classes is ${n} but the label map ${file} has ids up to ${maxId}: the API ignores ids above num_classes, so ${lost} class${lost === 1 ? '' : 'es'} can never be predicted. Set \`num_classes: ${maxId}\`.`,
          'error',
          num.node,
          related ? { related } : {},
        ),
      );
    } else if (n > maxId)
      out.push(
        project(
          'num-classes-above-label-map',
          `num_classes is ${n} but the label map ${file} has ids only up to ${maxId}: the model gets ${n - maxId} output${n - maxId === 1 ? '' : 's'} no class uses (wasted capacity, e.g. a template's 90 left in). Set \`num_classes: ${maxId}\`.`,
          'warning',
          num.node,
          related ? { related } : {},
        ),
      );
  }
}

const SHARD_OF = /-\d{5}-of-(\d{5})$/;

/** The longest file name ext4, XFS, APFS and NTFS allow (in bytes, as UTF-8). */
export const MAX_FILE_NAME_BYTES = 255;

/** A file-name glob (`*`, `?`, `[...]`, `[!...]`) as tf.io.gfile.glob matches it within a folder. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re +=
          '[' +
          glob
            .slice(i + 1, end)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Checks an input_path; returns the record files it names (none when not found). */
function checkInputPath(
  node: ScalarNode,
  value: string | undefined,
  ctx: ProjectContext,
  out: ValidationDiagnostic[],
): string[] {
  if (value === undefined || value === '') return [];
  const name = basename(value);
  if (PLACEHOLDER.test(value)) {
    out.push(placeholderInfo(node, 'input_path', undefined, ctx));
    return [];
  }
  if (REMOTE.test(value)) return [];
  // A glob (`train.record-?????-of-00010`) or one file: look in its folder (as written, next to the
  // config, in the workspace) and, as the container would, by file name in the config's folder.
  const dirs: string[] = [];
  const dir = dirname(value);
  if (isAbsolute(value)) dirs.push(dir);
  else {
    dirs.push(join(dirname(ctx.path), dir === value ? '.' : dir));
    for (const root of ctx.host.roots) dirs.push(join(root, dir === value ? '.' : dir));
  }
  dirs.push(dirname(ctx.path));
  // No file system names a file longer than 255 bytes: a longer plain name matches nothing. A
  // pattern is built for any name below 1,024 characters (enough for any match of 255 bytes).
  if (!/[*?[]/.test(name) && Buffer.byteLength(name) > MAX_FILE_NAME_BYTES) {
    out.push(
      project(
        'input-path-not-found',
        `No TFRecord file can match ${quoted(value)}: its file name is ${Buffer.byteLength(name).toLocaleString('en-US')} bytes long, and file systems allow ${MAX_FILE_NAME_BYTES}. Fix the path.`,
        'warning',
        node,
      ),
    );
    return [];
  }
  const pattern = name.length < 1024 ? globToRegExp(name) : /(?!)/;
  for (const d of dirs) {
    const names = ctx.host.list(d);
    const matched = names?.filter((n) => pattern.test(n)) ?? [];
    if (matched.length > 0) return matched.sort().map((n) => join(d, n));
  }
  // Shards of the named file (`train.record-00000-of-00010` for `train.record`).
  for (const d of dirs) {
    const shards = ctx.host.list(d)?.filter((n) => n.startsWith(name + '-') && SHARD_OF.test(n));
    if (shards && shards.length > 0) {
      const of = SHARD_OF.exec(shards[0] as string)?.[1] ?? '00001';
      out.push(
        project(
          'input-path-sharded',
          `No file is called ${quoted(name)}, but its shards are there: write ${quoted(`${value}-?????-of-${of}`)} so that every shard is read.`,
          'warning',
          node,
        ),
      );
      return [];
    }
  }
  out.push(
    project(
      'input-path-not-found',
      `No TFRecord file matches ${quoted(value)} in the workspace: the training job fails unless the \`training\` channel holds it. Put the records in the training data folder or fix the path.`,
      'warning',
      node,
    ),
  );
  return [];
}

/**
 * The class ids the records hold against num_classes and the reader's label map, once the host
 * has read them (a large set is read off the message loop; its configs re-validate after).
 */
function checkRecordClasses(
  input: { node: ScalarNode; files: string[]; labelMap: LabelMapSummary | undefined },
  numClasses: number | undefined,
  ctx: ProjectContext,
  out: ValidationDiagnostic[],
): void {
  if (!ctx.host.records) return;
  // Re-validated when the records change (or when the host has read them).
  for (const file of input.files) ctx.dependencies.add(file);
  const summary = ctx.host.records(input.files);
  if (!summary || summary === 'pending') return;
  const ids = [...summary.classIds.keys()].sort((a, b) => a - b);
  const count = (list: number[]) =>
    list
      .map(
        (id) =>
          `${id} (${summary.classIds.get(id)} object${summary.classIds.get(id) === 1 ? '' : 's'})`,
      )
      .join(', ');
  const above = numClasses === undefined ? [] : ids.filter((id) => id > numClasses);
  if (above.length > 0)
    out.push(
      project(
        'records-class-above-num-classes',
        `The records hold class id${above.length === 1 ? '' : 's'} ${count(above)} above num_classes ${numClasses}: the model has no output for ${above.length === 1 ? 'it' : 'them'}. Set \`num_classes: ${above[above.length - 1]}\` or fix the records (\`tfod data inspect\` lists them).`,
        'error',
        input.node,
      ),
    );
  const known = input.labelMap ? new Set(input.labelMap.items.map((i) => i.id)) : undefined;
  const unknown = known ? ids.filter((id) => !known.has(id)) : [];
  if (unknown.length > 0)
    out.push(
      project(
        'records-class-not-in-label-map',
        `The records hold class id${unknown.length === 1 ? '' : 's'} ${count(unknown)} that the label map does not have: evaluation and exported models cannot name ${unknown.length === 1 ? 'it' : 'them'}. Add ${unknown.length === 1 ? 'it' : 'them'} to the label map or fix the records.`,
        'warning',
        input.node,
      ),
    );
}

const CHECKPOINT_TYPES = ['detection', 'classification', 'full', 'fine_tune'];
const CHECKPOINT_FILE = /\.(index|meta)$|\.data-\d{5}-of-\d{5}$/;

function checkCheckpoint(
  train: import('../../textproto').Container,
  values: ScalarValues,
  ctx: ProjectContext,
  out: ValidationDiagnostic[],
): void {
  const checkpoint = lastScalar(train, 'fine_tune_checkpoint', values);
  const type = lastScalar(train, 'fine_tune_checkpoint_type', values);
  const fromDetection = lastScalar(train, 'from_detection_checkpoint', values);
  const typeValue = asString(type?.value);
  if (type && typeValue !== undefined && typeValue !== '' && !CHECKPOINT_TYPES.includes(typeValue))
    out.push(
      project(
        'checkpoint-type-unknown',
        `\`${typeValue}\` is not a fine_tune_checkpoint_type the model builders know: use ${CHECKPOINT_TYPES.map((t) => `"${t}"`).join(', ')}.`,
        'warning',
        type.node,
      ),
    );
  if (
    type &&
    typeValue === 'classification' &&
    fromDetection?.value.kind === 'bool' &&
    fromDetection.value.value
  )
    out.push(
      project(
        'checkpoint-type-disagrees',
        'fine_tune_checkpoint_type is "classification" but from_detection_checkpoint is true: the API follows fine_tune_checkpoint_type and restores only the feature extractor. Remove the deprecated from_detection_checkpoint, or set the type to "detection".',
        'warning',
        type.node,
      ),
    );
  const value = asString(checkpoint?.value);
  if (!checkpoint || !value) return;
  if (PLACEHOLDER.test(value)) {
    out.push(placeholderInfo(checkpoint.node, 'fine_tune_checkpoint', undefined, ctx));
    return;
  }
  if (REMOTE.test(value)) return;
  const where = resolveProjectPath(value, ctx.path, ctx.host);
  const prefix = value.replace(CHECKPOINT_FILE, '');
  if (CHECKPOINT_FILE.test(value)) {
    out.push(
      project(
        'checkpoint-file-not-prefix',
        `fine_tune_checkpoint names one file of the checkpoint; the API restores from its prefix: write \`${prefix}\`.`,
        where.kind === 'found' ? 'error' : 'warning',
        checkpoint.node,
      ),
    );
    return;
  }
  if (where.kind === 'found' && where.type === 'directory' && where.how !== 'by file name') {
    const names = ctx.host.list(where.path) ?? [];
    const index = names.find((n) => n.endsWith('.index'));
    out.push(
      project(
        'checkpoint-is-folder',
        `fine_tune_checkpoint is a folder; the API restores from a checkpoint prefix${
          index
            ? `: write \`${value.replace(/[\\/]+$/, '')}/${index.replace(/\.index$/, '')}\``
            : ' such as `checkpoint/ckpt-0`'
        }.`,
        'error',
        checkpoint.node,
      ),
    );
    return;
  }
  if (where.kind === 'missing' || where.kind === 'ambiguous') {
    // A prefix is not a file: look for `<prefix>.index`.
    const dir = resolveProjectPath(dirname(value) || '.', ctx.path, ctx.host);
    const names =
      dir.kind === 'found' && dir.type === 'directory' ? (ctx.host.list(dir.path) ?? []) : [];
    if (names.includes(basename(value) + '.index')) {
      const detection =
        names.includes('pipeline.config') ||
        (dir.kind === 'found' &&
          ctx.host.stat(join(dirname(dir.path), 'pipeline.config')) === 'file');
      if (detection && typeValue === 'classification')
        out.push(
          project(
            'checkpoint-type-disagrees',
            'This checkpoint comes with a pipeline.config, so it is a detection checkpoint, but fine_tune_checkpoint_type is "classification": the API would restore only the feature extractor. Use "detection" to restore the whole detector.',
            'warning',
            type?.node ?? checkpoint.node,
          ),
        );
      return;
    }
    out.push(
      project(
        'checkpoint-not-found',
        `No checkpoint ${quoted(value)} (${quoted(`${basename(value)}.index`)} and its data files) is in the workspace: the training job fails unless the \`training\` channel holds it.`,
        'warning',
        checkpoint.node,
      ),
    );
  }
}

/** Fields whose values name files, for hover and document links. */
export const PATH_FIELDS = ['label_map_path', 'input_path', 'fine_tune_checkpoint'] as const;
export type PathField = (typeof PATH_FIELDS)[number];

export function isPathField(field: FieldNode): boolean {
  return (PATH_FIELDS as readonly string[]).includes(field.name.text);
}

/**
 * A value from the file quoted in a message, cut in the middle when long: a path of megabytes
 * (generated or pasted by mistake) must not be echoed whole into every message about it.
 */
export function quoted(value: string): string {
  if (value.length <= 160) return `\`${value}\``;
  return `\`${value.slice(0, 100)}…${value.slice(-40)}\` (${value.length.toLocaleString('en-US')} characters)`;
}
