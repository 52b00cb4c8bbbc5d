// Quick fixes for the validator's diagnostics, each a set of text edits: the suggested field or
// enum value for a misspelling, num_classes set to the label map's largest id, a duplicate field
// removed, a duplicate label map id renumbered, a missing required field added; and any fix a
// rule attached to its diagnostic (`ValidationDiagnostic.fix`, e.g. the training rules').

import {
  nodeAt,
  type Container,
  type FieldNode,
  type MessageNode,
  type TextEdit,
} from '../../textproto';
import { shortName, type FieldDef, type MessageType } from '../model';
import { closestMatch } from '../suggest';
import type { ValidationDiagnostic } from '../validate';
import { bindingOf, containerType, type LanguageContext } from './context';

export interface CodeAction {
  readonly title: string;
  readonly edits: TextEdit[];
  /** The diagnostic it fixes. */
  readonly diagnostic: ValidationDiagnostic;
  readonly preferred?: boolean;
}

export const FIXABLE_CODES = [
  'unknown-field',
  'unknown-enum-value',
  'num-classes-below-label-map',
  'num-classes-above-label-map',
  'duplicate-field',
  'label-map-duplicate-id',
  'missing-required-field',
] as const;

export function codeActions(
  ctx: LanguageContext,
  diagnostics: readonly ValidationDiagnostic[],
): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const action = fix(ctx, d);
    if (action) out.push(action);
  }
  return out;
}

/** Whether a diagnostic has a quick fix (its own mechanical fix, or one built here). */
export function isFixable(d: ValidationDiagnostic): boolean {
  return d.fix !== undefined || (FIXABLE_CODES as readonly string[]).includes(d.code);
}

function fix(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  if (d.fix) return { title: d.fix.title, edits: [...d.fix.edits], diagnostic: d, preferred: true };
  switch (d.code) {
    case 'unknown-field':
      return renameField(ctx, d);
    case 'unknown-enum-value':
      return replaceEnum(ctx, d);
    case 'num-classes-below-label-map':
    case 'num-classes-above-label-map': {
      const n = /Set `num_classes: (\d+)`/.exec(d.message)?.[1];
      if (!n) return undefined;
      return {
        title: `Set num_classes to ${n} (the label map's largest id)`,
        edits: [{ offset: d.offset, length: d.length, newText: n }],
        diagnostic: d,
        preferred: true,
      };
    }
    case 'duplicate-field':
      return removeDuplicate(ctx, d);
    case 'label-map-duplicate-id':
      return renumber(ctx, d);
    case 'missing-required-field':
      return addRequired(ctx, d);
    default:
      return undefined;
  }
}

function fieldNamedAt(ctx: LanguageContext, offset: number): FieldNode | undefined {
  const node = nodeAt(ctx.doc, offset);
  return node.kind === 'field' && node.name.offset === offset ? node : undefined;
}

function renameField(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  const field = fieldNamedAt(ctx, d.offset);
  const binding = field && bindingOf(ctx, field);
  if (!field || !binding) return undefined;
  const suggestion = closestMatch(
    field.name.text,
    binding.parentType.fields.map((f) => f.name),
  );
  if (!suggestion) return undefined;
  return {
    title: `Change to \`${suggestion}\``,
    edits: [{ offset: field.name.offset, length: field.name.length, newText: suggestion }],
    diagnostic: d,
    preferred: true,
  };
}

function replaceEnum(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  const node = nodeAt(ctx.doc, d.offset);
  if (node.kind !== 'scalar' || node.valueKind !== 'identifier') return undefined;
  const field = node.parent.kind === 'field' ? node.parent : node.parent.parent;
  const def = bindingOf(ctx, field)?.def;
  const enumType = def && ctx.schema.enumOf(def);
  if (!enumType) return undefined;
  const names = enumType.values.map((v) => v.name);
  const written = node.raw;
  const suggestion =
    names.find((n) => n.toLowerCase() === written.toLowerCase()) ?? closestMatch(written, names);
  if (!suggestion) return undefined;
  return {
    title: `Change to \`${suggestion}\``,
    edits: [{ offset: node.offset, length: node.length, newText: suggestion }],
    diagnostic: d,
    preferred: true,
  };
}

/** The range of a whole field's lines: its leading comments, itself, its trailing comment and
 *  line break, when nothing else shares those lines; otherwise just the field. */
