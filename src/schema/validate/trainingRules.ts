// The mistakes users really make in a pipeline config that no parser objects to (the shared
// corpus's COMMON-MISTAKES.md): they fail later, in the Object Detection API's builders and
// training loops, or train something other than what was meant. Each is reported on its own
// line with the fix, and with the edits of the fix where it is mechanical (the quick fix).
//
// Facts from the API (tensorflow/models research/object_detection):
// - utils/learning_schedules.py manual_stepping: "First step cannot be zero." and "Entries in
//   boundaries must be strictly increasing." (boundaries are the schedule's steps, in order);
// - inputs.py pads images to config_util.get_spatial_image_size, which is [-1, -1] for a
//   keep_aspect_ratio_resizer without pad_to_max_dimension: a batch of differently shaped images
//   cannot be stacked;
// - meta_architectures/faster_rcnn_meta_arch.py: "second_stage_batch_size should be no greater
//   than first_stage_max_proposals." (defaults 64 and 300);
// - model_lib_v2.py: load_all_detection_checkpoint_vars is "unsupported in TF2", and a
//   fine_tune_checkpoint_version other than V2 is refused ("Checkpoint version should be V2");
// - builders/model_builder.py registers the Keras feature extractors (`*_keras`, CenterNet) only
//   under TF2 and the slim ones only under TF1 ("... is not supported for tf version N").

import type { Container, DocumentNode, FieldNode, MessageNode, ScalarNode } from '../../textproto';
import type { TextEdit } from '../../textproto';
import { architectures } from './configRules';
import type { QuickFix, Severity, ValidationDiagnostic } from './diagnostic';
import type { ScalarValues } from './schemaChecks';
import { asNumber, asString, lastField, lastScalar, messagesNamed, messageValue } from './values';

/** What a config is validated for: which image trains it, and whether it is about to. */
export interface TrainingTarget {
  /**
   * The image's ARCHITECTURE tag (`2.9.1-gpu`, `1.15.0`): the TensorFlow version and device the
   * config will be trained with. Unknown when absent: the version is then read from the config.
   */
  readonly architecture?: string | undefined;
  /**
   * `edit` (the editor, `tfod validate`): a template placeholder is information.
   * `train` (before a training job or an upload): it is an error, except in the fields listed in
   * `filledByContainer`, which the training container points at the channel's files itself.
   */
  readonly purpose?: 'edit' | 'train' | undefined;
  readonly filledByContainer?: readonly string[] | undefined;
}

export interface TensorFlowVersion {
  readonly major: 1 | 2;
  /** From the image (known) or guessed from the config. */
  readonly known: boolean;
  /** Said in messages: where the version comes from. */
  readonly source: string;
}

export const PLACEHOLDER = /PATH_TO_BE_CONFIGURED|PATH_TO_BE_FILLED|\/path\/to\//i;

/** The TF version of an ARCHITECTURE tag, or undefined when the tag names none. */
export function tensorflowOfArchitecture(tag: string): 1 | 2 | undefined {
  const m = /^(\d+)\./.exec(tag.trim());
  return m?.[1] === '1' ? 1 : m?.[1] === '2' ? 2 : undefined;
}

interface Extractor {
  readonly meta: 'ssd' | 'faster_rcnn' | 'center_net';
  readonly type: string;
  readonly node: ScalarNode | undefined;
}

function extractors(doc: DocumentNode, values: ScalarValues): Extractor[] {
  const out: Extractor[] = [];
  for (const { field, body } of architectures(doc)) {
    const meta = field.name.text;
    if (meta !== 'ssd' && meta !== 'faster_rcnn' && meta !== 'center_net') continue;
    const extractor = messageValue(lastField(body, 'feature_extractor'));
    const type = extractor ? lastScalar(extractor, 'type', values) : undefined;
    out.push({ meta, type: asString(type?.value) ?? '', node: type?.node });
  }
  return out;
}

