// A fast path for the label maps real projects have: nothing but
//   item { name: "..." id: N display_name: "..." }
// repeated, with plain whitespace. One pass over the characters recognises that strict shape and
// records each item in a few number arrays, without building tokens or nodes; the first character
// it does not expect (a comment, a separator, an escape, a sign, another field, a field set twice)
// makes it give up, and the file takes the full parser and schema walk. For the shape it accepts
// the full path reports no parser or schema problem (given `fitsSchema`), so the diagnostics are
// the label map rules alone, computed from the same table interface (labelMapRules.ts). The tree
// is still there: `lazyDocument` parses it when something reads it (hover, the printer).
// test/unit/validate/labelMapFast.test.ts checks fast and full agree on corpus, mutants and fuzz.

import type { FieldDef, MessageType, Schema } from '../model';
import type { LabelMapItemTable } from './labelMapRules';

/** The items of a label map in the strict shape, column by column (-1 where a field is absent). */
export interface SimpleLabelMap extends LabelMapItemTable {
  /** Offset of each item's `{`. */
  readonly open: number[];
  /** Offset and length of the `id` value, and the value. */
  readonly idOffset: number[];
  readonly idLength: number[];
  readonly idValue: number[];
  /** Offset and length of the `name` / `display_name` string literal, quotes included. */
  readonly nameOffset: number[];
  readonly nameLength: number[];
  readonly displayOffset: number[];
  readonly displayLength: number[];
}

const SPACE = 0x20;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const LF = 0x0a;
const CR = 0x0d;

/** The spec's whitespace; NaN (past the end) is not. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

/** Letters, digits, `_` and `.`: what may not follow a keyword or number for it to end there. */
function continuesToken(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e
  );
}

const NAME = 1;
const ID = 2;
const DISPLAY_NAME = 4;

/**
 * The label map in `text` when it has the strict shape, else undefined. Ids are plain decimals
 * of at most 9 digits (what the schema walk reads without a check); strings are single literals
 * without a backslash or line break.
 */
