// Turns parsed .proto files into schema types: full names, type references resolved with protobuf
// scoping (only through files a file imports), defaults converted to values, and the checks protoc
// makes that matter to a config validator (duplicate names and numbers, reserved numbers, unknown
// types). Problems are collected; a field whose type cannot be resolved keeps the name as written so
// the field itself is still known.

import type {
  DefaultValue,
  EnumType,
  EnumValueDef,
  FieldDef,
  FieldType,
  MessageType,
  NamedType,
} from '../model';
import { isScalarKind } from '../model';
import { joinName, resolveTypeName } from '../names';
import { compactInteger, defaultProblem, integerRange, isFloatKind } from '../values';
import type { Position, ProtoError, RawConstant, RawEnum, RawFile, RawMessage } from './ast';
import { parseInteger } from './parser';

interface Declared {
  readonly file: RawFile;
  readonly raw: RawMessage | RawEnum;
  readonly kind: 'message' | 'enum';
}

export function linkProtoFiles(files: readonly RawFile[]): {
  types: NamedType[];
  errors: ProtoError[];
} {
  const errors: ProtoError[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  const declared = new Map<string, Declared>();
  const order: string[] = [];

  const report = (file: RawFile, at: Position, message: string): void => {
    errors.push({ file: file.path, line: at.line, column: at.column, message });
  };

  // 1. Every declared type by full name.
  const declare = (
    file: RawFile,
    scope: string,
    raw: RawMessage | RawEnum,
    kind: Declared['kind'],
  ): void => {
    const full = joinName(scope, raw.name);
    const previous = declared.get(full);
    if (previous) {
      report(file, raw, `'${full}' is already defined in ${previous.file.path}`);
      return;
    }
    declared.set(full, { file, raw, kind });
    order.push(full);
    if (kind === 'message') {
      const msg = raw as RawMessage;
      for (const m of msg.messages) declare(file, full, m, 'message');
      for (const e of msg.enums) declare(file, full, e, 'enum');
    }
  };
  for (const file of files) {
    for (const m of file.messages) declare(file, file.package, m, 'message');
    for (const e of file.enums) declare(file, file.package, e, 'enum');
  }

  // 2. Which files each file can see: itself, its imports, and what those re-export publicly.
  const visibleFiles = new Map<string, Set<string>>();
  for (const file of files) {
    const seen = new Set<string>([file.path]);
    for (const imp of file.imports) {
      if (!byPath.has(imp.path)) {
        report(file, imp, `cannot find import "${imp.path}"`);
        continue;
      }
      addPublic(imp.path, seen);
    }
    visibleFiles.set(file.path, seen);
  }
  function addPublic(path: string, seen: Set<string>): void {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imp of byPath.get(path)?.imports ?? []) if (imp.public) addPublic(imp.path, seen);
  }

  // 3. Build the types.
  const enumsSoFar = new Map<string, EnumType>();
  const types = new Map<string, NamedType>();
  for (const full of order) {
    const d = declared.get(full) as Declared;
    if (d.kind === 'enum') {
      const en = buildEnum(full, d.file, d.raw as RawEnum, report);
      enumsSoFar.set(full, en);
      types.set(full, en);
    }
  }
  for (const full of order) {
    const d = declared.get(full) as Declared;
    if (d.kind !== 'message') continue;
    const visible = visibleFiles.get(d.file.path) as Set<string>;
    const resolve = (name: string, at: Position): FieldType | undefined => {
      if (isScalarKind(name)) return { kind: 'scalar', scalar: name };
      const target = resolveTypeName(name, full, (c) => declared.has(c));
      const found = target === undefined ? undefined : declared.get(target);
      if (target === undefined || !found) {
        report(d.file, at, `unknown type '${name}'`);
        return undefined;
      }
      if (!visible.has(found.file.path)) {
        report(d.file, at, `'${name}' is defined in ${found.file.path}, which is not imported`);
      }
      return { kind: found.kind, typeName: target };
    };
    types.set(full, buildMessage(full, d.file, d.raw as RawMessage, resolve, enumsSoFar, report));
  }
  return { types: order.map((n) => types.get(n) as NamedType), errors };
}

type Report = (file: RawFile, at: Position, message: string) => void;

function buildEnum(full: string, file: RawFile, raw: RawEnum, report: Report): EnumType {
  const values: EnumValueDef[] = [];
  const numbers = new Map<number, string>();
  for (const v of raw.values) {
    const previous = numbers.get(v.number);
    if (previous !== undefined && !raw.allowAlias) {
      report(file, v, `'${v.name}' uses the number ${v.number} of '${previous}'; set allow_alias`);
    }
    numbers.set(v.number, v.name);
    values.push({
      name: v.name,
      number: v.number,
      ...(v.deprecated ? { deprecated: true } : {}),
      ...docLine(v.doc),
    });
  }
  if (values.length === 0) report(file, raw, `enum '${raw.name}' has no values`);
  return {
    kind: 'enum',
    fullName: full,
    values,
    file: file.path,
    ...(raw.deprecated ? { deprecated: true } : {}),
    ...docLine(raw.doc),
  };
}

