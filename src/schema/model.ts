// The internal schema model: what a protobuf message or enum looks like to the validator, hover and
// completion. It is plain data (no behaviour besides lookups) so that the built-in Object Detection
// schema and one read from a user's .proto folder are interchangeable.

import { resolveTypeName } from './names';

export const SCALAR_KINDS = [
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
] as const;

export type ScalarKind = (typeof SCALAR_KINDS)[number];

export function isScalarKind(name: string): name is ScalarKind {
  return (SCALAR_KINDS as readonly string[]).includes(name);
}

export type Label = 'optional' | 'required' | 'repeated';

/** A field's type: a scalar, or a reference (by full name, no leading dot) to a message or enum. */
export type FieldType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarKind }
  | { readonly kind: 'message'; readonly typeName: string }
  | { readonly kind: 'enum'; readonly typeName: string };

/**
 * A declared `[default = ...]`: numbers for numeric kinds (bigint only where a 64-bit value does not
 * fit a double exactly), booleans for bool, the decoded text for string and bytes, and the value's
 * name for an enum.
 */
export type DefaultValue = number | bigint | boolean | string;

export interface FieldDef {
  readonly name: string;
  readonly number: number;
  readonly label: Label;
  readonly type: FieldType;
  readonly default?: DefaultValue;
  /** Name of the oneof this field belongs to. */
  readonly oneof?: string;
  readonly deprecated?: boolean;
  /** One line for hover and completion. */
  readonly doc?: string;
}

export interface OneofDef {
  readonly name: string;
  /** Names of the member fields, in declaration order. */
  readonly fields: readonly string[];
}

export interface MessageType {
  readonly kind: 'message';
  /** Full name without a leading dot, e.g. `object_detection.protos.Ssd`. */
  readonly fullName: string;
  readonly fields: readonly FieldDef[];
  readonly oneofs: readonly OneofDef[];
  /** Full names of the messages and enums declared inside this one. */
  readonly nested: readonly string[];
  readonly deprecated?: boolean;
  readonly doc?: string;
  /** True for the synthetic `XxxEntry` message behind a `map<K, V>` field (fields `key`, `value`). */
  readonly mapEntry?: boolean;
  /** Inclusive field-number ranges open to extensions. */
  readonly extensionRanges?: readonly (readonly [number, number])[];
  /** The .proto file that declared it, relative to the import root, when known. */
  readonly file?: string;
}

export interface EnumValueDef {
  readonly name: string;
  readonly number: number;
  readonly deprecated?: boolean;
  readonly doc?: string;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly fullName: string;
  readonly values: readonly EnumValueDef[];
  readonly deprecated?: boolean;
  readonly doc?: string;
  readonly file?: string;
}

export type NamedType = MessageType | EnumType;

export const PIPELINE_CONFIG = 'object_detection.protos.TrainEvalPipelineConfig';
export const LABEL_MAP = 'object_detection.protos.StringIntLabelMap';

/** The last component of a full name: `a.b.Ssd` -> `Ssd`. */
export function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

/** A set of message and enum types, indexed by full name, with per-message field indexes. */
export class Schema {
  private readonly types = new Map<string, NamedType>();
  private readonly byName = new Map<string, Map<string, FieldDef>>();
  private readonly byNumber = new Map<string, Map<number, FieldDef>>();

  constructor(types: Iterable<NamedType>) {
    for (const type of types) this.types.set(type.fullName, type);
  }

  get size(): number {
    return this.types.size;
  }

  /** Every type, in insertion order. */
  all(): IterableIterator<NamedType> {
    return this.types.values();
  }

  messages(): MessageType[] {
    return [...this.types.values()].filter((t): t is MessageType => t.kind === 'message');
  }

  enums(): EnumType[] {
    return [...this.types.values()].filter((t): t is EnumType => t.kind === 'enum');
  }

  get(fullName: string): NamedType | undefined {
    return this.types.get(stripDot(fullName));
  }

  message(fullName: string): MessageType | undefined {
    const type = this.get(fullName);
    return type?.kind === 'message' ? type : undefined;
  }

  enum(fullName: string): EnumType | undefined {
    const type = this.get(fullName);
    return type?.kind === 'enum' ? type : undefined;
  }

  /** The field of `message` called `name` (text format addresses fields by name). */
  field(message: MessageType | string, name: string): FieldDef | undefined {
    const msg = typeof message === 'string' ? this.message(message) : message;
    if (!msg) return undefined;
    let index = this.byName.get(msg.fullName);
    if (!index) {
      index = new Map(msg.fields.map((f) => [f.name, f]));
      this.byName.set(msg.fullName, index);
    }
    return index.get(name);
  }

  fieldByNumber(message: MessageType | string, num: number): FieldDef | undefined {
    const msg = typeof message === 'string' ? this.message(message) : message;
    if (!msg) return undefined;
    let index = this.byNumber.get(msg.fullName);
    if (!index) {
      index = new Map(msg.fields.map((f) => [f.number, f]));
      this.byNumber.set(msg.fullName, index);
    }
    return index.get(num);
  }

  /** The message a message-typed field holds, or undefined for scalars, enums and dangling refs. */
  messageOf(field: FieldDef): MessageType | undefined {
    return field.type.kind === 'message' ? this.message(field.type.typeName) : undefined;
  }

  enumOf(field: FieldDef): EnumType | undefined {
    return field.type.kind === 'enum' ? this.enum(field.type.typeName) : undefined;
  }

  /** The other members of the oneof `field` belongs to (empty when it belongs to none). */
  oneofSiblings(message: MessageType, field: FieldDef): FieldDef[] {
    if (!field.oneof) return [];
    return message.fields.filter((f) => f.oneof === field.oneof && f.name !== field.name);
  }

  /** Resolves a type reference as written inside `scope` (a package or message full name). */
  resolve(name: string, scope: string): NamedType | undefined {
    const full = resolveTypeName(name, scope, (candidate) => this.types.has(candidate));
    return full === undefined ? undefined : this.types.get(full);
  }

  /** The types reachable from `roots` through message fields (roots included), in visit order. */
  reachableFrom(roots: readonly string[]): NamedType[] {
    const seen = new Set<string>();
    const out: NamedType[] = [];
    const stack = [...roots].reverse();
    while (stack.length > 0) {
      const name = stripDot(stack.pop() as string);
      if (seen.has(name)) continue;
      seen.add(name);
      const type = this.types.get(name);
      if (!type) continue;
      out.push(type);
      if (type.kind !== 'message') continue;
      for (let i = type.fields.length - 1; i >= 0; i--) {
        const t = (type.fields[i] as FieldDef).type;
        if (t.kind !== 'scalar') stack.push(t.typeName);
      }
    }
    return out;
  }
}

function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}
