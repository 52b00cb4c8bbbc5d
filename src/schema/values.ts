// Which values a scalar kind holds, shared by the .proto reader (turning `[default = ...]` into a
// value) and the checks that a schema's declared defaults fit their fields.

import type { DefaultValue, EnumType, FieldType, ScalarKind } from './model';

const INTEGER_RANGES: Partial<Record<ScalarKind, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** The inclusive range of an integer kind, or undefined for the other kinds. */
export function integerRange(kind: ScalarKind): readonly [bigint, bigint] | undefined {
  return INTEGER_RANGES[kind];
}

export function isIntegerKind(kind: ScalarKind): boolean {
  return kind in INTEGER_RANGES;
}

export function isFloatKind(kind: ScalarKind): boolean {
  return kind === 'float' || kind === 'double';
}

/** A number, or a bigint only when the integer does not fit a double exactly. */
export function compactInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** Why `value` is not a valid default for a field of `type`, or undefined when it is. */
export function defaultProblem(
  value: DefaultValue,
  type: FieldType,
  enumType: EnumType | undefined,
): string | undefined {
  if (type.kind === 'message') return 'message fields cannot have a default';
  if (type.kind === 'enum') {
    if (typeof value !== 'string') return 'an enum default must be one of its value names';
    if (!enumType) return `unknown enum '${type.typeName}'`;
    return enumType.values.some((v) => v.name === value)
      ? undefined
      : `'${value}' is not a value of ${type.typeName}`;
  }
  const kind = type.scalar;
  if (kind === 'bool') return typeof value === 'boolean' ? undefined : 'expected true or false';
  if (kind === 'string' || kind === 'bytes') {
    return typeof value === 'string' ? undefined : 'expected a string';
  }
  if (isFloatKind(kind)) return typeof value === 'number' ? undefined : 'expected a number';
  const range = INTEGER_RANGES[kind] as readonly [bigint, bigint];
  if (typeof value === 'number' && !Number.isInteger(value)) return 'expected an integer';
  if (typeof value !== 'number' && typeof value !== 'bigint') return 'expected an integer';
  const big = BigInt(value);
  if (big < range[0] || big > range[1]) return `${String(value)} is out of range for ${kind}`;
  if (typeof value === 'bigint' && compactInteger(value) !== value) {
    return 'a safe integer must be written as a number';
  }
  return undefined;
}

/** Text for a default in hover and completion: `0.5`, `true`, `"abc"`, `SIGMOID`. */
export function formatDefault(value: DefaultValue, type: FieldType): string {
  if (typeof value === 'string' && type.kind === 'scalar') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  }
  return String(value);
}