function buildMessage(
  full: string,
  file: RawFile,
  raw: RawMessage,
  resolve: (name: string, at: Position) => FieldType | undefined,
  enums: ReadonlyMap<string, EnumType>,
  report: Report,
): MessageType {
  const fields: FieldDef[] = [];
  const names = new Set<string>();
  const numbers = new Map<number, string>();
  for (const f of raw.fields) {
    if (names.has(f.name)) report(file, f, `field '${f.name}' is already defined in '${raw.name}'`);
    const previous = numbers.get(f.number);
    if (previous !== undefined) {
      report(file, f, `field number ${f.number} of '${f.name}' is already used by '${previous}'`);
    }
    if (raw.reservedRanges.some(([lo, hi]) => f.number >= lo && f.number <= hi)) {
      report(file, f, `field number ${f.number} of '${f.name}' is reserved`);
    }
    if (raw.reservedNames.includes(f.name)) report(file, f, `field name '${f.name}' is reserved`);
    names.add(f.name);
    numbers.set(f.number, f.name);
    if (file.syntax === 'proto3' && f.label === 'required') {
      report(file, f, 'required fields are not allowed in proto3');
    }
    const type = resolve(f.typeName, f) ?? unresolved(f.typeName);
    let value: DefaultValue | undefined;
    if (f.default) {
      if (file.syntax === 'proto3') report(file, f.default, 'defaults are not allowed in proto3');
      if (f.label === 'repeated') report(file, f.default, 'repeated fields cannot have a default');
      const converted = convertDefault(f.default, type, enums);
      if (typeof converted === 'object' && converted !== null && 'error' in converted) {
        report(file, f.default, `invalid default for '${f.name}': ${converted.error}`);
      } else value = converted;
    }
    fields.push({
      name: f.name,
      number: f.number,
      label: f.label,
      type,
      ...(value !== undefined ? { default: value } : {}),
      ...(f.oneof !== undefined ? { oneof: f.oneof } : {}),
      ...(f.deprecated ? { deprecated: true } : {}),
      ...docLine(f.doc),
    });
  }
  const nested = [...raw.messages, ...raw.enums]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((n) => joinName(full, n.name));
  return {
    kind: 'message',
    fullName: full,
    fields,
    oneofs: raw.oneofs.map((o) => ({ name: o.name, fields: [...o.fields] })),
    nested,
    file: file.path,
    ...(raw.deprecated ? { deprecated: true } : {}),
    ...(raw.mapEntry ? { mapEntry: true } : {}),
    ...(raw.extensionRanges.length > 0
      ? { extensionRanges: raw.extensionRanges.map(([a, b]) => [a, b] as const) }
      : {}),
    ...docLine(raw.doc),
  };
}

/** A reference that did not resolve: kept as a message reference no schema lookup will find. */
function unresolved(name: string): FieldType {
  return { kind: 'message', typeName: name.replace(/^\./, '') };
}

function convertDefault(
  raw: RawConstant,
  type: FieldType,
  enums: ReadonlyMap<string, EnumType>,
): DefaultValue | { error: string } {
  const sign = raw.negative ? '-' : '';
  const enumType = type.kind === 'enum' ? enums.get(type.typeName) : undefined;
  let value: DefaultValue | undefined;
  if (type.kind === 'enum') {
    if (raw.kind !== 'ident' || raw.negative) return { error: 'expected an enum value name' };
    value = raw.text;
  } else if (type.kind === 'scalar') {
    const kind = type.scalar;
    if (kind === 'bool') {
      if (raw.kind !== 'ident' || (raw.text !== 'true' && raw.text !== 'false') || raw.negative) {
        return { error: 'expected true or false' };
      }
      value = raw.text === 'true';
    } else if (kind === 'string' || kind === 'bytes') {
      if (raw.kind !== 'string') return { error: 'expected a quoted string' };
      value = raw.text;
    } else if (isFloatKind(kind)) {
      if (raw.kind === 'ident') {
        const word = raw.text.toLowerCase();
        if (word !== 'inf' && word !== 'nan') return { error: 'expected a number' };
        value = word === 'nan' ? NaN : raw.negative ? -Infinity : Infinity;
      } else if (raw.kind === 'int' || raw.kind === 'float') {
        value = Number(sign + (raw.kind === 'int' ? String(parseInteger(raw.text)) : raw.text));
      } else return { error: 'expected a number' };
    } else {
      if (raw.kind !== 'int') return { error: 'expected an integer' };
      const big = bigIntegerOf(raw.text);
      const signed = raw.negative ? -big : big;
      const range = integerRange(kind) as readonly [bigint, bigint];
      if (signed < range[0] || signed > range[1]) return { error: `out of range for ${kind}` };
      value = compactInteger(signed);
    }
  } else return { error: 'message fields cannot have a default' };
  const problem = defaultProblem(value, type, enumType);
  return problem && !(type.kind === 'enum' && !enumType) ? { error: problem } : value;
}

function bigIntegerOf(text: string): bigint {
  if (/^0[xX]/.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt(`0o${text.slice(1)}`);
  return BigInt(text);
}

/** One line of doc from a comment block: its first sentence, or its first line when shorter. */
export function docLine(comment: string | undefined): { doc?: string } {
  if (!comment) return {};
  const text = comment
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(next id|next available id)\b/i.test(l))
    .join(' ');
  if (text === '') return {};
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text);
  let line = sentence ? (sentence[1] as string) : text;
  if (line.length > 200) line = `${line.slice(0, 197).trimEnd()}...`;
  return { doc: line };
}
