// Number spellings, judged by the spec (what protoc's tokenizer accepts) and by Python 4.21's
// text_format, which hands whole tokens to Python's own `int(text, 0)` and `float(text)`. That is
// why Python accepts `1_000`, `+5`, `0o17` and `1.5ff` and rejects `0.5F`.

/** A number token's shape under the spec grammar, or undefined when protoc's tokenizer fails. */
export type SpecNumberForm = 'decimal' | 'octal' | 'hex' | 'float';

const SPEC_DECIMAL = /^(?:0|[1-9][0-9]*)$/;
const SPEC_OCTAL = /^0[0-7]+$/;
const SPEC_HEX = /^0[xX][0-9a-fA-F]+$/;
const SPEC_FLOAT =
  /^(?:(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][+-]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][+-]?[0-9]+)[fF]?|(?:0|[1-9][0-9]*)[fF])$/;

export function specNumberForm(text: string): SpecNumberForm | undefined {
  if (SPEC_DECIMAL.test(text)) return 'decimal';
  if (SPEC_OCTAL.test(text)) return 'octal';
  if (SPEC_HEX.test(text)) return 'hex';
  if (SPEC_FLOAT.test(text)) return 'float';
  return undefined;
}

/** The value of a spec integer (no sign). */
export function specIntegerValue(text: string, form: 'decimal' | 'octal' | 'hex'): bigint {
  if (form === 'hex') return BigInt(text);
  if (form === 'octal') return BigInt('0o' + text.slice(1));
  return BigInt(text);
}

// Python's `int(text, 0)` grammar (PEP 515 underscores allowed between digits).
const PY_INT_BASE0 =
  /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?[0-9])*)$/;

/** Python's `int(text, 0)`; undefined where it raises ValueError. */
export function pythonIntBase0(text: string): bigint | undefined {
  const match = PY_INT_BASE0.exec(text);
  if (!match) return undefined;
  const digits = (match[2] ?? '').replace(/_/g, '');
  const magnitude = BigInt(/^0[0-9]/.test(digits) ? '0' : digits);
  return match[1] === '-' ? -magnitude : magnitude;
}

/**
 * text_format's `_ParseAbstractInteger`: a C-style octal (`010`, `-010`) is rewritten to
 * Python's `0o10` first, then `int(text, 0)`.
 */
export function pythonParseInteger(text: string): bigint | undefined {
  const octal = /^(-?)0([0-9]+)$/.exec(text);
  if (octal) {
    const digits = octal[2] ?? '';
    if (!/^[0-7]+$/.test(digits)) return undefined;
    const magnitude = BigInt('0o' + digits);
    return octal[1] === '-' ? -magnitude : magnitude;
  }
  return pythonIntBase0(text);
}

const PY_FLOAT =
  /^[+-]?(?:(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)$/;
const PY_FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's built-in `float(text)`; undefined where it raises ValueError. */
export function pythonFloat(text: string): number | undefined {
  const special = PY_FLOAT_SPECIAL.exec(text);
  if (special) {
    if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!PY_FLOAT.test(text)) return undefined;
  return Number(text.replace(/_/g, ''));
}

/**
 * text_format's `ParseFloat`: `float(text)`, then `-?inf(inity)?f?` and `nanf?` ignoring case,
 * then `float(text.rstrip('f'))`. Only a lowercase `f` is stripped, hence `0.5F` fails.
 */
export function pythonParseFloat(text: string): number | undefined {
  const direct = pythonFloat(text);
  if (direct !== undefined) return direct;
  if (/^-?inf(?:inity)?f?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nanf?$/i.test(text)) return NaN;
  return pythonFloat(text.replace(/f+$/, ''));
}

/** The value of a spec float token (`f` suffix dropped). */
export function specFloatValue(text: string): number {
  return Number(text.replace(/[fF]$/, ''));
}
