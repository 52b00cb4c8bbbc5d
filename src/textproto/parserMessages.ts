// Wording for syntax errors, kept apart from the grammar so the messages can say what the user
// probably meant (a pasted curly quote, a `//` comment, JSON) without cluttering the parser.

import { isTypographicQuote } from './characters';
import type { TextFormatCode } from './diagnostics';
import type { Token } from './lexer';

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the file';
    case 'string':
      return `the string ${clip(token.text)}`;
    case 'invalid':
      return describeInvalid(token.text);
    default:
      return `\`${clip(token.text)}\``;
  }
}

function describeInvalid(text: string): string {
  const code = text.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `the control character U+${hex(code)}`;
  if (code > 0x7e) return `\`${text}\` (U+${hex(code)})`;
  return `\`${text}\``;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

export interface Explained {
  code: TextFormatCode;
  message: string;
}

/**
 * Explains a token that cannot appear where it stands: a field name (or `}`) was expected.
 * `after` is the field that ended just before on the same line, if any.
 */
export function explainUnexpected(
  token: Token,
  next: Token,
  atDocumentStart: boolean,
  after: string | undefined,
): Explained {
  const code = token.text.codePointAt(0) ?? 0;
  if (token.kind === 'invalid') {
    if (code === 0xfeff)
      return {
        code: 'byte-order-mark',
        message:
          'The file starts with a byte order mark (U+FEFF), which the Object Detection API rejects: save the file as UTF-8 without BOM.',
      };
    if (isTypographicQuote(code))
      return {
        code: 'typographic-quote',
        message: `${describeToken(token)} is a typographic quote (pasted from a web page or word processor?): use a straight " or '.`,
      };
    return {
      code: 'invalid-character',
      message: `${describeToken(token)} cannot appear here${after ? ` after \`${after}\`` : ''}.`,
    };
  }
  if (token.text === '/' && (next.text === '/' || next.text.startsWith('*')) && !next.newlineBefore)
    return {
      code: 'c-style-comment',
      message: 'Text format comments start with `#`; `//` and `/* */` are not comments here.',
    };
  if (atDocumentStart && (token.text === '{' || token.text === '['))
    return {
      code: 'unexpected-token',
      message:
        'This looks like JSON. Text format writes `name { ... }` and `name: value`, without an outer `{` and without quotes around names.',
    };
  if (token.text === ',' || token.text === ';')
    return {
      code: 'extra-separator',
      message: `Unexpected \`${token.text}\`: at most one \`,\` or \`;\` may follow a field, and none may start a message.`,
    };
  const expected = 'expected a field name';
  if (after !== undefined)
    return {
      code: 'unexpected-token',
      message: `Unexpected ${describeToken(token)} after \`${after}\` on the same line: ${expected} on a new line (is a quote or a \`#\` missing?).`,
    };
  return {
    code: 'unexpected-token',
    message: `Unexpected ${describeToken(token)}: ${expected}${token.kind === 'string' || token.kind === 'number' ? ' (a value needs `name:` before it)' : ''}.`,
  };
}
