// Pipeline config rules the Object Detection API applies at run time that the schema allows:
// builders/image_resizer_builder.py raises "min_dimension > max_dimension" for a
// keep_aspect_ratio_resizer and "Invalid image resizer option" for an image_resizer with no
// resizer chosen; a batch or image size of 0 (or below) makes the input pipeline fail.

import type { Container, DocumentNode, FieldNode } from '../../textproto';
import type { ValidationDiagnostic } from './diagnostic';
import type { ScalarValues } from './schemaChecks';
import { asNumber, lastField, lastScalar, messageValue, messagesNamed } from './values';

function api(
  code: string,
  message: string,
  severity: 'error' | 'warning',
  at: { offset: number; length: number },
): ValidationDiagnostic {
  return { code, message, severity, origin: 'api', offset: at.offset, length: at.length };
}

/** The meta-architecture messages under `model { }` (ssd, faster_rcnn, center_net, ...). */
export function architectures(doc: DocumentNode): { field: FieldNode; body: Container }[] {
  const out: { field: FieldNode; body: Container }[] = [];
  for (const model of messagesNamed(doc, 'model'))
    for (const field of model.fields) {
      const body = messageValue(field);
      if (body) out.push({ field, body });
    }
  return out;
}

/** `broken` says whether a range holds a parser problem: those blocks are left to the parser. */
export function configDiagnostics(
  doc: DocumentNode,
  values: ScalarValues,
  broken: (range: { offset: number; length: number }) => boolean = () => false,
): ValidationDiagnostic[] {
  const out: ValidationDiagnostic[] = [];
  for (const { body } of architectures(doc)) {
    const resizerField = lastField(body, 'image_resizer');
    const resizer = messageValue(resizerField);
    if (resizerField && resizer && !broken(resizer))
      checkResizer(resizerField, resizer, values, out);
  }
  for (const train of messagesNamed(doc, 'train_config'))
    positive(train, 'batch_size', values, out);
  return out;
}

const RESIZERS = [
  'keep_aspect_ratio_resizer',
  'fixed_shape_resizer',
  'identity_resizer',
  'conditional_shape_resizer',
  'pad_to_multiple_resizer',
];

function checkResizer(
  field: FieldNode,
  resizer: Container,
  values: ScalarValues,
  out: ValidationDiagnostic[],
): void {
  if (resizer.fields.length === 0 || !resizer.fields.some((f) => RESIZERS.includes(f.name.text))) {
    if (resizer.fields.every((f) => f.name.form === 'identifier'))
      out.push(
        api(
          'image-resizer-empty',
          `\`image_resizer\` names no resizer: the API raises "Invalid image resizer option". Add one, e.g. \`fixed_shape_resizer { height: 300 width: 300 }\`.`,
          'error',
          field.name,
        ),
      );
    return;
  }
  const keep = messageValue(lastField(resizer, 'keep_aspect_ratio_resizer'));
  if (keep) {
    const min = lastScalar(keep, 'min_dimension', values);
    const max = lastScalar(keep, 'max_dimension', values);
    const minValue = asNumber(min?.value) ?? 600;
    const maxValue = asNumber(max?.value) ?? 1024;
    if (minValue > maxValue)
      out.push(
        api(
          'resizer-min-above-max',
          `min_dimension (${minValue}) is above max_dimension (${maxValue}): the API raises "min_dimension > max_dimension".`,
          'error',
          (min ?? max)?.node ?? keep.open,
        ),
      );
    positive(keep, 'min_dimension', values, out);
    positive(keep, 'max_dimension', values, out);
  }
  const fixed = messageValue(lastField(resizer, 'fixed_shape_resizer'));
  if (fixed) {
    positive(fixed, 'height', values, out);
    positive(fixed, 'width', values, out);
  }
}

function positive(
  container: Container,
  name: string,
  values: ScalarValues,
  out: ValidationDiagnostic[],
): void {
  const found = lastScalar(container, name, values);
  const value = asNumber(found?.value);
  if (found && value !== undefined && value <= 0)
    out.push(
      api(
        'not-positive',
        `\`${name}\` must be at least 1: with ${value} the Object Detection API's input pipeline fails when training starts.`,
        'error',
        found.node,
      ),
    );
}
