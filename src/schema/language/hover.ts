// Hover: what a field is (its full path, type, default, deprecation and one-line doc), what an
// enum value means, and where a path field points. Fields are bound through the validator's
// walker binding, so hover and diagnostics agree on what a field is.

import { fieldPath, nodeAt, type FieldNode, type ScalarNode } from '../../textproto';
import { shortName } from '../model';
import { bindingOf, fieldMarkdown, type LanguageContext } from './context';
import { pathFieldOf, pathTarget } from './paths';

export interface HoverResult {
  /** Markdown. */
  readonly contents: string;
  readonly offset: number;
  readonly length: number;
}

function within(range: { offset: number; length: number }, offset: number): boolean {
  return offset >= range.offset && offset <= range.offset + range.length;
}

export function hover(ctx: LanguageContext, offset: number): HoverResult | undefined {
  if (!ctx.root) return undefined;
  const node = nodeAt(ctx.doc, offset);
  if (node.kind === 'field' && within(node.name, offset)) return fieldHover(ctx, node);
  if (node.kind === 'scalar') return scalarHover(ctx, node);
  return undefined;
}

function fieldHover(ctx: LanguageContext, field: FieldNode): HoverResult | undefined {
  const binding = bindingOf(ctx, field);
  if (!binding) return undefined;
  const at = { offset: field.name.offset, length: field.name.length };
  const path = fieldPath(field).join('.');
  if (!binding.def)
    return {
      ...at,
      contents: `**${path}**\n\n\`${shortName(binding.parentType.fullName)}\` has no field \`${field.name.text}\`.`,
    };
  return {
    ...at,
    contents: `**${path}** (in \`${shortName(binding.parentType.fullName)}\`)\n\n${fieldMarkdown(ctx.schema, binding.parentType, binding.def)}`,
  };
}

function scalarHover(ctx: LanguageContext, scalar: ScalarNode): HoverResult | undefined {
  const field = scalar.parent.kind === 'field' ? scalar.parent : scalar.parent.parent;
  const binding = bindingOf(ctx, field);
  const def = binding?.def;
  if (!binding || !def) return undefined;
  const at = { offset: scalar.offset, length: scalar.length };
  const title = `**${fieldPath(field).join('.')}**`;
  const enumType = ctx.schema.enumOf(def);
  if (enumType && scalar.valueKind !== 'string') {
    const value =
      scalar.valueKind === 'number'
        ? enumType.values.find((v) => v.number === scalar.value)
        : enumType.values.find((v) => v.name === scalar.raw);
    if (!value)
      return {
        ...at,
        contents: `${title}\n\n\`${scalar.raw}\` is not a value of \`${shortName(enumType.fullName)}\`.`,
      };
    const lines = [
      `\`${shortName(enumType.fullName)}.${value.name}\` = ${value.number}${value.deprecated ? ' · **Deprecated.**' : ''}`,
    ];
    if (value.doc) lines.push(value.doc);
    else if (enumType.doc) lines.push(enumType.doc);
    return { ...at, contents: `${title}\n\n${lines.join('\n\n')}` };
  }
  const pathField = pathFieldOf(scalar);
  if (pathField) {
    const target = pathTarget(ctx, pathField, String(scalar.value));
    if (target)
      return {
        ...at,
        contents: `${title}\n\n${target.summary}${def.doc ? `\n\n${def.doc}` : ''}`,
      };
  }
  return undefined;
}
