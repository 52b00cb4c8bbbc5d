// Writes a Schema back out as one .proto file, so that protoc can parse configs against exactly the
// types the validator uses (the benchmark runs both on the same files). This is our own output
// from our own model, not the upstream .proto text.

import type { FieldDef, MessageType, NamedType, Schema } from '../../src/schema';

function defaultText(field: FieldDef): string | undefined {
  const value = field.default;
  if (value === undefined) return undefined;
  if (typeof value === 'string' && field.type.kind === 'scalar') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  return String(value);
}

function fieldLine(field: FieldDef, inOneof: boolean): string {
  const type = field.type.kind === 'scalar' ? field.type.scalar : `.${field.type.typeName}`;
  const options: string[] = [];
  const def = defaultText(field);
  if (def !== undefined) options.push(`default = ${def}`);
  if (field.deprecated) options.push('deprecated = true');
  const label = inOneof ? '' : `${field.label} `;
  return `${label}${type} ${field.name} = ${field.number}${options.length ? ` [${options.join(', ')}]` : ''};`;
}

function emitType(schema: Schema, type: NamedType, indent: string, out: string[]): void {
  const name = type.fullName.slice(type.fullName.lastIndexOf('.') + 1);
  if (type.kind === 'enum') {
    out.push(`${indent}enum ${name} {`);
    for (const v of type.values) out.push(`${indent}  ${v.name} = ${v.number};`);
    out.push(`${indent}}`);
    return;
  }
  const message = type as MessageType;
  out.push(`${indent}message ${name} {`);
  const emittedOneofs = new Set<string>();
  for (const field of message.fields) {
    if (field.oneof) {
      if (emittedOneofs.has(field.oneof)) continue;
      emittedOneofs.add(field.oneof);
      out.push(`${indent}  oneof ${field.oneof} {`);
      for (const member of message.fields.filter((f) => f.oneof === field.oneof))
        out.push(`${indent}    ${fieldLine(member, true)}`);
      out.push(`${indent}  }`);
    } else out.push(`${indent}  ${fieldLine(field, false)}`);
  }
  for (const [from, to] of message.extensionRanges ?? [])
    out.push(`${indent}  extensions ${from} to ${to >= 536870911 ? 'max' : to};`);
  for (const nested of message.nested) {
    const t = schema.get(nested);
    if (t) emitType(schema, t, indent + '  ', out);
  }
  out.push(`${indent}}`);
}

/** One proto2 file with every type of `schema` in package `pkg`. */
export function emitProto(schema: Schema, pkg: string): string {
  const out = ['syntax = "proto2";', `package ${pkg};`, ''];
  for (const type of schema.all()) {
    const scope = type.fullName.slice(0, type.fullName.lastIndexOf('.'));
    if (scope === pkg) emitType(schema, type, '', out);
  }
  return out.join('\n') + '\n';
}