/** The version a config is written for: the image's when known, else what the config shows. */
export function tensorflowVersion(
  doc: DocumentNode,
  values: ScalarValues,
  architecture: string | undefined,
): TensorFlowVersion | undefined {
  const fromImage = architecture ? tensorflowOfArchitecture(architecture) : undefined;
  if (fromImage && architecture)
    return { major: fromImage, known: true, source: `the image's ARCHITECTURE ${architecture}` };
  for (const e of extractors(doc, values)) {
    if (e.meta === 'center_net')
      return { major: 2, known: false, source: 'the config (CenterNet is TF2 only)' };
    if (e.type === '') continue;
    const keras = e.type.endsWith('_keras');
    return {
      major: keras ? 2 : 1,
      known: false,
      source: `the config (its ${keras ? 'Keras' : 'slim'} feature extractor \`${e.type}\`)`,
    };
  }
  for (const train of messagesNamed(doc, 'train_config')) {
    const version = lastScalar(train, 'fine_tune_checkpoint_version', values);
    if (version?.value.kind === 'enumName' && version.value.value === 'V2')
      return { major: 2, known: false, source: 'the config (fine_tune_checkpoint_version: V2)' };
  }
  return undefined;
}

function rule(
  code: string,
  message: string,
  severity: Severity,
  at: { offset: number; length: number },
  fix?: QuickFix,
): ValidationDiagnostic {
  return {
    code,
    message,
    severity,
    origin: 'api',
    offset: at.offset,
    length: at.length,
    ...(fix ? { fix } : {}),
  };
}

export function trainingDiagnostics(
  doc: DocumentNode,
  values: ScalarValues,
  target: TrainingTarget,
  broken: (range: { offset: number; length: number }) => boolean = () => false,
): ValidationDiagnostic[] {
  const out: ValidationDiagnostic[] = [];
  const text = doc.text;
  const trains = messagesNamed(doc, 'train_config');
  const train = trains[trains.length - 1];
  for (const t of trains) if (!broken(t)) learningRates(t, values, text, out);
  const batch = train ? asNumber(lastScalar(train, 'batch_size', values)?.value) : undefined;
  for (const { field, body } of architectures(doc)) {
    if (broken(body)) continue;
    resizerPadding(body, batch, text, values, out);
    if (field.name.text === 'faster_rcnn') proposals(body, values, text, out);
  }
  placeholders(doc, values, target, out);
  if (train && !broken(train)) tpuOptions(train, values, target, out);
  const version = tensorflowVersion(doc, values, target.architecture);
  if (version) versionRules(doc, train, values, version, text, out);
  return out;
}

// --- learning rate schedules ---------------------------------------------------------------

function learningRates(
  train: MessageNode,
  values: ScalarValues,
  text: string,
  out: ValidationDiagnostic[],
): void {
  for (const optimizer of messagesNamed(train, 'optimizer'))
    for (const kind of optimizer.fields) {
      const body = messageValue(kind);
      if (!body) continue;
      for (const rate of messagesNamed(body, 'learning_rate'))
        for (const manual of messagesNamed(rate, 'manual_step_learning_rate'))
          manualSteps(manual, values, text, out);
    }
}