function fieldRemoval(text: string, field: FieldNode): TextEdit {
  let start = field.leadingComments[0]?.offset ?? field.offset;
  let end = field.trailingComment
    ? field.trailingComment.offset + field.trailingComment.length
    : field.offset + field.length;
  let s = start;
  while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
  let e = end;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  const ownLines =
    (s === 0 || text[s - 1] === '\n') &&
    (e === text.length || text[e] === '\n' || text[e] === '\r');
  if (ownLines) {
    start = s;
    end = e;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
  }
  return { offset: start, length: end - start, newText: '' };
}

function removeDuplicate(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  const field = fieldNamedAt(ctx, d.offset);
  if (!field) return undefined;
  return {
    title: `Remove this duplicate \`${field.name.text}\``,
    edits: [fieldRemoval(ctx.text, field)],
    diagnostic: d,
    preferred: true,
  };
}

function renumber(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  const node = nodeAt(ctx.doc, d.offset);
  if (node.kind !== 'scalar') return undefined;
  let max = 0;
  for (const item of ctx.doc.fields) {
    if (item.name.text !== 'item' || item.value?.kind !== 'message') continue;
    for (const f of item.value.fields)
      if (f.name.text === 'id' && f.value?.kind === 'scalar' && typeof f.value.value === 'number')
        max = Math.max(max, f.value.value);
  }
  const next = String(max + 1);
  return {
    title: `Renumber to ${next} (the next free id)`,
    edits: [{ offset: node.offset, length: node.length, newText: next }],
    diagnostic: d,
    preferred: true,
  };
}

/** A value to start a required field with: its default, else the zero of its type. */
function placeholder(ctx: LanguageContext, def: FieldDef): string {
  if (def.type.kind === 'message') return `${def.name} {\n}`;
  let value: string;
  if (def.default !== undefined)
    value =
      typeof def.default === 'string' && def.type.kind === 'scalar'
        ? JSON.stringify(def.default)
        : String(def.default);
  else if (def.type.kind === 'enum') value = ctx.schema.enumOf(def)?.values[0]?.name ?? '0';
  else if (def.type.scalar === 'bool') value = 'false';
  else if (def.type.scalar === 'string' || def.type.scalar === 'bytes') value = '""';
  else value = '0';
  return `${def.name}: ${value}`;
}

function indentOfLine(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n') s--;
  return /^[ \t]*/.exec(text.slice(s))?.[0] ?? '';
}

function addRequired(ctx: LanguageContext, d: ValidationDiagnostic): CodeAction | undefined {
  let container: Container = ctx.doc;
  if (d.length > 0) {
    const node = nodeAt(ctx.doc, d.offset);
    let current: typeof node | undefined = node;
    while (current && !(current.kind === 'message' && current.open.offset === d.offset))
      current = current.parent;
    if (!current) return undefined;
    container = current as MessageNode;
  }
  const type: MessageType | undefined = containerType(ctx, container);
  if (!type) return undefined;
  const set = new Set(container.fields.map((f) => f.name.text));
  const missing = type.fields.filter((f) => f.label === 'required' && !set.has(f.name));
  if (missing.length === 0) return undefined;
  const edits: TextEdit[] = [];
  if (container.kind === 'document') {
    const eol = ctx.text.length === 0 || ctx.text.endsWith('\n') ? '' : '\n';
    edits.push({
      offset: ctx.text.length,
      length: 0,
      newText: eol + missing.map((f) => placeholder(ctx, f) + '\n').join(''),
    });
  } else {
    const base = indentOfLine(ctx.text, container.open.offset);
    const inner = base + '  ';
    const lines = missing.map((f) => placeholder(ctx, f).replace(/\n/g, `\n${inner}`));
    edits.push({
      offset: container.open.offset + container.open.length,
      length: 0,
      newText:
        lines.map((l) => `\n${inner}${l}`).join('') +
        (container.close &&
        !ctx.text.slice(container.open.offset, container.close.offset).includes('\n')
          ? `\n${base}`
          : ''),
    });
  }
  return {
    title: `Add the required field${missing.length === 1 ? '' : 's'} ${missing.map((f) => `\`${f.name}\``).join(', ')} to \`${shortName(type.fullName)}\``,
    edits,
    diagnostic: d,
    preferred: true,
  };
}
