// Which message a text-format file holds. A `# proto-message:` header names it; otherwise the file
// name (`*.config` is a pipeline config, `*label_map*` a label map) and then the top-level field
// names decide. A file that matches nothing (a Caffe prototxt, a GraphDef) is checked for syntax
// only, never against the Object Detection schema.

import type { DocumentNode } from '../../textproto';
import { LABEL_MAP, PIPELINE_CONFIG, shortName, type MessageType, type Schema } from '../model';

export interface DocumentType {
  /** The root message, or undefined for syntax-only checking. */
  readonly root: MessageType | undefined;
  /** How it was decided, for logs and hover. */
  readonly reason: 'header' | 'file name' | 'content' | 'explicit' | 'none';
  /** The header named a message the schema does not have. */
  readonly unknownHeader?: { name: string; offset: number; length: number };
}

const HEADER = /^#\s*proto-message:\s*([\w.]+)/;

/** The `# proto-message: Name` comment among the leading comments of the file, if any. */
export function protoMessageHeader(
  doc: DocumentNode,
): { name: string; offset: number; length: number } | undefined {
  for (const comment of doc.comments) {
    if (doc.fields[0] && comment.offset > doc.fields[0].offset) break;
    const m = HEADER.exec(comment.text);
    if (m) return { name: m[1] as string, offset: comment.offset, length: comment.length };
  }
  return undefined;
}

/** A message by full name, or by its short name when exactly one message has it. */
export function findMessage(schema: Schema, name: string): MessageType | undefined {
  const exact = schema.message(name);
  if (exact) return exact;
  const matches = schema.messages().filter((m) => shortName(m.fullName) === name);
  return matches.length === 1 ? matches[0] : undefined;
}

export function detectDocumentType(
  schema: Schema,
  doc: DocumentNode,
  fileName: string | undefined,
): DocumentType {
  const header = protoMessageHeader(doc);
  if (header) {
    const root = findMessage(schema, header.name);
    return root
      ? { root, reason: 'header' }
      : { root: undefined, reason: 'none', unknownHeader: header };
  }
  const pipeline = schema.message(PIPELINE_CONFIG);
  const labelMap = schema.message(LABEL_MAP);
  const base = (fileName ?? '').replace(/^.*[\\/]/, '').toLowerCase();
  if (base.endsWith('.config') && pipeline) return { root: pipeline, reason: 'file name' };
  if (/label_?map/.test(base) && labelMap) return { root: labelMap, reason: 'file name' };
  const names = doc.fields.filter((f) => f.name.form === 'identifier').map((f) => f.name.text);
  if (names.length === 0) return { root: undefined, reason: 'none' };
  const known = (type: MessageType | undefined) =>
    type ? names.filter((n) => schema.field(type, n)).length : 0;
  const inPipeline = known(pipeline);
  const inLabelMap = known(labelMap);
  if (inPipeline > 0 && inPipeline >= inLabelMap) return { root: pipeline, reason: 'content' };
  if (inLabelMap > 0) return { root: labelMap, reason: 'content' };
  return { root: undefined, reason: 'none' };
}

const PIPELINE_SECTION =
  /^[ \t]*(?:model|train_config|train_input_reader|eval_config|eval_input_reader|eval_input_configs|graph_rewriter)[ \t]*:?[ \t]*[{<]/m;

/**
 * Whether a `*.config` file is a text-format pipeline config rather than XML (a .NET `web.config`)
 * or anything else: no markup, and a pipeline section such as `model {` at the start of a line.
 */
export function isTextFormatPipelineConfig(text: string): boolean {
  const start = /^(?:\uFEFF)?(?:\s|#[^\n]*\n)*/.exec(text)?.[0].length ?? 0;
  if (text[start] === '<') return false;
  return PIPELINE_SECTION.test(text.length > 200_000 ? text.slice(0, 200_000) : text);
}