function manualSteps(
  manual: MessageNode,
  values: ScalarValues,
  text: string,
  out: ValidationDiagnostic[],
): void {
  let previous: { step: number; node: ScalarNode } | undefined;
  const schedules = messagesNamed(manual, 'schedule');
  schedules.forEach((schedule, i) => {
    const found = lastScalar(schedule, 'step', values);
    const step = asNumber(found?.value) ?? 0;
    const at = found?.node ?? schedule.open;
    if (i === 0 && step === 0) {
      const rate = lastScalar(schedule, 'learning_rate', values);
      const initial = lastScalar(manual, 'initial_learning_rate', values);
      const rateText = rate
        ? text.slice(rate.node.offset, rate.node.offset + rate.node.length)
        : '';
      const field = schedule.parent.kind === 'field' ? schedule.parent : undefined;
      const fix: QuickFix | undefined =
        rate && field
          ? {
              title: `Start at ${rateText} (initial_learning_rate) and remove this schedule`,
              edits: [
                ...(initial
                  ? [
                      {
                        offset: initial.node.offset,
                        length: initial.node.length,
                        newText: rateText,
                      },
                    ]
                  : [insertInto(text, manual, `initial_learning_rate: ${rateText}`)]),
                fieldRemoval(text, field),
              ],
            }
          : undefined;
      out.push(
        rule(
          'lr-schedule-step-zero',
          `The first schedule of manual_step_learning_rate starts at step 0: the API raises "First step cannot be zero." Put its rate in \`initial_learning_rate\` and remove the schedule, or give it a later step.`,
          'error',
          at,
          fix,
        ),
      );
    } else if (previous && step <= previous.step) {
      out.push(
        rule(
          'lr-schedule-not-increasing',
          `Schedule steps must increase: step ${step} comes after step ${previous.step}, and the API raises "Entries in boundaries must be strictly increasing." Order the schedules by step, each later than the one before.`,
          'error',
          at,
        ),
      );
    }
    if (!previous || step > previous.step) previous = { step, node: at as ScalarNode };
  });
}

// --- resizer and batch ---------------------------------------------------------------------

function resizerPadding(
  body: Container,
  batch: number | undefined,
  text: string,
  values: ScalarValues,
  out: ValidationDiagnostic[],
): void {
  if (batch === undefined || batch <= 1) return;
  const resizer = messageValue(lastField(body, 'image_resizer'));
  const keepField = resizer ? lastField(resizer, 'keep_aspect_ratio_resizer') : undefined;
  const keep = messageValue(keepField);
  if (!keepField || !keep) return;
  const pad = lastScalar(keep, 'pad_to_max_dimension', values);
  if (pad?.value.kind === 'bool' && pad.value.value) return;
  const edit: TextEdit = pad
    ? { offset: pad.node.offset, length: pad.node.length, newText: 'true' }
    : insertInto(text, keep, 'pad_to_max_dimension: true');
  out.push(
    rule(
      'resizer-needs-padding',
      `keep_aspect_ratio_resizer without \`pad_to_max_dimension: true\` gives each image its own shape, and with batch_size ${batch} the input pipeline cannot stack them ("Cannot batch tensors with different shapes") unless every image has the same size. Add \`pad_to_max_dimension: true\`, or train with batch_size 1.`,
      'warning',
      keepField.name,
      { title: 'Add pad_to_max_dimension: true', edits: [edit] },
    ),
  );
}

function proposals(
  body: Container,
  values: ScalarValues,
  text: string,
  out: ValidationDiagnostic[],
): void {
  const second = lastScalar(body, 'second_stage_batch_size', values);
  const first = lastScalar(body, 'first_stage_max_proposals', values);
  const secondValue = asNumber(second?.value) ?? 64;
  const firstValue = asNumber(first?.value) ?? 300;
  if (secondValue <= firstValue) return;
  const at = second?.node ?? first?.node;
  if (!at) return;
  const edit: TextEdit = second
    ? { offset: second.node.offset, length: second.node.length, newText: String(firstValue) }
    : insertInto(text, body as MessageNode, `second_stage_batch_size: ${firstValue}`);
  out.push(
    rule(
      'second-stage-batch-above-proposals',
      `second_stage_batch_size${second ? '' : ' (default 64)'} is ${secondValue}, above first_stage_max_proposals${first ? '' : ' (default 300)'} ${firstValue}: the API raises "second_stage_batch_size should be no greater than first_stage_max_proposals." Set \`second_stage_batch_size: ${firstValue}\` or raise first_stage_max_proposals.`,
      'error',
      at,
      { title: `Set second_stage_batch_size to ${firstValue}`, edits: [edit] },
    ),
  );
}

// --- placeholders and devices --------------------------------------------------------------

