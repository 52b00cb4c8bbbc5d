// Completion from the schema at the cursor: the fields the enclosing message still takes (a
// singular field once, a repeated one always, one member of a oneof), with type, default and doc;
// enum values or true/false after `:`; templates for common blocks; and in a label map a new item
// with the next free id.

import { nodeAt, type Container, type FieldNode } from '../../textproto';
import { LABEL_MAP, PIPELINE_CONFIG, shortName, type FieldDef, type MessageType } from '../model';
import {
  containerAt,
  containerType,
  defaultLabel,
  fieldMarkdown,
  typeLabel,
  type LanguageContext,
} from './context';

export type CompletionKind = 'field' | 'message' | 'enum' | 'value' | 'template';

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  /** Short: the type and default. */
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Snippet syntax (`$0`, `${1:x}`) when `snippet`. */
  readonly insertText: string;
  readonly snippet: boolean;
  /** The text the entry replaces (the word being typed). */
  readonly replace: { offset: number; length: number };
  readonly deprecated?: boolean;
  readonly sortText?: string;
}

const WORD = /[A-Za-z0-9_]/;

/** Templates for blocks most configs need, keyed by `<message short name>.<field>`. */
const TEMPLATES: Record<string, { label: string; body: string; doc: string }[]> = {
  [`${shortName(PIPELINE_CONFIG)}.train_input_reader`]: [
    {
      label: 'train_input_reader (TFRecord + label map)',
      body: 'train_input_reader {\n  label_map_path: "${1:label_map.pbtxt}"\n  tf_record_input_reader {\n    input_path: "${2:train.record}"\n  }\n}$0',
      doc: 'Training data: TFRecord files and the label map naming their classes.',
    },
  ],
  [`${shortName(PIPELINE_CONFIG)}.eval_input_reader`]: [
    {
      label: 'eval_input_reader (TFRecord + label map)',
      body: 'eval_input_reader {\n  label_map_path: "${1:label_map.pbtxt}"\n  shuffle: false\n  num_epochs: 1\n  tf_record_input_reader {\n    input_path: "${2:validation.record}"\n  }\n}$0',
      doc: 'Evaluation data: read once, in order.',
    },
  ],
  [`${shortName(PIPELINE_CONFIG)}.train_config`]: [
    {
      label: 'train_config (fine-tune from a detection checkpoint)',
      body: 'train_config {\n  batch_size: ${1:8}\n  num_steps: ${2:25000}\n  fine_tune_checkpoint: "${3:checkpoint/ckpt-0}"\n  fine_tune_checkpoint_type: "detection"\n  optimizer {\n    momentum_optimizer {\n      learning_rate {\n        cosine_decay_learning_rate {\n          learning_rate_base: ${4:0.04}\n          total_steps: ${2:25000}\n          warmup_learning_rate: 0.013333\n          warmup_steps: 2000\n        }\n      }\n      momentum_optimizer_value: 0.9\n    }\n    use_moving_average: false\n  }\n  data_augmentation_options {\n    random_horizontal_flip {\n    }\n  }\n}$0',
      doc: 'Batch size, steps, the checkpoint to start from, a momentum optimizer with cosine decay and horizontal flips.',
    },
  ],
  [`${shortName(PIPELINE_CONFIG)}.eval_config`]: [
    {
      label: 'eval_config (COCO metrics)',
      body: 'eval_config {\n  metrics_set: "coco_detection_metrics"\n  use_moving_averages: false\n  batch_size: 1\n}$0',
      doc: 'COCO detection metrics on the evaluation data.',
    },
  ],
};

/** Every template, for tests: `[message.field, body]`. */
export function templateBodies(): { key: string; body: string }[] {
  return Object.entries(TEMPLATES).flatMap(([key, list]) =>
    list.map((t) => ({ key, body: t.body })),
  );
}

