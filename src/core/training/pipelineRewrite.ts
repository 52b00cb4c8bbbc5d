import type { DocumentNode, FieldNode, MessageNode } from '../../textproto/ast';
import { applyEdits, type TextEdit } from '../../textproto/edits';
import { parse } from '../../textproto/parser';

/**
 * Points a copy of pipeline.config at where the training container finds its inputs: the
 * checkpoint channel's checkpoint, the training channel's label map and TFRecords, and the job's
 * step count. Everything else in the file, comments and layout included, stays byte-identical:
 * the rewrite is a list of small text edits on the parsed tree, never a reprint.
 */
export interface PipelineRewrite {
  /** The checkpoint prefix to start from; null removes fine_tune_checkpoint (from scratch). */
  readonly fineTuneCheckpoint?: string | null | undefined;
  readonly labelMapPath?: string | undefined;
  readonly trainInputPaths?: readonly string[] | undefined;
  readonly evalInputPaths?: readonly string[] | undefined;
  readonly numSteps?: number | undefined;
  /** `model.<architecture>.num_classes` (a new project: the label map's largest id). */
  readonly numClasses?: number | undefined;
  readonly batchSize?: number | undefined;
  /** `train_config.fine_tune_checkpoint_type`, e.g. `detection`. */
  readonly fineTuneCheckpointType?: string | undefined;
  /** `train_config.fine_tune_checkpoint_version` (TF2 needs `V2`). */
  readonly fineTuneCheckpointVersion?: 'V1' | 'V2' | undefined;
  /** false turns `use_bfloat16` off where the config sets it (a TPU-only option). */
  readonly useBfloat16?: false | undefined;
  /** Sets `use_moving_average` in every optimizer (TF2 exports need false). */
  readonly useMovingAverage?: boolean | undefined;
  /** train_config fields to remove (e.g. the deprecated `from_detection_checkpoint`). */
  readonly removeTrainFields?: readonly string[] | undefined;
}

export interface PipelineChange {
  /** Dotted path of the field, e.g. `train_input_reader.tf_record_input_reader.input_path`. */
  readonly field: string;
  /** The previous value as written (undefined when the field was added). */
  readonly from: string | undefined;
  readonly to: string;
}

