// Minimal edits to a text-format file: replace the values of the scalar fields at a path and
// leave every other byte as it was. The training container uses this to point
// `train_input_reader.tf_record_input_reader.input_path` and friends at the SageMaker channels
// without reformatting the user's pipeline.config.

import type { DocumentNode, ScalarNode } from './ast';
import { parse } from './parser';
import type { TextFormatDiagnostic } from './diagnostics';
import { quoteString } from './stringLiteral';
import { findFields } from './walk';

export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

/** Accepts `a.b.c` or `['a', 'b', 'c']`. */
export function splitPath(path: string | readonly string[]): string[] {
  return typeof path === 'string' ? path.split('.').filter((p) => p.length > 0) : [...path];
}

/** Every scalar value at `path`, in source order: each occurrence of a repeated field and each
 *  element of a `[...]` list. */
export function scalarsAt(doc: DocumentNode, path: string | readonly string[]): ScalarNode[] {
  const scalars: ScalarNode[] = [];
  for (const field of findFields(doc, splitPath(path))) {
    const value = field.value;
    if (value?.kind === 'scalar') scalars.push(value);
    else if (value?.kind === 'list')
      for (const element of value.elements) if (element.kind === 'scalar') scalars.push(element);
  }
  return scalars;
}

/**
 * Edits that replace the text of one scalar. For adjacent strings with comments between them,
 * the first part takes the new text and the others are removed, so the comments stay.
 */
export function replaceScalarEdits(scalar: ScalarNode, newText: string): TextEdit[] {
  const inner = scalar.innerComments ?? [];
  const parentField = scalar.parent.kind === 'field' ? scalar.parent : undefined;
  const commentsInside = [...inner, ...(parentField?.innerComments ?? [])].some(
    (c) => c.offset > scalar.offset && c.offset < scalar.offset + scalar.length,
  );
  if (!commentsInside || scalar.parts.length < 2)
    return [{ offset: scalar.offset, length: scalar.length, newText }];
  return scalar.parts.map((part, i) => ({
    offset: i === 0 ? scalar.offset : part.offset,
    length: i === 0 ? part.offset + part.length - scalar.offset : part.length,
    newText: i === 0 ? newText : '',
  }));
}

/**
 * Edits that give every string at `path` a new value: `rewrite` gets the value as the Object
 * Detection API reads it and returns the new value, or undefined to leave it. The new literal
 * keeps the original quote style. Non-string scalars at the path are left alone.
 */
export function replaceStringValueEdits(
  doc: DocumentNode,
  path: string | readonly string[],
  rewrite: (value: string, scalar: ScalarNode) => string | undefined,
): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const scalar of scalarsAt(doc, path)) {
    if (scalar.valueKind !== 'string') continue;
    const next = rewrite(String(scalar.value), scalar);
    if (next === undefined || next === scalar.value) continue;
    const quote = scalar.parts[0]?.quote ?? '"';
    edits.push(...replaceScalarEdits(scalar, quoteString(next, quote)));
  }
  return edits;
}

/** Applies non-overlapping edits (in any order). Overlapping edits are a caller bug. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.offset < at || edit.offset + edit.length > text.length)
      throw new RangeError(`overlapping or out-of-range text edit at offset ${edit.offset}`);
    out += text.slice(at, edit.offset) + edit.newText;
    at = edit.offset + edit.length;
  }
  return out + text.slice(at);
}

export interface RewriteResult {
  text: string;
  /** How many values changed. */
  changed: number;
  /** Problems in the input (the rewrite is still done where the tree allows). */
  diagnostics: TextFormatDiagnostic[];
}

/** Parses `text`, rewrites the strings at `path`, and returns the new text. */
export function rewriteStringValues(
  text: string,
  path: string | readonly string[],
  rewrite: (value: string) => string | undefined,
): RewriteResult {
  const doc = parse(text);
  let changed = 0;
  const edits = replaceStringValueEdits(doc, path, (value) => {
    const next = rewrite(value);
    if (next !== undefined && next !== value) changed++;
    return next;
  });
  return { text: applyEdits(text, edits), changed, diagnostics: doc.diagnostics };
}
