// Label map rules of the Object Detection API's utils/label_map_util.py, which every training and
// evaluation run applies after parsing: `_validate_label_map` raises for an id below 0 and for id 0
// on an item named anything but `background` (name or display_name); `get_label_map_dict` maps each
// name to the LAST id given to it; `convert_label_map_to_categories` keeps the FIRST item of an id
// and ignores ids outside 1..num_classes.

import type { DocumentNode, MessageNode, ScalarNode } from '../../textproto';
import type { ValidationDiagnostic } from './diagnostic';
import type { ScalarValues } from './schemaChecks';
import { asNumber, asString, lastField, lastScalar, messagesNamed } from './values';

export interface LabelMapItem {
  readonly id: number;
  readonly name: string | undefined;
  readonly displayName: string | undefined;
  readonly message: MessageNode;
  readonly idNode: ScalarNode | undefined;
  readonly nameNode: ScalarNode | undefined;
}

export interface LabelMapSummary {
  readonly items: readonly LabelMapItem[];
  /** The largest id, or undefined for an empty label map. */
  readonly maxId: number | undefined;
}

/**
 * The items of a label map. Items holding a problem the parser reported (`broken` says which
 * ranges) are left out of the rules: the API never gets past that problem to apply them.
 */
export function readLabelMap(
  doc: DocumentNode,
  values: ScalarValues,
  broken: (range: { offset: number; length: number }) => boolean = () => false,
): LabelMapSummary {
  const items: LabelMapItem[] = [];
  let maxId: number | undefined;
  for (const message of messagesNamed(doc, 'item')) {
    const id = lastScalar(message, 'id', values);
    const name = lastScalar(message, 'name', values);
    // An id the parser could not read is reported there; an unset id reads as 0.
    if ((!id && lastField(message, 'id')) || broken(message)) continue;
    const idValue = asNumber(id?.value) ?? 0;
    items.push({
      id: idValue,
      name: asString(name?.value),
      displayName: asString(lastScalar(message, 'display_name', values)?.value),
      message,
      idNode: id?.node,
      nameNode: name?.node,
    });
    if (maxId === undefined || idValue > maxId) maxId = idValue;
  }
  return { items, maxId };
}

function api(
  code: string,
  message: string,
  severity: 'error' | 'warning',
  at: { offset: number; length: number },
  related?: ValidationDiagnostic['related'],
): ValidationDiagnostic {
  return {
    code,
    message,
    severity,
    origin: 'api',
    offset: at.offset,
    length: at.length,
    ...(related ? { related } : {}),
  };
}

export function labelMapDiagnostics(summary: LabelMapSummary): ValidationDiagnostic[] {
  const out: ValidationDiagnostic[] = [];
  const firstById = new Map<number, LabelMapItem>();
  const lastByName = new Map<string, LabelMapItem>();
  for (const item of summary.items) {
    const at = item.idNode ?? item.message.open;
    if (item.id < 0)
      out.push(
        api(
          'label-map-negative-id',
          `Label map ids must be 0 or more (the API raises "Label map ids should be >= 0."): use a positive id.`,
          'error',
          at,
        ),
      );
    else if (item.id === 0 && item.name !== 'background' && item.displayName !== 'background')
      out.push(
        api(
          'label-map-id-zero',
          item.idNode
            ? 'Id 0 is reserved for an item named `background` (the API raises "Label map id 0 is reserved for the background label"): number classes from 1.'
            : 'This item has no `id`, so it reads as 0, which is reserved for `background`: the API refuses the label map. Add `id: N` (1 and up).',
          'error',
          at,
        ),
      );
    const first = firstById.get(item.id);
    if (first === undefined) firstById.set(item.id, item);
    else
      out.push(
        api(
          'label-map-duplicate-id',
          `Id ${item.id} is used again: the API keeps the first item with this id (${describe(first)}) as the class and counts both names as class ${item.id}, so they are trained as one class. Give each class its own id.`,
          'warning',
          at,
          [
            {
              message: `first item with id ${item.id}`,
              offset: (first.idNode ?? first.message.open).offset,
              length: (first.idNode ?? first.message.open).length,
            },
          ],
        ),
      );
    if (item.name !== undefined) {
      const earlier = lastByName.get(item.name);
      if (earlier && earlier.id !== item.id) {
        out.push(
          api(
            'label-map-duplicate-name',
            `The name \`${item.name}\` is used again with another id: the API maps a name to the last id given to it (${item.id}), so boxes labelled \`${item.name}\` never train class ${earlier.id}.`,
            'warning',
            item.nameNode ?? at,
            [
              {
                message: `\`${item.name}\` first given id ${earlier.id}`,
                offset: (earlier.idNode ?? earlier.message.open).offset,
                length: (earlier.idNode ?? earlier.message.open).length,
              },
            ],
          ),
        );
      }
      lastByName.set(item.name, item);
    }
  }
  return out;
}

function describe(item: LabelMapItem): string {
  return item.name !== undefined ? `\`${item.name}\`` : 'an unnamed item';
}