function placeholders(
  doc: DocumentNode,
  values: ScalarValues,
  target: TrainingTarget,
  out: ValidationDiagnostic[],
): void {
  const training = target.purpose === 'train';
  const filled = new Set(target.filledByContainer ?? []);
  const stack: Container[] = [doc];
  while (stack.length > 0) {
    const container = stack.pop() as Container;
    for (const field of container.fields) {
      const value = field.value;
      const elements = value?.kind === 'list' ? value.elements : value ? [value] : [];
      for (const element of elements) {
        if (element.kind === 'message') {
          stack.push(element);
          continue;
        }
        const s = asString(values.get(element));
        if (s === undefined || !PLACEHOLDER.test(s)) continue;
        const name = field.name.text;
        if (training && !filled.has(name))
          out.push(
            rule(
              'placeholder-before-training',
              `\`${name}\` is still the template's placeholder ${JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s)}: the training job would fail on it. Set the real path (the file must be in the training data).`,
              'error',
              element,
            ),
          );
        else
          out.push({
            ...rule(
              'template-placeholder',
              `\`${name}\` is still the template's placeholder: set it before training${filled.has(name) ? ' (the training container fills it in from the training channel)' : ''}.`,
              'information',
              element,
            ),
            unnecessary: true,
          });
      }
    }
  }
}

function tpuOptions(
  train: MessageNode,
  values: ScalarValues,
  target: TrainingTarget,
  out: ValidationDiagnostic[],
): void {
  const bf16 = lastScalar(train, 'use_bfloat16', values);
  if (!bf16 || bf16.value.kind !== 'bool' || !bf16.value.value) return;
  const known = target.architecture !== undefined;
  const device = known
    ? `the image's ARCHITECTURE ${target.architecture} trains on ${/gpu/i.test(target.architecture ?? '') ? 'GPU' : 'CPU'}`
    : 'the images this extension builds train on CPU or GPU, never on a TPU';
  out.push(
    rule(
      'tpu-only-option',
      `use_bfloat16 is for TPUs, and ${device}: the API casts the images to bfloat16, which CPU and GPU kernels mostly lack (slow or "No registered kernel"). Set \`use_bfloat16: false\`.`,
      known ? 'warning' : 'information',
      bf16.node,
      { title: 'Set use_bfloat16: false', edits: [replaceNode(bf16.node, 'false')] },
    ),
  );
}

// --- TF1 and TF2 ---------------------------------------------------------------------------

const TF1_CHECKPOINT = /^model\.ckpt(?:-\d+)?$/;
const TF2_CHECKPOINT = /^ckpt-\d+$/;

