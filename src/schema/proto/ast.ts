// What the .proto parser produces for one file, before type names are resolved across files.

import type { Label } from '../model';

/** A problem in a .proto file; line and column are 1-based. */
export interface ProtoError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A constant as written in `[default = ...]`. */
export interface RawConstant extends Position {
  readonly kind: 'ident' | 'int' | 'float' | 'string';
  /** Source text without the sign (for strings: the decoded value). */
  readonly text: string;
  readonly negative: boolean;
}

export interface RawField extends Position {
  readonly name: string;
  readonly number: number;
  readonly label: Label;
  /** The type as written: a scalar keyword or a (possibly dotted) type name. */
  readonly typeName: string;
  readonly default?: RawConstant;
  readonly deprecated: boolean;
  readonly oneof?: string;
  readonly doc?: string;
}

export interface RawEnumValue extends Position {
  readonly name: string;
  readonly number: number;
  readonly deprecated: boolean;
  readonly doc?: string;
}

export interface RawEnum extends Position {
  readonly name: string;
  readonly values: RawEnumValue[];
  deprecated: boolean;
  allowAlias: boolean;
  readonly doc?: string;
}

export interface RawMessage extends Position {
  readonly name: string;
  readonly fields: RawField[];
  readonly oneofs: { name: string; fields: string[] }[];
  readonly messages: RawMessage[];
  readonly enums: RawEnum[];
  readonly extensionRanges: [number, number][];
  readonly reservedRanges: [number, number][];
  readonly reservedNames: string[];
  deprecated: boolean;
  mapEntry: boolean;
  readonly doc?: string;
}

export interface RawImport extends Position {
  readonly path: string;
  readonly public: boolean;
}

export interface RawFile {
  /** Path relative to the import root, with forward slashes (as an import statement names it). */
  readonly path: string;
  readonly syntax: 'proto2' | 'proto3';
  readonly package: string;
  readonly imports: RawImport[];
  readonly messages: RawMessage[];
  readonly enums: RawEnum[];
  readonly errors: ProtoError[];
}

/** The highest field number protobuf allows (`max` in ranges). */
export const MAX_FIELD_NUMBER = 536_870_911;
