// Turns the compact specs of ./dsl.ts into schema types. Problems in the specs (a bad line, an
// unknown type, a default that does not fit) are returned, not thrown: the tests require none.

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
import { mapEntryName } from '../proto/parser';
import { compactInteger, defaultProblem, isFloatKind, isIntegerKind } from '../values';
import type { EnumSpec, MessageSpec, OneofSpec, ProtoFileSpec, TypeSpec } from './dsl';

const FIELD_LINE =
  /^(\d+) (?:(repeated|required) )?(map<\w+, ?[\w.]+>|[\w.]+) (\w+)(?: = (\S+|"(?:[^"\\]|\\.)*"))?( deprecated)? \| (.+)$/;
const VALUE_LINE = /^(\w+) = (-?\d+)( deprecated)? \| (.+)$/;

interface Pending {
  readonly file: string;
  readonly spec: TypeSpec;
  readonly fields: PendingField[];
  /** Full names of the entry messages made for map fields. */
  readonly entries: string[];
}

interface PendingField {
  readonly def: Omit<FieldDef, 'type' | 'default'>;
  readonly typeName: string;
  readonly defaultText?: string;
}

export function buildSchemaTypes(files: readonly ProtoFileSpec[]): {
  types: NamedType[];
  problems: string[];
} {
  const problems: string[] = [];
  const pending = new Map<string, Pending>();
  const order: string[] = [];
  const synthetic = new Map<string, MessageType>();

  const declare = (file: string, scope: string, spec: TypeSpec): void => {
    const full = joinName(scope, spec.name);
    if (pending.has(full)) problems.push(`${full}: declared twice`);
    order.push(full);
    const fields: PendingField[] = [];
    const entries: string[] = [];
    pending.set(full, { file, spec, fields, entries });
    if (spec.kind !== 'message') return;
    for (const member of spec.members) {
      const lines = typeof member === 'string' ? [member] : (member as OneofSpec).fields;
      const oneofName = typeof member === 'string' ? undefined : (member as OneofSpec).oneof;
      for (const line of lines) {
        const field = parseFieldLine(full, line, oneofName, problems);
        if (!field) continue;
        const map = /^map<(\w+), ?([\w.]+)>$/.exec(field.typeName);
        if (map) {
          const entry = joinName(full, mapEntryName(field.def.name));
          order.push(entry);
          entries.push(entry);
          synthetic.set(entry, mapEntry(entry, file, map[1] as string, map[2] as string));
          fields.push({ ...field, typeName: entry.slice(full.length + 1) });
        } else fields.push(field);
      }
    }
    for (const nested of spec.nested) declare(file, full, nested);
  };
  for (const file of files) for (const t of file.types) declare(file.file, file.package, t);

  const exists = (name: string): boolean => pending.has(name) || synthetic.has(name);
  const kindOf = (name: string): 'message' | 'enum' =>
    pending.get(name)?.spec.kind === 'enum' ? 'enum' : 'message';
  const resolveIn = (scope: string, typeName: string): FieldType => {
    if (isScalarKind(typeName)) return { kind: 'scalar', scalar: typeName };
    const full = resolveTypeName(typeName, scope, exists);
    if (full === undefined) {
      problems.push(`${scope}: unknown type '${typeName}'`);
      return { kind: 'message', typeName };
    }
    return { kind: kindOf(full), typeName: full };
  };

  const enums = new Map<string, EnumType>();
  for (const full of order) {
    const p = pending.get(full);
    if (p?.spec.kind === 'enum') enums.set(full, buildEnum(full, p.file, p.spec, problems));
  }
  const types: NamedType[] = [];
  for (const full of order) {
    const made = synthetic.get(full);
    if (made) {
      const valueType = made.fields[1] as FieldDef;
      if (valueType.type.kind !== 'scalar') {
        const resolved = resolveIn(full, valueType.type.typeName);
        types.push({
          ...made,
          fields: [made.fields[0] as FieldDef, { ...valueType, type: resolved }],
        });
      } else types.push(made);
      continue;
    }
    const p = pending.get(full) as Pending;
    if (p.spec.kind === 'enum') {
      types.push(enums.get(full) as EnumType);
      continue;
    }
    const spec = p.spec;
    const fields = p.fields.map((f): FieldDef => {
      const type = resolveIn(full, f.typeName);
      if (f.defaultText === undefined) return { ...f.def, type };
      const value = parseDefault(f.defaultText, type);
      const problem =
        value === undefined
          ? `cannot read '${f.defaultText}'`
          : defaultProblem(
              value,
              type,
              type.kind === 'enum' ? enums.get(type.typeName) : undefined,
            );
      if (problem) problems.push(`${full}.${f.def.name}: default ${problem}`);
      return value === undefined ? { ...f.def, type } : { ...f.def, type, default: value };
    });
    types.push(messageType(full, p.file, spec, fields, p.entries));
  }
  return { types, problems };
}

