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

/**
 * What the rules read of each item, by index: the node-backed items of `readLabelMap` and the
 * compact table of the fast label map scan (labelMapFast.ts) both answer it, so both give the
 * same diagnostics.
 */
export interface LabelMapItemTable {
  readonly count: number;
  id(i: number): number;
  name(i: number): string | undefined;
  displayName(i: number): string | undefined;
  /** The item has an `id` field. */
  hasId(i: number): boolean;
  /** Where to point for the item: its id, else its opening brace. */
  at(i: number): { offset: number; length: number };
  /** Where to point for its name: the name's value, else `at`. */
  nameAt(i: number): { offset: number; length: number };
}

function itemTable(items: readonly LabelMapItem[]): LabelMapItemTable {
  const item = (i: number) => items[i] as LabelMapItem;
  return {
    count: items.length,
    id: (i) => item(i).id,
    name: (i) => item(i).name,
    displayName: (i) => item(i).displayName,
    hasId: (i) => item(i).idNode !== undefined,
    at: (i) => item(i).idNode ?? item(i).message.open,
    nameAt: (i) => item(i).nameNode ?? item(i).idNode ?? item(i).message.open,
  };
}

export function labelMapDiagnostics(summary: LabelMapSummary): ValidationDiagnostic[] {
  return labelMapTableDiagnostics(itemTable(summary.items));
}

export function labelMapTableDiagnostics(items: LabelMapItemTable): ValidationDiagnostic[] {
  const out: ValidationDiagnostic[] = [];
  const firstById = new Map<number, number>();
  const lastByName = new Map<string, number>();
  for (let i = 0; i < items.count; i++) {
    const id = items.id(i);
    if (id < 0)
      out.push(
        api(
          'label-map-negative-id',
          `Label map ids must be 0 or more (the API raises "Label map ids should be >= 0."): use a positive id.`,
          'error',
          items.at(i),
        ),
      );
    else if (id === 0 && items.name(i) !== 'background' && items.displayName(i) !== 'background')
      out.push(
        api(
          'label-map-id-zero',
          items.hasId(i)
            ? 'Id 0 is reserved for an item named `background` (the API raises "Label map id 0 is reserved for the background label"): number classes from 1.'
            : 'This item has no `id`, so it reads as 0, which is reserved for `background`: the API refuses the label map. Add `id: N` (1 and up).',
          'error',
          items.at(i),
        ),
      );
    const first = firstById.get(id);
    if (first === undefined) firstById.set(id, i);
    else {
      const firstAt = items.at(first);
      out.push(
        api(
          'label-map-duplicate-id',
          `Id ${id} is used again: the API keeps the first item with this id (${describe(items.name(first))}) as the class and counts both names as class ${id}, so they are trained as one class. Give each class its own id.`,
          'warning',
          items.at(i),
          [
            {
              message: `first item with id ${id}`,
              offset: firstAt.offset,
              length: firstAt.length,
            },
          ],
        ),
      );
    }
    const name = items.name(i);
    if (name !== undefined) {
      const earlier = lastByName.get(name);
      if (earlier !== undefined && items.id(earlier) !== id) {
        const earlierAt = items.at(earlier);
        out.push(
          api(
            'label-map-duplicate-name',
            `The name \`${name}\` is used again with another id: the API maps a name to the last id given to it (${id}), so boxes labelled \`${name}\` never train class ${items.id(earlier)}.`,
            'warning',
            items.nameAt(i),
            [
              {
                message: `\`${name}\` first given id ${items.id(earlier)}`,
                offset: earlierAt.offset,
                length: earlierAt.length,
              },
            ],
          ),
        );
      }
      lastByName.set(name, i);
    }
  }
  return out;
}

function describe(name: string | undefined): string {
  return name !== undefined ? `\`${name}\`` : 'an unnamed item';
}
