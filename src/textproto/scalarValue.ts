// The type-independent reading of a scalar that the parser stores on the node (`ScalarNode.value`):
// what the Object Detection API sees for strings, a best-effort number for numbers.

import type { StringPart } from './ast';
import { pythonParseFloat, pythonParseInteger } from './numberLiteral';
import { readStringBody, utf8ToDisplayString } from './stringLiteral';

/** Offsets of a literal's body: inside the quotes (an unterminated literal has no closing one). */
export function stringBodyRange(part: StringPart): { start: number; end: number } {
  const closed = part.raw.length >= 2 && part.raw.endsWith(part.quote);
  return { start: part.offset + 1, end: part.offset + part.length - (closed ? 1 : 0) };
}

/** Python's reading of one literal's body, as bytes. */
export function pythonStringBytes(part: StringPart, text: string): number[] {
  const { start, end } = stringBodyRange(part);
  return readStringBody(text, start, end).python;
}

/** The concatenated parts as the API reads them; invalid UTF-8 shows as U+FFFD. */
export function stringValue(parts: readonly StringPart[], text: string): string {
  if (parts.length === 1 && !(parts[0] as StringPart).raw.includes('\\')) {
    const { start, end } = stringBodyRange(parts[0] as StringPart);
    return text.slice(start, end);
  }
  if (parts.every((p) => !p.raw.includes('\\')))
    return parts.map((p) => text.slice(stringBodyRange(p).start, stringBodyRange(p).end)).join('');
  const bytes: number[] = [];
  for (const part of parts) for (const b of pythonStringBytes(part, text)) bytes.push(b);
  return utf8ToDisplayString(bytes);
}

const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;

/** Integer reading where Python has one (so `010` is 8), else the float reading, else NaN. */
export function numberValue(raw: string, negative: boolean): number {
  // Fast path for the common plain decimal (ids, sizes): exact in a double up to 15 digits.
  if (PLAIN_DECIMAL.test(raw)) return negative ? -Number(raw) : Number(raw);
  const signed = negative ? '-' + raw : raw;
  const integer = pythonParseInteger(signed);
  if (integer !== undefined) return Number(integer);
  return pythonParseFloat(signed) ?? NaN;
}
