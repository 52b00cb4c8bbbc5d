// A scalar read as a value of a known .proto type, the way each parser would: Python protobuf
// 4.21 (`_MergeScalarField`: ParseInteger, ParseFloat, ParseBool, ParseEnum, ConsumeString) and
// protoc (the spec's value table). The schema layer calls this once it knows a field's type; the
// parser alone cannot, because `010` is 8 for an int32 but 10.0 (and a protoc error) for a float.

import type { ScalarNode } from './ast';
import { diagnostic, type TextFormatCode, type TextFormatDiagnostic } from './diagnostics';
import {
  pythonIntBase0,
  pythonParseFloat,
  pythonParseInteger,
  specIntegerValue,
  specNumberForm,
} from './numberLiteral';
import { pythonStringBytes } from './scalarValue';
import { readStringBody, utf8ToString } from './stringLiteral';
import { stringBodyRange } from './scalarValue';

export type ScalarFieldType =
  | 'double'
  | 'float'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'sint32'
  | 'sint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed32'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes'
  | 'enum';

export type ScalarTypedValue =
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'integer'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'enumName'; value: string }
  | { kind: 'enumNumber'; value: number };

export interface ScalarTypeReading {
  /** Python's (the Object Detection API's) reading; undefined when Python rejects the value. */
  value: ScalarTypedValue | undefined;
  /** An error when Python rejects it, a warning when only protoc does; empty when both accept. */
  diagnostics: TextFormatDiagnostic[];
}

const INTEGER_RANGES: Partial<Record<ScalarFieldType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const PYTHON_TRUE = new Set(['true', 't', '1', 'True']);
const PYTHON_FALSE = new Set(['false', 'f', '0', 'False']);
const FLOAT_WORDS = /^(?:inf|infinity|nan)$/i;

interface Judgement {
  ok: boolean;
  code: TextFormatCode;
  message: string;
}

const accept: Judgement = { ok: true, code: 'type-mismatch', message: '' };

function reject(code: TextFormatCode, message: string): Judgement {
  return { ok: false, code, message };
}

/** The token text Python's tokenizer sees: a glued sign is part of the number. */
function pythonToken(scalar: ScalarNode): string {
  return scalar.sign?.glued ? scalar.sign.char + scalar.raw : scalar.raw;
}