export function scanSimpleLabelMap(text: string): SimpleLabelMap | undefined {
  const n = text.length;
  const open: number[] = [];
  const idOffset: number[] = [];
  const idLength: number[] = [];
  const idValue: number[] = [];
  const nameOffset: number[] = [];
  const nameLength: number[] = [];
  const displayOffset: number[] = [];
  const displayLength: number[] = [];
  let pos = 0;
  for (;;) {
    while (isSpace(text.charCodeAt(pos))) pos++;
    if (pos >= n) break;
    if (!text.startsWith('item', pos) || continuesToken(text.charCodeAt(pos + 4))) return undefined;
    pos += 4;
    while (isSpace(text.charCodeAt(pos))) pos++;
    if (text.charCodeAt(pos) !== OPEN) return undefined;
    open.push(pos);
    pos++;
    let seen = 0;
    let idAt = -1;
    let idLen = -1;
    let id = -1;
    let nameAt = -1;
    let nameLen = -1;
    let displayAt = -1;
    let displayLen = -1;
    for (;;) {
      while (isSpace(text.charCodeAt(pos))) pos++;
      const c = text.charCodeAt(pos);
      if (c === CLOSE) {
        pos++;
        break;
      }
      let field: number;
      if (c === 0x6e && text.startsWith('name', pos) && !continuesToken(text.charCodeAt(pos + 4))) {
        field = NAME;
        pos += 4;
      } else if (
        c === 0x69 &&
        text.charCodeAt(pos + 1) === 0x64 &&
        !continuesToken(text.charCodeAt(pos + 2))
      ) {
        field = ID;
        pos += 2;
      } else if (
        c === 0x64 &&
        text.startsWith('display_name', pos) &&
        !continuesToken(text.charCodeAt(pos + 12))
      ) {
        field = DISPLAY_NAME;
        pos += 12;
      } else return undefined;
      if ((seen & field) !== 0) return undefined;
      seen |= field;
      while (isSpace(text.charCodeAt(pos))) pos++;
      if (text.charCodeAt(pos) !== COLON) return undefined;
      pos++;
      while (isSpace(text.charCodeAt(pos))) pos++;
      const start = pos;
      if (field === ID) {
        let d = text.charCodeAt(pos) - 0x30;
        if (!(d >= 0 && d <= 9)) return undefined;
        let value = d;
        pos++;
        if (value !== 0)
          for (;;) {
            d = text.charCodeAt(pos) - 0x30;
            if (!(d >= 0 && d <= 9)) break;
            value = value * 10 + d;
            pos++;
          }
        if (pos - start > 9 || continuesToken(text.charCodeAt(pos))) return undefined;
        idAt = start;
        idLen = pos - start;
        id = value;
        continue;
      }
      const quote = text.charCodeAt(pos);
      if (quote !== QUOTE && quote !== APOSTROPHE) return undefined;
      pos++;
      for (;;) {
        const s = text.charCodeAt(pos);
        if (s === quote) break;
        if (s === BACKSLASH || s === LF || s === CR || pos >= n) return undefined;
        pos++;
      }
      pos++;
      if (field === NAME) {
        nameAt = start;
        nameLen = pos - start;
      } else {
        displayAt = start;
        displayLen = pos - start;
      }
    }
    idOffset.push(idAt);
    idLength.push(idLen);
    idValue.push(id);
    nameOffset.push(nameAt);
    nameLength.push(nameLen);
    displayOffset.push(displayAt);
    displayLength.push(displayLen);
  }
  const literal = (offset: number, length: number): string | undefined =>
    offset < 0 ? undefined : text.slice(offset + 1, offset + length - 1);
  const at = (i: number) =>
    (idOffset[i] as number) >= 0
      ? { offset: idOffset[i] as number, length: idLength[i] as number }
      : { offset: open[i] as number, length: 1 };
  return {
    count: open.length,
    open,
    idOffset,
    idLength,
    idValue,
    nameOffset,
    nameLength,
    displayOffset,
    displayLength,
    // An item without `id` reads as 0, as in readLabelMap.
    id: (i) => ((idOffset[i] as number) >= 0 ? (idValue[i] as number) : 0),
    name: (i) => literal(nameOffset[i] as number, nameLength[i] as number),
    displayName: (i) => literal(displayOffset[i] as number, displayLength[i] as number),
    hasId: (i) => (idOffset[i] as number) >= 0,
    at,
    nameAt: (i) =>
      (nameOffset[i] as number) >= 0
        ? { offset: nameOffset[i] as number, length: nameLength[i] as number }
        : at(i),
  };
}

/**
 * Whether `schema` reads the strict shape the way the fast path assumes: `item` a repeated
 * message, `name` and `display_name` strings, `id` an integer, none of them deprecated or in a
 * oneof, and no required field in the label map or its items (that could be missing).
 */
export function fitsSchema(schema: Schema, root: MessageType): boolean {
  const plain = (def: FieldDef | undefined): def is FieldDef =>
    def !== undefined && !def.deprecated && def.oneof === undefined;
  const item = schema.field(root, 'item');
  if (!plain(item) || item.label !== 'repeated' || item.type.kind !== 'message') return false;
  const itemType = schema.messageOf(item);
  if (!itemType) return false;
  if (root.fields.some((f) => f.label === 'required')) return false;
  if (itemType.fields.some((f) => f.label === 'required')) return false;
  const isScalar = (def: FieldDef | undefined, kinds: readonly string[]) =>
    plain(def) &&
    def.label !== 'repeated' &&
    def.type.kind === 'scalar' &&
    kinds.includes(def.type.scalar);
  return (
    isScalar(schema.field(itemType, 'name'), ['string']) &&
    isScalar(schema.field(itemType, 'display_name'), ['string']) &&
    isScalar(schema.field(itemType, 'id'), ['int32', 'int64', 'uint32', 'uint64'])
  );
}
