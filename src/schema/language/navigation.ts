// Outline and navigation: the message tree as document symbols (`model > ssd > box_predictor`),
// folding ranges for blocks and comment runs, selection ranges from a value out to the document,
// links and definitions for path fields, and the label map item behind an id.

import {
  forEachNode,
  nodeAt,
  type FieldNode,
  type ListElement,
  type Node,
  type ScalarNode,
} from '../../textproto';
import { scalarText } from '../../textproto';
import type { LanguageContext } from './context';
import { pathFieldOf, pathTarget } from './paths';

export interface Span {
  readonly offset: number;
  readonly length: number;
}

export interface SymbolEntry {
  readonly name: string;
  /** The value of a scalar field; a label map item's id and name. */
  readonly detail?: string;
  readonly kind: 'message' | 'field';
  /** The whole field. */
  readonly range: Span;
  /** Its name. */
  readonly selection: Span;
  readonly children: SymbolEntry[];
}

/** Cap on symbols, so that a 100,000-item label map stays responsive. */
const MAX_SYMBOLS = 20_000;

function itemDetail(field: FieldNode): string | undefined {
  if (field.value?.kind !== 'message') return undefined;
  const parts: string[] = [];
  for (const f of field.value.fields)
    if (
      (f.name.text === 'id' || f.name.text === 'name' || f.name.text === 'display_name') &&
      f.value?.kind === 'scalar'
    )
      parts.push(String(f.value.value));
  return parts.length ? parts.join(' ') : undefined;
}

export function documentSymbols(ctx: LanguageContext): SymbolEntry[] {
  const top: SymbolEntry[] = [];
  let count = 0;
  const stack: { fields: readonly FieldNode[]; into: SymbolEntry[] }[] = [
    { fields: ctx.doc.fields, into: top },
  ];
  while (stack.length > 0 && count < MAX_SYMBOLS) {
    const { fields, into } = stack.pop()!;
    for (const field of fields) {
      if (++count > MAX_SYMBOLS) break;
      const value = field.value;
      const messages: ListElement[] =
        value?.kind === 'message'
          ? [value]
          : value?.kind === 'list'
            ? value.elements.filter((e) => e.kind === 'message')
            : [];
      const isMessage = messages.length > 0;
      const detail = isMessage
        ? itemDetail(field)
        : value?.kind === 'scalar'
          ? scalarText(value)
          : undefined;
      const entry: SymbolEntry = {
        name: field.name.text || '?',
        ...(detail !== undefined ? { detail } : {}),
        kind: isMessage ? 'message' : 'field',
        range: { offset: field.offset, length: field.length },
        selection: { offset: field.name.offset, length: field.name.length },
        children: [],
      };
      into.push(entry);
      for (const m of messages)
        if (m.kind === 'message') stack.push({ fields: m.fields, into: entry.children });
    }
  }
  return top;
}

export interface Fold {
  readonly startLine: number;
  readonly endLine: number;
  readonly kind?: 'comment';
}

export function foldingRanges(ctx: LanguageContext, lineOf: (offset: number) => number): Fold[] {
  const out: Fold[] = [];
  forEachNode(ctx.doc, (node) => {
    if ((node.kind === 'message' || node.kind === 'list') && node.close) {
      const start = lineOf(node.open.offset);
      const end = lineOf(node.close.offset) - 1;
      if (end > start) out.push({ startLine: start, endLine: end });
    }
    return node.kind !== 'scalar';
  });
  // Runs of whole-line comments.
  let runStart = -1;
  let runEnd = -1;
  for (const c of ctx.doc.comments) {
    if (!c.ownLine) continue;
    const line = lineOf(c.offset);
    if (line === runEnd + 1 && runStart >= 0) runEnd = line;
    else {
      if (runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: 'comment' });
      runStart = runEnd = line;
    }
  }
  if (runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: 'comment' });
  return out.sort((a, b) => a.startLine - b.startLine);
}

/** From the innermost node at `offset` out to the whole document, each containing the one before. */
export function selectionRanges(ctx: LanguageContext, offset: number): Span[] {
  const out: Span[] = [];
  let node: Node | undefined = nodeAt(ctx.doc, offset);
  const push = (span: Span) => {
    const last = out[out.length - 1];
    if (last && last.offset === span.offset && last.length === span.length) return;
    if (
      last &&
      (span.offset > last.offset || span.offset + span.length < last.offset + last.length)
    )
      return;
    out.push(span);
  };
  if (
    node.kind === 'field' &&
    offset >= node.name.offset &&
    offset <= node.name.offset + node.name.length
  )
    push({ offset: node.name.offset, length: node.name.length });
  while (node) {
    if (node.kind === 'message' && node.close) {
      // The inside of the braces, then the braces.
      const inner = node.open.offset + node.open.length;
      push({ offset: inner, length: node.close.offset - inner });
    }
    if (node.kind === 'scalar' && node.valueKind === 'string' && node.parts.length === 1)
      push({ offset: node.offset + 1, length: node.length - 2 });
    push({ offset: node.offset, length: node.length });
    node = node.parent;
  }
  push({ offset: 0, length: ctx.text.length });
  return out;
}

export interface LinkEntry {
  /** The string's content (without quotes). */
  readonly range: Span;
  readonly file?: string;
  readonly folder?: string;
  readonly tooltip: string;
}

export function documentLinks(ctx: LanguageContext): LinkEntry[] {
  if (!ctx.host || !ctx.path) return [];
  const out: LinkEntry[] = [];
  forEachNode(ctx.doc, (node) => {
    if (node.kind !== 'scalar') return true;
    const field = pathFieldOf(node);
    if (!field || node.parts.length !== 1) return false;
    const target = pathTarget(ctx, field, String(node.value));
    if (target && (target.file || target.folder))
      out.push({
        range: { offset: node.offset + 1, length: node.length - 2 },
        ...(target.file ? { file: target.file } : {}),
        ...(target.folder ? { folder: target.folder } : {}),
        tooltip: target.summary,
      });
    return false;
  });
  return out;
}

export interface DefinitionTarget {
  readonly file: string;
  /** In that file; undefined for its start. */
  readonly range?: Span;
}

/**
 * Definition: a path field's file; in a label map, the first item with the id under the cursor
 * (where a duplicate id's class comes from).
 */
export function definition(ctx: LanguageContext, offset: number): DefinitionTarget | undefined {
  const node = nodeAt(ctx.doc, offset);
  if (node.kind !== 'scalar') return undefined;
  const field = pathFieldOf(node);
  if (field) {
    const target = pathTarget(ctx, field, String(node.value));
    return target?.file ? { file: target.file } : undefined;
  }
  const parent = node.parent.kind === 'field' ? node.parent : undefined;
  if (ctx.path && parent?.name.text === 'id' && typeof node.value === 'number') {
    const first = labelMapItemWithId(ctx, node.value);
    if (first && first !== node)
      return { file: ctx.path, range: { offset: first.offset, length: first.length } };
  }
  return undefined;
}

/** The id scalar of the first label map item with `id`. */
export function labelMapItemWithId(ctx: LanguageContext, id: number): ScalarNode | undefined {
  for (const item of ctx.doc.fields) {
    if (item.name.text !== 'item' || item.value?.kind !== 'message') continue;
    for (const f of item.value.fields)
      if (f.name.text === 'id' && f.value?.kind === 'scalar' && f.value.value === id)
        return f.value;
  }
  return undefined;
}