function versionRules(
  doc: DocumentNode,
  train: MessageNode | undefined,
  values: ScalarValues,
  version: TensorFlowVersion,
  text: string,
  out: ValidationDiagnostic[],
): void {
  const severity: Severity = version.known ? 'error' : 'warning';
  const tf = `TF${version.major}`;
  const from = `${tf}, from ${version.source}`;
  if (version.known)
    for (const e of extractors(doc, values)) {
      if (!e.node) continue;
      if (version.major === 2 && e.meta !== 'center_net' && !e.type.endsWith('_keras'))
        out.push(
          rule(
            'feature-extractor-tf1',
            `\`${e.type}\` is a TF1 (slim) feature extractor, and this config is trained with ${from}: the TF2 model builder knows only the Keras ones ("${e.type} is not supported for tf version 2"). Use \`${e.type}_keras\` (or a TF1 image, ARCHITECTURE 1.15.0).`,
            'error',
            e.node,
            {
              title: `Change to ${e.type}_keras`,
              edits: [replaceNode(e.node, JSON.stringify(`${e.type}_keras`))],
            },
          ),
        );
      if (version.major === 1 && e.type.endsWith('_keras'))
        out.push(
          rule(
            'feature-extractor-tf2',
            `\`${e.type}\` is a TF2 (Keras) feature extractor, and this config is trained with ${from}: the TF1 model builder knows only the slim ones ("${e.type} is not supported for tf version 1"). Use \`${e.type.replace(/_keras$/, '')}\` (or a TF2 image, ARCHITECTURE 2.9.1).`,
            'error',
            e.node,
            {
              title: `Change to ${e.type.replace(/_keras$/, '')}`,
              edits: [replaceNode(e.node, JSON.stringify(e.type.replace(/_keras$/, '')))],
            },
          ),
        );
    }
  if (!train) return;
  const checkpoint = lastScalar(train, 'fine_tune_checkpoint', values);
  const path = asString(checkpoint?.value) ?? '';
  const real = path !== '' && !PLACEHOLDER.test(path);
  const name = path.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '');
  if (version.major === 2) {
    const loadAll = lastField(train, 'load_all_detection_checkpoint_vars');
    const loadAllValue = lastScalar(train, 'load_all_detection_checkpoint_vars', values);
    if (loadAll && loadAllValue?.value.kind === 'bool' && loadAllValue.value.value)
      out.push(
        rule(
          'tf1-field-under-tf2',
          `load_all_detection_checkpoint_vars is a TF1 field, and this config is trained with ${from}: the TF2 training loop raises "load_all_detection_checkpoint_vars unsupported in TF2". Remove it (\`fine_tune_checkpoint_type: "detection"\` restores the whole detector).`,
          severity,
          loadAll.name,
          {
            title: 'Remove load_all_detection_checkpoint_vars',
            edits: [fieldRemoval(text, loadAll)],
          },
        ),
      );
    const fromDetection = lastField(train, 'from_detection_checkpoint');
    const fromDetectionValue = lastScalar(train, 'from_detection_checkpoint', values);
    const type = lastScalar(train, 'fine_tune_checkpoint_type', values);
    if (fromDetection && fromDetectionValue?.value.kind === 'bool' && !type)
      out.push(
        rule(
          'tf1-field-under-tf2',
          `from_detection_checkpoint is a TF1 field, and this config is trained with ${from}: write \`fine_tune_checkpoint_type: "${fromDetectionValue.value.value ? 'detection' : 'classification'}"\` instead.`,
          'warning',
          fromDetection.name,
          {
            title: `Replace with fine_tune_checkpoint_type: "${fromDetectionValue.value.value ? 'detection' : 'classification'}"`,
            edits: [
              {
                offset: fromDetection.offset,
                length: fromDetection.length,
                newText: `fine_tune_checkpoint_type: "${fromDetectionValue.value.value ? 'detection' : 'classification'}"`,
              },
            ],
          },
        ),
      );
    if (checkpoint && real && TF1_CHECKPOINT.test(name))
      out.push(
        rule(
          'tf1-checkpoint-under-tf2',
          `\`${name}\` is a TF1 (name-based) checkpoint, and this config is trained with ${from}: the TF2 trainer restores object-based checkpoints (\`checkpoint/ckpt-0\` in a TF2 zoo archive). Start from the model's TF2 zoo archive, or train with a TF1 image.`,
          severity,
          checkpoint.node,
        ),
      );
    const checkpointVersion = lastScalar(train, 'fine_tune_checkpoint_version', values);
    const isV2 =
      checkpointVersion?.value.kind === 'enumName'
        ? checkpointVersion.value.value === 'V2'
        : checkpointVersion?.value.kind === 'enumNumber' && checkpointVersion.value.value === 1;
    if (checkpoint && path !== '' && !isV2)
      out.push(
        rule(
          'checkpoint-version-not-v2',
          `With ${from}, fine_tune_checkpoint_version must be V2 (it defaults to V1): the TF2 trainer raises "Checkpoint version should be V2". Add \`fine_tune_checkpoint_version: V2\`.`,
          severity,
          checkpointVersion?.node ?? checkpoint.node,
          {
            title: 'Set fine_tune_checkpoint_version: V2',
            edits: [
              checkpointVersion
                ? replaceNode(checkpointVersion.node, 'V2')
                : insertInto(text, train, 'fine_tune_checkpoint_version: V2'),
            ],
          },
        ),
      );
    const typeValue = asString(type?.value);
    const zooDetection = /[\\/]checkpoint[\\/]ckpt-\d+$/.test(path);
    if (real && zooDetection && type && typeValue === 'classification')
      out.push(
        rule(
          'checkpoint-type-disagrees',
          `fine_tune_checkpoint is a detection checkpoint (a zoo archive's checkpoint/${name}) but fine_tune_checkpoint_type is "classification": only the feature extractor would be restored. Use "detection".`,
          'warning',
          type.node,
          {
            title: 'Set fine_tune_checkpoint_type: "detection"',
            edits: [replaceNode(type.node, '"detection"')],
          },
        ),
      );
    movingAverage(train, values, version, text, out);
  } else {
    if (checkpoint && real && TF2_CHECKPOINT.test(name))
      out.push(
        rule(
          'tf2-checkpoint-under-tf1',
          `\`${name}\` is a TF2 (object-based) checkpoint, and this config is trained with ${from}: the TF1 trainer restores name-based checkpoints (\`model.ckpt\` in a TF1 zoo archive). Start from the model's TF1 zoo archive, or train with a TF2 image.`,
          severity,
          checkpoint.node,
        ),
      );
  }
}

