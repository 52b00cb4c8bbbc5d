// The text-format engine's public API: parse, print, format, edit, and read values as the Object
// Detection API (Python protobuf) and protoc would. No 'vscode' here: the language server, the
// CLI and the training container share it.

export type {
  Comment,
  CommentSlots,
  Container,
  DocumentNode,
  FieldName,
  FieldNameForm,
  FieldNode,
  ListElement,
  ListNode,
  MessageNode,
  Node,
  Range,
  ScalarKind,
  ScalarNode,
  StringPart,
  ValueNode,
} from './ast';
export type { RelatedRange, TextFormatCode, TextFormatDiagnostic, Verdict } from './diagnostics';
export {
  applyEdits,
  replaceScalarEdits,
  replaceStringValueEdits,
  rewriteStringValues,
  scalarsAt,
  splitPath,
  type RewriteResult,
  type TextEdit,
} from './edits';
export { formatText, type FormatResult } from './format';
export { Lexer, tokenize, type Punct, type Token, type TokenKind } from './lexer';
export { LineIndex, type Position } from './lineIndex';
export {
  pythonParseFloat,
  pythonParseInteger,
  specNumberForm,
  type SpecNumberForm,
} from './numberLiteral';
export { parse } from './parser';
export { print, scalarText, type PrintOptions } from './printer';
export {
  interpretScalar,
  protocStringBytes,
  type ScalarFieldType,
  type ScalarTypeReading,
  type ScalarTypedValue,
} from './scalarTypes';
export { quoteString, readStringBody, type StringLiteralReading } from './stringLiteral';
export { decodeUtf8 } from './utf8';
export { childrenOf, enclosingField, fieldPath, findFields, forEachNode, nodeAt } from './walk';
