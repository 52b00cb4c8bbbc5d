// Formatting through the one printer (textproto's formatText): the whole document as one minimal
// edit, or the top-level blocks a range touches. Input with syntax errors is left alone, since
// printing it could change what the Object Detection API reads.

import { formatText, parse, type FieldNode, type TextEdit } from '../../textproto';

export interface FormatEdits {
  readonly edits: TextEdit[];
  /** The text has syntax errors and was not formatted. */
  readonly skipped: boolean;
}

/** The smallest single edit turning `before` into `after` (common prefix and suffix kept). */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  )
    end++;
  return {
    offset: start,
    length: before.length - end - start,
    newText: after.slice(start, after.length - end),
  };
}

export function formatDocument(text: string): FormatEdits {
  const result = formatText(text);
  if (result.skipped) return { edits: [], skipped: true };
  const edit = minimalEdit(text, result.text);
  return { edits: edit ? [edit] : [], skipped: false };
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function fieldEnd(field: FieldNode): number {
  const end = field.offset + field.length;
  const trailing = field.trailingComment;
  return trailing ? Math.max(end, trailing.offset + trailing.length) : end;
}

/**
 * Formats the top-level fields that `[offset, offset + length)` touches (a top-level field is
 * printed at indent 0 whatever surrounds it, so the slice formats on its own).
 */
export function formatRange(text: string, offset: number, length: number): FormatEdits {
  const doc = parse(text);
  if (doc.diagnostics.some((d) => d.severity === 'error')) return { edits: [], skipped: true };
  const end = offset + length;
  const touched = doc.fields.filter(
    (f) => f.offset <= end && fieldEnd(f) >= offset && !(length > 0 && fieldEnd(f) === offset),
  );
  if (touched.length === 0) return { edits: [], skipped: false };
  const first = touched[0] as FieldNode;
  const last = touched[touched.length - 1] as FieldNode;
  const start = lineStart(text, first.leadingComments[0]?.offset ?? first.offset);
  const stop = fieldEnd(last);
  const slice = text.slice(start, stop);
  const formatted = formatText(slice);
  if (formatted.skipped) return { edits: [], skipped: true };
  let out = formatted.text;
  if (out.endsWith('\r\n')) out = out.slice(0, -2);
  else if (out.endsWith('\n')) out = out.slice(0, -1);
  const edit = minimalEdit(slice, out);
  return {
    edits: edit ? [{ ...edit, offset: edit.offset + start }] : [],
    skipped: false,
  };
}