function parseFieldLine(
  scope: string,
  line: string,
  oneofName: string | undefined,
  problems: string[],
): PendingField | undefined {
  const m = FIELD_LINE.exec(line);
  if (!m) {
    problems.push(`${scope}: cannot read field '${line}'`);
    return undefined;
  }
  const [, num, label, typeName, name, defaultText, deprecated, doc] = m as unknown as string[];
  const def: PendingField['def'] = {
    name: name as string,
    number: Number(num),
    label: (label ?? 'optional') as FieldDef['label'],
    ...(oneofName !== undefined ? { oneof: oneofName } : {}),
    ...(deprecated ? { deprecated: true } : {}),
    doc: doc as string,
  };
  const typed = { def, typeName: typeName as string };
  return defaultText === undefined ? typed : { ...typed, defaultText };
}

function parseDefault(text: string, type: FieldType): DefaultValue | undefined {
  if (type.kind === 'enum') return /^\w+$/.test(text) ? text : undefined;
  if (type.kind !== 'scalar') return undefined;
  const kind = type.scalar;
  if (kind === 'bool') return text === 'true' ? true : text === 'false' ? false : undefined;
  if (kind === 'string' || kind === 'bytes') {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  if (isFloatKind(kind)) {
    if (text === 'inf') return Infinity;
    if (text === '-inf') return -Infinity;
    if (text === 'nan') return NaN;
    const n = Number(text);
    return Number.isNaN(n) ? undefined : n;
  }
  if (isIntegerKind(kind) && /^-?\d+$/.test(text)) return compactInteger(BigInt(text));
  return undefined;
}

function buildEnum(full: string, file: string, spec: EnumSpec, problems: string[]): EnumType {
  const values: EnumValueDef[] = [];
  for (const line of spec.values) {
    const m = VALUE_LINE.exec(line);
    if (!m) {
      problems.push(`${full}: cannot read enum value '${line}'`);
      continue;
    }
    values.push({
      name: m[1] as string,
      number: Number(m[2]),
      ...(m[3] ? { deprecated: true } : {}),
      doc: m[4] as string,
    });
  }
  return { kind: 'enum', fullName: full, values, doc: spec.doc, file };
}

function messageType(
  full: string,
  file: string,
  spec: MessageSpec,
  fields: FieldDef[],
  mapEntries: readonly string[],
): MessageType {
  const oneofs = spec.members
    .filter((m): m is OneofSpec => typeof m !== 'string')
    .map((o) => ({
      name: o.oneof,
      fields: fields.filter((f) => f.oneof === o.oneof).map((f) => f.name),
    }));
  const nested = [...mapEntries, ...spec.nested.map((n) => joinName(full, n.name))];
  return {
    kind: 'message',
    fullName: full,
    fields,
    oneofs,
    nested,
    doc: spec.doc,
    file,
    ...(spec.deprecated ? { deprecated: true } : {}),
    ...(spec.extensions.length > 0 ? { extensionRanges: spec.extensions } : {}),
  };
}

function mapEntry(full: string, file: string, keyType: string, valueType: string): MessageType {
  const scalar = (name: string): FieldType =>
    isScalarKind(name) ? { kind: 'scalar', scalar: name } : { kind: 'message', typeName: name };
  return {
    kind: 'message',
    fullName: full,
    fields: [
      { name: 'key', number: 1, label: 'optional', type: scalar(keyType), doc: 'Map key.' },
      { name: 'value', number: 2, label: 'optional', type: scalar(valueType), doc: 'Map value.' },
    ],
    oneofs: [],
    nested: [],
    mapEntry: true,
    file,
  };
}
