// Problems the text-format engine finds, each judged by the two parsers that matter: Python
// protobuf's `text_format.Merge` (what the Object Detection API runs, so a rejection there fails the
// training job) and protoc (the strict reference other protobuf tools follow). The severity follows
// from those two verdicts, so no caller has to re-derive it.

/** Stable identifiers for every problem the lexer, parser and scalar rules report. */
export type TextFormatCode =
  // lexical
  | 'unterminated-string'
  | 'invalid-escape'
  | 'unknown-escape'
  | 'named-unicode-escape'
  | 'escape-value-differs'
  | 'non-ascii-whitespace'
  | 'malformed-number'
  | 'number-form-not-protoc'
  | 'invalid-utf8'
  | 'byte-order-mark'
  // syntactic
  | 'unexpected-token'
  | 'invalid-character'
  | 'typographic-quote'
  | 'c-style-comment'
  | 'equals-instead-of-colon'
  | 'missing-colon'
  | 'missing-value'
  | 'expected-message-or-colon'
  | 'field-number-as-name'
  | 'bad-bracketed-name'
  | 'any-requires-message'
  | 'unclosed-message'
  | 'mismatched-close'
  | 'unmatched-close'
  | 'extra-separator'
  | 'unclosed-list'
  | 'list-missing-comma'
  | 'list-trailing-comma'
  | 'list-mixed-elements'
  | 'scalar-list-without-colon'
  | 'sign-separated'
  | 'sign-without-number'
  | 'plus-sign'
  // type-level (scalarTypes.ts, asked for by the schema layer)
  | 'type-mismatch'
  | 'integer-out-of-range'
  | 'bool-spelling'
  | 'float-form'
  | 'string-not-utf8';

export type Verdict = 'accepts' | 'rejects';

export interface RelatedRange {
  offset: number;
  length: number;
  message: string;
}

export interface TextFormatDiagnostic {
  code: TextFormatCode;
  message: string;
  offset: number;
  length: number;
  /** `error` exactly when Python's Merge rejects the input; `warning` when only protoc does, or
   *  when both accept but the API will read something other than what the text seems to say. */
  severity: 'error' | 'warning';
  python: Verdict;
  protoc: Verdict;
  related?: RelatedRange[];
}

export function diagnostic(
  code: TextFormatCode,
  message: string,
  offset: number,
  length: number,
  python: Verdict,
  protoc: Verdict,
  related?: RelatedRange[],
): TextFormatDiagnostic {
  const severity = python === 'rejects' ? 'error' : 'warning';
  const result: TextFormatDiagnostic = { code, message, offset, length, severity, python, protoc };
  if (related !== undefined) result.related = related;
  return result;
}

/** Rejected by both parsers: the common case for broken syntax. */
export function bothReject(
  code: TextFormatCode,
  message: string,
  offset: number,
  length: number,
  related?: RelatedRange[],
): TextFormatDiagnostic {
  return diagnostic(code, message, offset, length, 'rejects', 'rejects', related);
}

/** Accepted by the API, rejected by protoc: the job runs, other protobuf tools will choke. */
export function protocOnlyRejects(
  code: TextFormatCode,
  message: string,
  offset: number,
  length: number,
): TextFormatDiagnostic {
  return diagnostic(code, message, offset, length, 'accepts', 'rejects');
}

/** Rejected by the API, accepted by protoc: the file looks fine to protobuf tools but the
 *  training job fails. */
export function pythonOnlyRejects(
  code: TextFormatCode,
  message: string,
  offset: number,
  length: number,
): TextFormatDiagnostic {
  return diagnostic(code, message, offset, length, 'rejects', 'accepts');
}