function movingAverage(
  train: MessageNode,
  values: ScalarValues,
  version: TensorFlowVersion,
  text: string,
  out: ValidationDiagnostic[],
): void {
  for (const optimizerField of train.fields) {
    if (optimizerField.name.text !== 'optimizer') continue;
    const optimizer = messageValue(optimizerField);
    if (!optimizer) continue;
    const setting = lastScalar(optimizer, 'use_moving_average', values);
    if (setting?.value.kind === 'bool' && !setting.value.value) continue;
    out.push(
      rule(
        'tf2-moving-average',
        `use_moving_average is ${setting ? 'true' : 'on by default'}, and this config is trained with TF2, from ${version.source}: the TF2 exporter then fails or exports the raw weights without the averages (a known problem of exporter_main_v2). Set \`use_moving_average: false\`.`,
        'warning',
        setting?.node ?? optimizerField.name,
        {
          title: 'Set use_moving_average: false',
          edits: [
            setting
              ? replaceNode(setting.node, 'false')
              : insertInto(text, optimizer, 'use_moving_average: false'),
          ],
        },
      ),
    );
  }
}

// --- edits ---------------------------------------------------------------------------------

function replaceNode(node: { offset: number; length: number }, newText: string): TextEdit {
  return { offset: node.offset, length: node.length, newText };
}

function indentOfLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** An edit that adds `line` as the last field of `container`, indented like its fields. */
export function insertInto(text: string, container: MessageNode, line: string): TextEdit {
  const last = container.fields[container.fields.length - 1];
  if (last) {
    const end = Math.max(
      last.offset + last.length,
      last.separator ? last.separator.offset + last.separator.length : 0,
      last.trailingComment ? last.trailingComment.offset + last.trailingComment.length : 0,
    );
    const sameLine = !text.slice(container.open.offset, last.offset).includes('\n');
    return sameLine
      ? { offset: end, length: 0, newText: ` ${line}` }
      : { offset: end, length: 0, newText: `\n${indentOfLine(text, last.offset)}${line}` };
  }
  const indent = `${indentOfLine(text, container.open.offset)}  `;
  return {
    offset: container.open.offset + container.open.length,
    length: 0,
    newText: `\n${indent}${line}`,
  };
}

/** Deletes a field, with its whole line when nothing else is on it. */
export function fieldRemoval(text: string, field: FieldNode): TextEdit {
  const end = field.trailingComment
    ? field.trailingComment.offset + field.trailingComment.length
    : field.offset + field.length;
  let s = field.offset;
  while (s > 0 && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
  let e = end;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  if (
    (s === 0 || text[s - 1] === '\n') &&
    (e === text.length || text[e] === '\n' || text[e] === '\r')
  ) {
    if (text[e] === '\r') e++;
    if (text[e] === '\n') e++;
    return { offset: s, length: e - s, newText: '' };
  }
  return { offset: field.offset, length: end - field.offset, newText: '' };
}
