// What a path field (label_map_path, input_path, fine_tune_checkpoint) points at in the project:
// resolved as the validator resolves it, described for hover, and turned into a link target.

import type { FieldNode, ScalarNode } from '../../textproto';
import { LABEL_MAP } from '../model';
import { isPathField, resolveProjectPath, validateText, type ProjectHost } from '../validate';
import type { LanguageContext } from './context';

export interface PathTarget {
  /** The file to open, when there is one. */
  readonly file?: string;
  /** The folder to reveal, when the target is a folder or a set of files. */
  readonly folder?: string;
  /** One line for hover: where it is and what it holds. */
  readonly summary: string;
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? path.slice(0, i + 1) : path.slice(0, i);
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function joinPath(dir: string, name: string): string {
  return `${dir.replace(/[\\/]+$/, '')}/${name}`;
}

function globToRegExp(glob: string): RegExp {
  // A name longer than any file system allows matches nothing (and would not build).
  if (glob.length > 1024) return /(?!)/;
  const re = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`);
}

/** The path field holding `scalar`, when it is one and its value is a string. */
export function pathFieldOf(scalar: ScalarNode): FieldNode | undefined {
  const field = scalar.parent.kind === 'field' ? scalar.parent : scalar.parent.parent;
  return scalar.valueKind === 'string' && isPathField(field) ? field : undefined;
}

function labelMapSummary(path: string, host: ProjectHost): string {
  const text = host.readText(path);
  if (text === undefined) return 'cannot be read';
  const result = validateText(text, { root: LABEL_MAP, path });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const items = result.labelMap?.items ?? [];
  const ids = new Set(items.map((i) => i.id));
  const max = result.labelMap?.maxId;
  return `${ids.size} class${ids.size === 1 ? '' : 'es'}${max !== undefined ? ` (ids up to ${max})` : ''}${
    errors ? `, ${errors} error${errors === 1 ? '' : 's'}` : ''
  }`;
}

/** ": 1,234 records, 5,678 objects, class ids 1-3", as far as the host has read the records. */
function recordsLine(host: ProjectHost, files: string[]): string {
  const summary = host.records?.(files);
  if (summary === 'pending') return ' (counting their records...)';
  if (!summary) return '';
  const ids = [...summary.classIds.keys()].sort((a, b) => a - b);
  const range = ids.length
    ? `, class ids ${ids.length > 1 ? `${ids[0]}-${ids[ids.length - 1]}` : ids[0]}`
    : '';
  const problems = summary.problems
    ? `, ${summary.problems} problem${summary.problems === 1 ? '' : 's'} (\`tfod data inspect\`)`
    : '';
  return `: ${summary.records.toLocaleString('en-US')} records, ${summary.objects.toLocaleString('en-US')} objects${range}${problems}`;
}

/** Where the value of a path field points, or undefined without a project. */
export function pathTarget(
  ctx: LanguageContext,
  field: FieldNode,
  value: string,
): PathTarget | undefined {
  const host = ctx.host;
  if (!host || !ctx.path || value === '') return undefined;
  const name = field.name.text;
  const where = resolveProjectPath(value, ctx.path, host);
  if (where.kind === 'remote') return { summary: 'Remote: not checked in the workspace.' };
  if (where.kind === 'placeholder')
    return where.byName
      ? {
          file: where.byName,
          summary: `Template placeholder; a file of that name is at \`${where.byName}\`.`,
        }
      : { summary: 'Template placeholder: the training container fills it in.' };
  if (where.kind === 'ambiguous')
    return {
      summary: `Several files match: ${where.candidates.map((c) => `\`${c}\``).join(', ')}.`,
    };
  if (where.kind === 'found') {
    if (where.type === 'directory')
      return { folder: where.path, summary: `A folder (found ${where.how}): \`${where.path}\`.` };
    const what = name === 'label_map_path' ? `: ${labelMapSummary(where.path, host)}` : '';
    return { file: where.path, summary: `Exists (found ${where.how}): \`${where.path}\`${what}.` };
  }
  // Missing as a file: a TFRecord glob or a checkpoint prefix names several files.
  const dirValue = dirname(value);
  const base = basename(value);
  const dir = resolveProjectPath(dirValue || '.', ctx.path, host);
  const dirPath =
    dir.kind === 'found' && dir.type === 'directory'
      ? dir.path
      : dirValue
        ? undefined
        : dirname(ctx.path);
  const names = dirPath ? (host.list(dirPath) ?? []) : [];
  if (name === 'fine_tune_checkpoint') {
    if (dirPath && names.includes(`${base}.index`)) {
      const data = names.filter((n) => n.startsWith(`${base}.data-`)).length;
      return {
        file: joinPath(dirPath, `${base}.index`),
        folder: dirPath,
        summary: `A checkpoint in \`${dirPath}\`: \`${base}.index\` and ${data} data file${data === 1 ? '' : 's'}.`,
      };
    }
  } else if (name === 'input_path' && dirPath) {
    const pattern = globToRegExp(base);
    let matches = names.filter((n) => pattern.test(n));
    if (matches.length === 0)
      matches = names.filter(
        (n) => /^-\d{5}-of-\d{5}$/.test(n.slice(base.length)) && n.startsWith(base),
      );
    if (matches.length > 0)
      return {
        file: joinPath(dirPath, matches[0] as string),
        folder: dirPath,
        summary: `${matches.length} TFRecord file${matches.length === 1 ? '' : 's'} in \`${dirPath}\`${recordsLine(
          host,
          matches.sort().map((m) => joinPath(dirPath, m)),
        )}.`,
      };
  }
  return {
    summary: 'Not found in the workspace (the training job needs it in its `training` channel).',
  };
}