export function complete(ctx: LanguageContext, offset: number): CompletionEntry[] {
  const text = ctx.text;
  let start = offset;
  while (start > 0 && WORD.test(text[start - 1] as string)) start--;
  // Inside a string or a comment: nothing to offer.
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  const before = text.slice(lineStart, offset);
  if (before.includes('#') || /["']/.test(before.replace(/"[^"]*"|'[^']*'/g, ''))) return [];
  const replace = { offset: start, length: offset - start };
  if (!ctx.root) return [];
  let p = start;
  while (p > 0 && (text[p - 1] === ' ' || text[p - 1] === '\t')) p--;
  const node = nodeAt(ctx.doc, Math.max(0, start - 1));
  const container = containerAt(node, start);
  const type = containerType(ctx, container);
  if (!type) return [];
  if (text[p - 1] === ':') {
    let q = p - 1;
    while (q > 0 && (text[q - 1] === ' ' || text[q - 1] === '\t')) q--;
    let r = q;
    while (r > 0 && WORD.test(text[r - 1] as string)) r--;
    const def = ctx.schema.field(type, text.slice(r, q));
    return def ? valueEntries(ctx, def, replace) : [];
  }
  // A field name goes at the start of a line or after another field's value / a brace.
  return fieldEntries(ctx, container, type, replace, offset);
}

function valueEntries(
  ctx: LanguageContext,
  def: FieldDef,
  replace: { offset: number; length: number },
): CompletionEntry[] {
  const enumType = ctx.schema.enumOf(def);
  if (enumType)
    return enumType.values.map((v, i) => ({
      label: v.name,
      kind: 'enum' as const,
      detail: `${shortName(enumType.fullName)} = ${v.number}${def.default === v.name ? ' (default)' : ''}`,
      ...(v.doc ? { documentation: v.doc } : {}),
      insertText: v.name,
      snippet: false,
      replace,
      ...(v.deprecated ? { deprecated: true } : {}),
      sortText: String(i).padStart(4, '0'),
    }));
  if (def.type.kind === 'scalar' && def.type.scalar === 'bool')
    return ['true', 'false'].map((value) => ({
      label: value,
      kind: 'value' as const,
      detail: `bool${String(def.default) === value ? ' (default)' : ''}`,
      insertText: value,
      snippet: false,
      replace,
    }));
  return [];
}

/** The next id after the largest in a label map (1 for an empty one). */
function nextLabelMapId(ctx: LanguageContext): number {
  let max = 0;
  for (const item of ctx.doc.fields) {
    if (item.name.text !== 'item' || item.value?.kind !== 'message') continue;
    for (const f of item.value.fields)
      if (f.name.text === 'id' && f.value?.kind === 'scalar' && typeof f.value.value === 'number')
        max = Math.max(max, f.value.value);
  }
  return max + 1;
}

function fieldEntries(
  ctx: LanguageContext,
  container: Container,
  type: MessageType,
  replace: { offset: number; length: number },
  offset: number,
): CompletionEntry[] {
  const typing = (f: FieldNode) =>
    f.name.offset <= offset && offset <= f.name.offset + f.name.length;
  const set = container.fields.filter((f) => !typing(f));
  const setNames = new Set(set.map((f) => f.name.text));
  const setOneofs = new Set<string>();
  for (const name of setNames) {
    const def = ctx.schema.field(type, name);
    if (def?.oneof) setOneofs.add(def.oneof);
  }
  const out: CompletionEntry[] = [];
  const typeName = shortName(type.fullName);
  for (const def of type.fields) {
    if (def.label !== 'repeated' && setNames.has(def.name)) continue;
    if (def.oneof && setOneofs.has(def.oneof) && !setNames.has(def.name)) continue;
    const isMessage = def.type.kind === 'message';
    const dflt = defaultLabel(def);
    const enumType = ctx.schema.enumOf(def);
    let insertText: string;
    if (isMessage) insertText = `${def.name} {\n  $0\n}`;
    else if (enumType)
      insertText = `${def.name}: \${1|${enumType.values.map((v) => v.name).join(',')}|}$0`;
    else if (def.type.kind === 'scalar' && def.type.scalar === 'bool')
      insertText = `${def.name}: \${1|true,false|}$0`;
    else if (
      def.type.kind === 'scalar' &&
      (def.type.scalar === 'string' || def.type.scalar === 'bytes')
    )
      insertText = `${def.name}: "$0"`;
    else insertText = `${def.name}: $0`;
    out.push({
      label: def.name,
      kind: isMessage ? 'message' : 'field',
      detail: `${typeLabel(def)}${dflt !== undefined ? ` = ${dflt}` : ''}`,
      documentation: fieldMarkdown(ctx.schema, type, def),
      insertText,
      snippet: true,
      replace,
      ...(def.deprecated ? { deprecated: true } : {}),
      sortText: `${def.deprecated ? 'z' : 'a'}${def.name}`,
    });
    for (const template of TEMPLATES[`${typeName}.${def.name}`] ?? [])
      out.push({
        label: template.label,
        kind: 'template',
        detail: 'template',
        documentation: template.doc,
        insertText: template.body,
        snippet: true,
        replace,
        sortText: `a${def.name}~`,
      });
  }
  if (type.fullName === LABEL_MAP && container.kind === 'document') {
    const id = nextLabelMapId(ctx);
    out.push({
      label: `item (id ${id})`,
      kind: 'template',
      detail: `new class with the next free id, ${id}`,
      documentation:
        'A label map item: `id` 1 and up (0 is the background), `name` as in the TFRecords.',
      insertText: `item {\n  id: ${id}\n  name: '$1'\n}$0`,
      snippet: true,
      replace,
      sortText: 'a',
    });
  }
  return out;
}
