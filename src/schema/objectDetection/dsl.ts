// The compact notation the built-in schema is written in. One field per string:
//
//   '<number> [repeated |required ]<type> <name>[ = <default>][ deprecated] | <one-line doc>'
//
// <type> is a scalar kind, a message or enum name (resolved with protobuf scoping from the
// enclosing message), or `map<K, V>`. <default> is a number (also inf, -inf, nan), true/false, a
// JSON string, or an enum value name. Enum values are written '<NAME> = <number> | <doc>'.

export interface OneofSpec {
  readonly oneof: string;
  readonly fields: readonly string[];
}

export interface MessageSpec {
  readonly kind: 'message';
  readonly name: string;
  readonly doc: string;
  readonly members: readonly (string | OneofSpec)[];
  readonly nested: readonly TypeSpec[];
  readonly extensions: readonly (readonly [number, number])[];
  readonly deprecated: boolean;
}

export interface EnumSpec {
  readonly kind: 'enum';
  readonly name: string;
  readonly doc: string;
  readonly values: readonly string[];
}

export type TypeSpec = MessageSpec | EnumSpec;

export interface ProtoFileSpec {
  /** The upstream file the types come from, as an import path. */
  readonly file: string;
  readonly package: string;
  readonly types: readonly TypeSpec[];
}

export interface MessageOptions {
  readonly nested?: readonly TypeSpec[];
  /** Inclusive field-number ranges open to extensions. */
  readonly extensions?: readonly (readonly [number, number])[];
  readonly deprecated?: boolean;
}

export function message(
  name: string,
  doc: string,
  members: readonly (string | OneofSpec)[],
  options: MessageOptions = {},
): MessageSpec {
  return {
    kind: 'message',
    name,
    doc,
    members,
    nested: options.nested ?? [],
    extensions: options.extensions ?? [],
    deprecated: options.deprecated ?? false,
  };
}

export function oneof(name: string, fields: readonly string[]): OneofSpec {
  return { oneof: name, fields };
}

export function enumType(name: string, doc: string, values: readonly string[]): EnumSpec {
  return { kind: 'enum', name, doc, values };
}

export const OD_PACKAGE = 'object_detection.protos';

/** Types of one upstream file `object_detection/protos/<name>.proto`. */
export function protoFile(name: string, types: readonly TypeSpec[]): ProtoFileSpec {
  return { file: `object_detection/protos/${name}.proto`, package: OD_PACKAGE, types };
}

/** The highest field number (`max` in an extension range). */
export const MAX = 536_870_911;