export interface RewriteResult {
  readonly text: string;
  readonly changes: readonly PipelineChange[];
  /** Syntax errors that make the file unusable; when present, `text` is the input unchanged. */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** A text-format string literal for a path (quotes and backslashes escaped). */
export function quoteTextFormat(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function fieldsNamed(container: DocumentNode | MessageNode, name: string): FieldNode[] {
  return container.fields.filter((field) => field.name.text === name);
}

function messagesOf(container: DocumentNode | MessageNode, name: string): MessageNode[] {
  return fieldsNamed(container, name)
    .map((field) => field.value)
    .filter((value): value is MessageNode => value?.kind === 'message');
}

/** 1-based line of an offset, for messages. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

export function rewritePipelineConfig(text: string, rewrite: PipelineRewrite): RewriteResult {
  const document = parse(text);
  const errors = document.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `line ${lineOf(text, d.offset)}: ${d.message}`);
  if (errors.length > 0) return { text, changes: [], errors, warnings: [] };

  const edits: TextEdit[] = [];
  const changes: PipelineChange[] = [];
  const warnings: string[] = [];

  /** Sets a singular scalar field inside `container`, adding it after the last field if missing. */
  const setScalar = (container: MessageNode, path: string, name: string, literal: string): void => {
    const existing = fieldsNamed(container, name);
    const last = existing[existing.length - 1];
    if (last?.value?.kind === 'scalar') {
      const value = last.value;
      const start = value.sign?.offset ?? value.offset;
      const end = value.offset + value.length;
      const from = text.slice(start, end);
      if (from !== literal) {
        edits.push({ offset: start, length: end - start, newText: literal });
        changes.push({ field: path, from, to: literal });
      }
      return;
    }
    insertField(container, name, [literal]);
    changes.push({ field: path, from: undefined, to: literal });
  };

  /** Replaces every occurrence of a repeated scalar field with `literals`, in place of the first. */
  const setRepeated = (
    container: MessageNode,
    path: string,
    name: string,
    literals: readonly string[],
  ): void => {
    const existing = fieldsNamed(container, name);
    const before = existing.map((field) =>
      field.value ? text.slice(field.value.offset, field.value.offset + field.value.length) : '',
    );
    if (before.length === literals.length && before.every((value, i) => value === literals[i]))
      return;
    const first = existing[0];
    if (!first) {
      insertField(container, name, literals);
    } else {
      const indent = indentOf(text, first.offset);
      const replacement = literals.map((literal) => `${name}: ${literal}`).join(`\n${indent}`);
      edits.push({ offset: first.offset, length: first.length, newText: replacement });
      for (const extra of existing.slice(1)) edits.push(removal(text, extra.offset, extra.length));
    }
    changes.push({
      field: path,
      from: before.length ? before.join(', ') : undefined,
      to: literals.join(', '),
    });
  };

  const insertField = (container: MessageNode, name: string, literals: readonly string[]): void => {
    const anchor = container.fields[container.fields.length - 1];
    if (anchor) {
      const indent = indentOf(text, anchor.offset);
      const lines = literals.map((literal) => `\n${indent}${name}: ${literal}`).join('');
      // After the field's separator and its trailing comment, so the comment stays on its line.
      const end = Math.max(
        anchor.offset + anchor.length,
        anchor.separator ? anchor.separator.offset + anchor.separator.length : 0,
        anchor.trailingComment ? anchor.trailingComment.offset + anchor.trailingComment.length : 0,
      );
      edits.push({ offset: end, length: 0, newText: lines });
    } else {
      const indent = `${indentOf(text, container.offset)}  `;
      const lines = literals.map((literal) => `\n${indent}${name}: ${literal}`).join('');
      edits.push({
        offset: container.open.offset + container.open.length,
        length: 0,
        newText: lines,
      });
    }
  };

  const trainConfig = messagesOf(document, 'train_config')[0];
  if (rewrite.fineTuneCheckpoint !== undefined || rewrite.numSteps !== undefined) {
    if (!trainConfig)
      warnings.push(
        'the config has no train_config block; fine_tune_checkpoint and num_steps were not set',
      );
  }
  if (trainConfig && rewrite.fineTuneCheckpoint === null) {
    for (const field of fieldsNamed(trainConfig, 'fine_tune_checkpoint')) {
      const value = field.value;
      const from = value ? text.slice(value.offset, value.offset + value.length) : '';
      // The field's own trailing comment goes with it.
      const end = field.trailingComment
        ? field.trailingComment.offset + field.trailingComment.length
        : field.offset + field.length;
      edits.push(removal(text, field.offset, end - field.offset));
      changes.push({ field: 'train_config.fine_tune_checkpoint', from, to: '(removed)' });
    }
  } else if (trainConfig && typeof rewrite.fineTuneCheckpoint === 'string') {
    setScalar(
      trainConfig,
      'train_config.fine_tune_checkpoint',
      'fine_tune_checkpoint',
      quoteTextFormat(rewrite.fineTuneCheckpoint),
    );
  }
  if (trainConfig && rewrite.numSteps !== undefined) {
    setScalar(trainConfig, 'train_config.num_steps', 'num_steps', String(rewrite.numSteps));
  }
  if (trainConfig && rewrite.batchSize !== undefined)
    setScalar(trainConfig, 'train_config.batch_size', 'batch_size', String(rewrite.batchSize));
  if (trainConfig && rewrite.fineTuneCheckpointType !== undefined)
    setScalar(
      trainConfig,
      'train_config.fine_tune_checkpoint_type',
      'fine_tune_checkpoint_type',
      quoteTextFormat(rewrite.fineTuneCheckpointType),
    );
  if (trainConfig && rewrite.fineTuneCheckpointVersion !== undefined)
    setScalar(
      trainConfig,
      'train_config.fine_tune_checkpoint_version',
      'fine_tune_checkpoint_version',
      rewrite.fineTuneCheckpointVersion,
    );
  if (
    trainConfig &&
    rewrite.useBfloat16 === false &&
    fieldsNamed(trainConfig, 'use_bfloat16').length
  )
    setScalar(trainConfig, 'train_config.use_bfloat16', 'use_bfloat16', 'false');
  if (trainConfig && rewrite.useMovingAverage !== undefined)
    for (const optimizer of messagesOf(trainConfig, 'optimizer'))
      setScalar(
        optimizer,
        'train_config.optimizer.use_moving_average',
        'use_moving_average',
        String(rewrite.useMovingAverage),
      );
  if (trainConfig)
    for (const name of rewrite.removeTrainFields ?? [])
      for (const field of fieldsNamed(trainConfig, name)) {
        const value = field.value;
        const end = field.trailingComment
          ? field.trailingComment.offset + field.trailingComment.length
          : field.offset + field.length;
        edits.push(removal(text, field.offset, end - field.offset));
        changes.push({
          field: `train_config.${name}`,
          from: value ? text.slice(value.offset, value.offset + value.length) : '',
          to: '(removed)',
        });
      }
  if (rewrite.numClasses !== undefined) {
    const architectures = messagesOf(document, 'model').flatMap((model) =>
      model.fields
        .map((field) => ({ field, value: field.value }))
        .filter((f): f is { field: FieldNode; value: MessageNode } => f.value?.kind === 'message'),
    );
    if (architectures.length === 0)
      warnings.push('the config has no model block; num_classes was not set');
    for (const { field, value } of architectures)
      setScalar(
        value,
        `model.${field.name.text}.num_classes`,
        'num_classes',
        String(rewrite.numClasses),
      );
  }

  const readers: Array<[string, MessageNode[], readonly string[] | undefined]> = [
    ['train_input_reader', messagesOf(document, 'train_input_reader'), rewrite.trainInputPaths],
    ['eval_input_reader', messagesOf(document, 'eval_input_reader'), rewrite.evalInputPaths],
  ];
  for (const [name, found, paths] of readers) {
    if (found.length === 0) {
      if (name === 'train_input_reader')
        warnings.push('the config has no train_input_reader block');
      continue;
    }
    found.forEach((reader, i) => {
      const label = found.length > 1 ? `${name}[${i}]` : name;
      if (rewrite.labelMapPath !== undefined) {
        setScalar(
          reader,
          `${label}.label_map_path`,
          'label_map_path',
          quoteTextFormat(rewrite.labelMapPath),
        );
      }
      if (paths && paths.length > 0) {
        const records = messagesOf(reader, 'tf_record_input_reader')[0];
        if (records) {
          setRepeated(
            records,
            `${label}.tf_record_input_reader.input_path`,
            'input_path',
            paths.map(quoteTextFormat),
          );
        } else {
          warnings.push(
            `${label} has no tf_record_input_reader block; its input paths were not set`,
          );
        }
      } else if (name === 'eval_input_reader') {
        warnings.push(
          `no evaluation TFRecords were found, so ${label} keeps its input_path as written`,
        );
      }
    });
  }

  // applyEdits keeps edits at the same offset in the order they were made.
  const result = applyEdits(text, edits);
  return { text: result, changes, errors: [], warnings };
}

/** The edit that deletes a field: its whole line when nothing else is on it. */
function removal(text: string, offset: number, length: number): TextEdit {
  const lineStart = text.lastIndexOf('\n', offset - 1);
  const onlyThing = /^[ \t]*$/.test(text.slice(lineStart + 1, offset));
  const lineEnd = text.indexOf('\n', offset + length);
  const restBlank = /^[ \t]*$/.test(
    text.slice(offset + length, lineEnd < 0 ? text.length : lineEnd),
  );
  return onlyThing && restBlank && lineStart >= 0
    ? { offset: lineStart, length: offset + length - lineStart, newText: '' }
    : { offset, length, newText: '' };
}

/**
 * Whether the config trains with quantization-aware training (`graph_rewriter { quantization {} }`),
 * which TF1's converter needs for a QUANTIZED_UINT8 TensorFlow Lite model: it reads the
 * quantization ranges the fake-quantization nodes learnt.
 */
export function hasQuantizationAwareTraining(text: string): boolean {
  const document = parse(text);
  return messagesOf(document, 'graph_rewriter').some(
    (rewriter) => messagesOf(rewriter, 'quantization').length > 0,
  );
}

/** The literal text of the first `train_config.<field>` scalar, or undefined. */
function trainConfigScalar(text: string, field: string): string | undefined {
  const document = parse(text);
  for (const trainConfig of messagesOf(document, 'train_config'))
    for (const found of fieldsNamed(trainConfig, field)) {
      const value = found.value;
      if (value?.kind === 'scalar') return text.slice(value.offset, value.offset + value.length);
    }
  return undefined;
}

/** The config's `train_config.fine_tune_checkpoint`, unquoted, or undefined when it has none. */
export function fineTuneCheckpointOf(text: string): string | undefined {
  return trainConfigScalar(text, 'fine_tune_checkpoint')?.replace(/^["']|["']$/g, '');
}

/** The config's `train_config.batch_size`, or undefined when it has none or it is not a number. */
export function batchSizeOf(text: string): number | undefined {
  const literal = trainConfigScalar(text, 'batch_size');
  const number = Number(literal);
  return literal !== undefined && Number.isInteger(number) ? number : undefined;
}
