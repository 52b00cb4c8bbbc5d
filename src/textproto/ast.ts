// The syntax tree. Every node keeps its offset, length and parent; comments hang on the nodes the
// printer writes them with. Offsets are UTF-16 code-unit offsets into the parsed text (what LSP
// positions count); `LineIndex` turns them into lines and columns at the edge.

import type { TextFormatDiagnostic } from './diagnostics';

export interface Range {
  offset: number;
  length: number;
}

export interface Comment extends Range {
  /** The comment's text from `#` to the end of the line, trailing spaces removed. */
  text: string;
  /** An empty line separates it from what came before. */
  blankLineBefore: boolean;
  /** Nothing but whitespace precedes it on its line. */
  ownLine: boolean;
}

/** Comment slots of a node that sits in a container (a field, or a list element). */
export interface CommentSlots {
  /** Whole-line comments just above the node. */
  leadingComments: readonly Comment[];
  /** Comments inside the node's own tokens (e.g. between name and `:`), printed above it. */
  innerComments: readonly Comment[];
  /** A comment after the node on its last line. */
  trailingComment: Comment | undefined;
  /** An empty line separates the node's first token from what came before it (its leading
   *  comments, if any, carry their own flags). */
  blankLineBefore: boolean;
}

export type Node = DocumentNode | FieldNode | MessageNode | ListNode | ScalarNode;
export type ValueNode = MessageNode | ListNode | ScalarNode;
export type ListElement = MessageNode | ScalarNode;
export type Container = DocumentNode | MessageNode;

export interface DocumentNode extends Range {
  kind: 'document';
  parent: undefined;
  fields: FieldNode[];
  /** Comments after the last field. */
  danglingComments: readonly Comment[];
  /** Every comment in source order (the same objects as in the slots above). */
  comments: Comment[];
  /** Lexical and syntactic problems in source order. */
  diagnostics: TextFormatDiagnostic[];
  text: string;
}

export type FieldNameForm = 'identifier' | 'extension' | 'any' | 'number';

export interface FieldName extends Range {
  /** `num_classes`; for `[a.b.c]` the bracketed name `a.b.c`; for `[x.com/a.B]` `x.com/a.B`. */
  text: string;
  form: FieldNameForm;
}

export interface FieldNode extends Range, CommentSlots {
  kind: 'field';
  parent: Container;
  name: FieldName;
  colon: Range | undefined;
  /** Undefined when the value is missing (an error was reported). */
  value: ValueNode | undefined;
  /** A `,` or `;` after the field. */
  separator: Range | undefined;
}

export interface MessageNode extends Range, Partial<CommentSlots> {
  kind: 'message';
  parent: FieldNode | ListNode;
  /** `{` or `<`. */
  open: Range & { char: '{' | '<' };
  /** Undefined when the message is never closed (an error was reported). */
  close: Range | undefined;
  fields: FieldNode[];
  /** A comment on the line of the opening brace, before the first field. */
  openComment: Comment | undefined;
  /** Comments after the last field, before the closing brace. */
  danglingComments: readonly Comment[];
}

export interface ListNode extends Range {
  kind: 'list';
  parent: FieldNode;
  open: Range;
  close: Range | undefined;
  elements: ListElement[];
  openComment: Comment | undefined;
  danglingComments: readonly Comment[];
}

export type ScalarKind = 'string' | 'number' | 'identifier';

export interface StringPart extends Range {
  /** The literal as written, quotes included. */
  raw: string;
  quote: '"' | "'";
}

export interface ScalarNode extends Range, Partial<CommentSlots> {
  kind: 'scalar';
  parent: FieldNode | ListNode;
  valueKind: ScalarKind;
  /** A `-` (or Python-only `+`) before a number or identifier. */
  sign: (Range & { char: '-' | '+'; glued: boolean }) | undefined;
  /** The value as written without its sign: the number, the identifier, or for strings every
   *  part with the whitespace and comments between them. */
  raw: string;
  /** Strings: each adjacent literal. */
  parts: readonly StringPart[];
  /**
   * The value as the Object Detection API (Python protobuf) reads it, when that does not depend on
   * the field's type: strings decoded and concatenated (invalid UTF-8 shown as U+FFFD); numbers
   * as a JS number (sign applied); identifiers as written (sign applied, e.g. `-inf`). Use
   * `interpretScalar` for a field of a known type.
   */
  value: string | number;
}