function describe(scalar: ScalarNode): string {
  const text = (scalar.sign ? scalar.sign.char : '') + scalar.raw;
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

/** Reads `scalar` as a value of `type` under both parsers. */
export function interpretScalar(
  scalar: ScalarNode,
  type: ScalarFieldType,
  text: string,
): ScalarTypeReading {
  const range = INTEGER_RANGES[type];
  let python: { judgement: Judgement; value?: ScalarTypedValue };
  let protoc: Judgement;
  if (type === 'string' || type === 'bytes') {
    python = pythonString(scalar, type, text);
    protoc = scalar.valueKind === 'string' ? accept : python.judgement;
  } else if (scalar.valueKind === 'string') {
    const j = reject(
      'type-mismatch',
      `A ${type} field takes ${expectedFor(type)}, not a quoted string: remove the quotes from ${describe(scalar)}.`,
    );
    python = { judgement: j };
    protoc = j;
  } else if (range) {
    python = pythonInteger(scalar, type, range);
    protoc = protocInteger(scalar, type, range);
  } else if (type === 'float' || type === 'double') {
    python = pythonFloatValue(scalar, type);
    protoc = protocFloat(scalar, type);
  } else if (type === 'bool') {
    python = pythonBool(scalar);
    protoc = protocBool(scalar);
  } else {
    python = pythonEnum(scalar);
    protoc = protocEnum(scalar);
  }
  const diagnostics: TextFormatDiagnostic[] = [];
  if (!python.judgement.ok)
    diagnostics.push(
      diagnostic(
        python.judgement.code,
        python.judgement.message,
        scalar.offset,
        scalar.length,
        'rejects',
        protoc.ok ? 'accepts' : 'rejects',
      ),
    );
  else if (!protoc.ok)
    diagnostics.push(
      diagnostic(
        protoc.code,
        `${protoc.message} (The Object Detection API accepts it; protoc and other protobuf tools reject it.)`,
        scalar.offset,
        scalar.length,
        'accepts',
        'rejects',
      ),
    );
  return { value: python.judgement.ok ? python.value : undefined, diagnostics };
}

function expectedFor(type: ScalarFieldType): string {
  if (type === 'bool') return '`true` or `false`';
  if (type === 'enum') return 'an enum value name';
  if (type === 'float' || type === 'double') return 'a number';
  return 'an integer';
}

// ---- strings --------------------------------------------------------------------------------

function pythonString(
  scalar: ScalarNode,
  type: 'string' | 'bytes',
  text: string,
): { judgement: Judgement; value?: ScalarTypedValue } {
  if (scalar.valueKind !== 'string')
    return {
      judgement: reject(
        'type-mismatch',
        `A ${type} field takes a quoted string: write "${describe(scalar)}".`,
      ),
    };
  const bytes: number[] = [];
  for (const part of scalar.parts) for (const b of pythonStringBytes(part, text)) bytes.push(b);
  if (type === 'bytes')
    return { judgement: accept, value: { kind: 'bytes', value: Uint8Array.from(bytes) } };
  const decoded = utf8ToString(bytes);
  if (decoded === undefined)
    return {
      judgement: reject(
        'string-not-utf8',
        'After the Object Detection API (Python protobuf) unescapes this string it is not valid UTF-8 (an escape such as `\\u00e9` or `\\xe9` becomes a single byte): write the characters themselves.',
      ),
    };
  return { judgement: accept, value: { kind: 'string', value: decoded } };
}

/** protoc's bytes for a string scalar, for callers comparing the two readings. */
export function protocStringBytes(scalar: ScalarNode, text: string): number[] {
  const out: number[] = [];
  for (const part of scalar.parts) {
    const { start, end } = stringBodyRange(part);
    for (const b of readStringBody(text, start, end).protoc) out.push(b);
  }
  return out;
}

// ---- integers -------------------------------------------------------------------------------

function rangeText(range: readonly [bigint, bigint]): string {
  return `${range[0]}..${range[1]}`;
}

function pythonInteger(
  scalar: ScalarNode,
  type: ScalarFieldType,
  range: readonly [bigint, bigint],
): { judgement: Judgement; value?: ScalarTypedValue } {
  const value = pythonParseInteger(pythonToken(scalar));
  if (value === undefined) {
    const token = pythonToken(scalar);
    const hint = /^-?0[0-9]+$/.test(token)
      ? ' (a leading 0 makes it octal, and octal has no 8 or 9)'
      : /[.eE]|inf|nan/i.test(token) && scalar.valueKind === 'number'
        ? ' (an integer field takes no decimal point, exponent or `f`)'
        : '';
    return {
      judgement: reject(
        'type-mismatch',
        `\`${describe(scalar)}\` is not an integer${hint}; ${type} fields take whole numbers.`,
      ),
    };
  }
  if (value < range[0] || value > range[1])
    return {
      judgement: reject(
        'integer-out-of-range',
        `\`${describe(scalar)}\` is out of range for ${type} (${rangeText(range)}).`,
      ),
    };
  return { judgement: accept, value: { kind: 'integer', value } };
}

function protocInteger(
  scalar: ScalarNode,
  type: ScalarFieldType,
  range: readonly [bigint, bigint],
): Judgement {
  if (scalar.valueKind !== 'number')
    return reject('type-mismatch', `\`${describe(scalar)}\` is not an integer.`);
  if (scalar.sign?.char === '+')
    return reject('type-mismatch', 'protoc does not accept a `+` sign.');
  const form = specNumberForm(scalar.raw);
  if (form === undefined || form === 'float')
    return reject(
      'type-mismatch',
      `\`${describe(scalar)}\` is not an integer literal protoc accepts.`,
    );
  const magnitude = specIntegerValue(scalar.raw, form);
  const value = scalar.sign?.char === '-' ? -magnitude : magnitude;
  if (scalar.sign?.char === '-' && range[0] === 0n)
    return reject('integer-out-of-range', `${type} fields cannot be negative.`);
  if (value < range[0] || value > range[1])
    return reject('integer-out-of-range', `\`${describe(scalar)}\` is out of range for ${type}.`);
  return accept;
}

// ---- floats ---------------------------------------------------------------------------------

function pythonFloatValue(
  scalar: ScalarNode,
  type: ScalarFieldType,
): { judgement: Judgement; value?: ScalarTypedValue } {
  const value = pythonParseFloat(pythonToken(scalar));
  if (value === undefined)
    return {
      judgement: reject(
        'float-form',
        `\`${describe(scalar)}\` is not a number the Object Detection API reads for a ${type} field (decimal digits, an optional exponent, \`inf\` or \`nan\`).`,
      ),
    };
  return { judgement: accept, value: { kind: 'float', value } };
}

function protocFloat(scalar: ScalarNode, type: ScalarFieldType): Judgement {
  if (scalar.sign?.char === '+') return reject('float-form', 'protoc does not accept a `+` sign.');
  if (scalar.valueKind === 'identifier')
    return FLOAT_WORDS.test(scalar.raw)
      ? accept
      : reject('float-form', `\`${describe(scalar)}\` is not a ${type} value.`);
  const form = specNumberForm(scalar.raw);
  if (form === 'float' || form === 'decimal') return accept;
  if (form === 'octal')
    return reject(
      'float-form',
      `protoc rejects a leading zero in a ${type} value: write \`${scalar.raw.replace(/^0+(?=\d)/, '')}\`.`,
    );
  if (form === 'hex') return reject('float-form', `protoc rejects hexadecimal in a ${type} value.`);
  return reject('float-form', `\`${describe(scalar)}\` is not a ${type} literal protoc accepts.`);
}

// ---- bools ----------------------------------------------------------------------------------

function pythonBool(scalar: ScalarNode): { judgement: Judgement; value?: ScalarTypedValue } {
  const token = pythonToken(scalar);
  if (PYTHON_TRUE.has(token)) return { judgement: accept, value: { kind: 'bool', value: true } };
  if (PYTHON_FALSE.has(token)) return { judgement: accept, value: { kind: 'bool', value: false } };
  return {
    judgement: reject(
      'bool-spelling',
      `\`${describe(scalar)}\` is not a bool: write \`true\` or \`false\`.`,
    ),
  };
}

function protocBool(scalar: ScalarNode): Judgement {
  if (scalar.sign) return reject('bool-spelling', 'A bool takes no sign.');
  if (scalar.valueKind === 'identifier')
    return PYTHON_TRUE.has(scalar.raw) || PYTHON_FALSE.has(scalar.raw)
      ? accept
      : reject('bool-spelling', `\`${scalar.raw}\` is not a bool.`);
  const form = specNumberForm(scalar.raw);
  if (form === undefined || form === 'float') return reject('bool-spelling', 'Not a bool.');
  const value = specIntegerValue(scalar.raw, form);
  return value <= 1n ? accept : reject('bool-spelling', `\`${scalar.raw}\` is not a bool.`);
}

// ---- enums ----------------------------------------------------------------------------------

function pythonEnum(scalar: ScalarNode): { judgement: Judgement; value?: ScalarTypedValue } {
  const token = pythonToken(scalar);
  const number = pythonIntBase0(token);
  if (number !== undefined)
    return { judgement: accept, value: { kind: 'enumNumber', value: Number(number) } };
  if (scalar.valueKind === 'identifier' && !scalar.sign)
    return { judgement: accept, value: { kind: 'enumName', value: scalar.raw } };
  return {
    judgement: reject(
      'type-mismatch',
      `\`${describe(scalar)}\` is not an enum value name or number.`,
    ),
  };
}

function protocEnum(scalar: ScalarNode): Judgement {
  if (scalar.sign?.char === '+')
    return reject('type-mismatch', 'protoc does not accept a `+` sign.');
  if (scalar.valueKind === 'identifier')
    return scalar.sign ? reject('type-mismatch', 'An enum name takes no sign.') : accept;
  const form = specNumberForm(scalar.raw);
  return form === undefined || form === 'float'
    ? reject('type-mismatch', `\`${describe(scalar)}\` is not an enum number protoc accepts.`)
    : accept;
}
