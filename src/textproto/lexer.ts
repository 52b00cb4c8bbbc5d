// The text-format lexer: turns text into tokens with offsets, never throws. Comments are tokens
// (the parser keeps them for the printer); whitespace is not, but every token records whether a
// line break or a blank line precedes it. Lexical problems (bad escapes, unterminated strings,
// number spellings) are collected in `problems` with both parsers' verdicts.

import * as characters from './characters';
import {
  bothReject,
  diagnostic,
  protocOnlyRejects,
  type TextFormatDiagnostic,
} from './diagnostics';
import { pythonParseFloat, pythonParseInteger, specNumberForm } from './numberLiteral';
import { readStringBody } from './stringLiteral';

// Read once: the lexer calls these per character, and a CommonJS build (tsx, the tests) would
// otherwise look each one up through the module's export getter on every call.
const { isAsciiWhitespace, isDigit, isIdentifierPart, isLetter, isPythonOnlyWhitespace } =
  characters;

export type TokenKind =
  'identifier' | 'number' | 'string' | 'comment' | 'punct' | 'invalid' | 'eof';

/** The punctuation the grammar uses; `+` is not in the spec but Python accepts `+5`. */
export type Punct = '{' | '}' | '<' | '>' | '[' | ']' | ':' | ',' | ';' | '-' | '+' | '/' | '.';

export interface Token {
  kind: TokenKind;
  offset: number;
  length: number;
  /** The token's source text (for a comment: from `#` to the end of the line, without it). */
  text: string;
  /** A line break separates this token from the previous token or comment. */
  newlineBefore: boolean;
  /** At least one empty line separates it. */
  blankLineBefore: boolean;
  /** The lexer already reported a problem inside this token (the parser need not add one). */
  hasProblem: boolean;
  /** Strings only: the closing quote is missing. */
  unterminated?: boolean;
}

const PUNCT = new Set<string>(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-', '+', '/', '.']);

export class Lexer {
  readonly problems: TextFormatDiagnostic[] = [];
  private pos = 0;

  constructor(readonly text: string) {}

  /** The next token (comments included); an `eof` token at the end, repeatedly. */
  next(): Token {
    const newlines = this.skipWhitespace();
    const start = this.pos;
    const text = this.text;
    if (start >= text.length) return this.make('eof', start, start, newlines, false);
    const c = text.charCodeAt(start);
    if (c === 0x23) return this.make('comment', start, this.lineEnd(start), newlines, false);
    if (isLetter(c)) {
      let end = start + 1;
      while (end < text.length && isIdentifierPart(text.charCodeAt(end))) end++;
      return this.make('identifier', start, end, newlines, false);
    }
    if (isDigit(c) || (c === 0x2e && isDigit(text.charCodeAt(start + 1)))) {
      const end = this.numberEnd(start);
      return this.make('number', start, end, newlines, this.checkNumber(start, end));
    }
    if (c === 0x22 || c === 0x27) return this.string(start, c, newlines);
    const ch = text[start] ?? '';
    if (PUNCT.has(ch)) return this.make('punct', start, start + 1, newlines, false);
    const width = c >= 0xd800 && c <= 0xdbff && start + 1 < text.length ? 2 : 1;
    return this.make('invalid', start, start + width, newlines, false);
  }

  private make(
    kind: TokenKind,
    start: number,
    end: number,
    newlines: number,
    hasProblem: boolean,
  ): Token {
    this.pos = end;
    return {
      kind,
      offset: start,
      length: end - start,
      text: this.text.slice(start, end),
      newlineBefore: newlines > 0,
      blankLineBefore: newlines > 1,
      hasProblem,
    };
  }

  /** Skips whitespace; returns how many line breaks it crossed. */
  private skipWhitespace(): number {
    const text = this.text;
    let newlines = 0;
    let pos = this.pos;
    let oddStart = -1;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (pos < text.length && isAsciiWhitespace(c)) {
        if (c === 0x0a) newlines++;
        else if (c === 0x0d && text.charCodeAt(pos + 1) !== 0x0a) newlines++;
        pos++;
        continue;
      }
      if (pos < text.length && isPythonOnlyWhitespace(c)) {
        if (oddStart < 0) oddStart = pos;
        if (c === 0x2028 || c === 0x2029 || c === 0x85) newlines++;
        pos++;
        continue;
      }
      if (oddStart >= 0) {
        // Report a run of odd spaces once, up to where the ordinary whitespace resumes.
        let oddEnd = oddStart;
        while (oddEnd < pos && isPythonOnlyWhitespace(text.charCodeAt(oddEnd))) oddEnd++;
        this.reportOddWhitespace(oddStart, oddEnd);
        oddStart = -1;
      }
      break;
    }
    this.pos = pos;
    return newlines;
  }

  private reportOddWhitespace(start: number, end: number): void {
    const code = this.text.charCodeAt(start);
    const name = code === 0xa0 ? 'a non-breaking space (U+00A0)' : `U+${hex4(code)}`;
    this.problems.push(
      protocOnlyRejects(
        'non-ascii-whitespace',
        `${name} is used as whitespace: the Object Detection API accepts it, protoc rejects it. Replace it with an ordinary space.`,
        start,
        end - start,
      ),
    );
  }

  private lineEnd(start: number): number {
    const text = this.text;
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 0x0a || c === 0x0d) break;
      end++;
    }
    return end;
  }

  /**
   * A number runs over letters, digits, `_` and `.` (and a sign right after a decimal exponent),
   * so `10bar`, `1_000` and `0.5F` are each one token that is then judged as a whole, the way
   * Python's tokenizer sees them.
   */
  private numberEnd(start: number): number {
    const text = this.text;
    const hex =
      text.charCodeAt(start) === 0x30 && (text[start + 1] === 'x' || text[start + 1] === 'X');
    let end = start + 1;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (isIdentifierPart(c) || c === 0x2e) {
        end++;
        continue;
      }
      const prev = text.charCodeAt(end - 1);
      if ((c === 0x2b || c === 0x2d) && !hex && (prev === 0x65 || prev === 0x45)) {
        end++;
        continue;
      }
      break;
    }
    return end;
  }

  private checkNumber(start: number, end: number): boolean {
    if (isPlainDecimal(this.text, start, end)) return false;
    const raw = this.text.slice(start, end);
    const spec = specNumberForm(raw);
    const pythonOk = pythonParseInteger(raw) !== undefined || pythonParseFloat(raw) !== undefined;
    if (!pythonOk) {
      this.problems.push(
        diagnostic(
          'malformed-number',
          malformedNumberMessage(raw, spec !== undefined),
          start,
          end - start,
          'rejects',
          spec === undefined ? 'rejects' : 'accepts',
        ),
      );
      return true;
    }
    if (spec === undefined) {
      this.problems.push(
        protocOnlyRejects(
          'number-form-not-protoc',
          `\`${raw}\` is read by the Object Detection API (Python) but protoc rejects this spelling${raw.includes('_') ? ' (no `_` between digits)' : ''}; write a plain decimal number.`,
          start,
          end - start,
        ),
      );
      return true;
    }
    return false;
  }

  private string(start: number, quote: number, newlines: number): Token {
    const text = this.text;
    let pos = start + 1;
    let closed = false;
    let hasBackslash = false;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === quote) {
        closed = true;
        break;
      }
      if (c === 0x0a || c === 0x0d) break;
      if (c === 0x5c) {
        hasBackslash = true;
        const n = text.charCodeAt(pos + 1);
        if (pos + 1 >= text.length || n === 0x0a || n === 0x0d) {
          pos++;
          break;
        }
        pos += 2;
        continue;
      }
      pos++;
    }
    const end = closed ? pos + 1 : pos;
    let hasProblem = false;
    if (!closed) {
      hasProblem = true;
      const q = String.fromCharCode(quote);
      this.problems.push(
        bothReject(
          'unterminated-string',
          `String is missing its closing ${q}: a string must end on the line it starts (join adjacent strings \`"a" "b"\` to continue it).`,
          start,
          end - start,
        ),
      );
    } else if (hasBackslash) {
      const reading = readStringBody(text, start + 1, pos);
      if (reading.problems.length > 0) {
        hasProblem = reading.problems.some((p) => p.severity === 'error');
        this.problems.push(...reading.problems);
      }
    }
    const token = this.make('string', start, end, newlines, hasProblem);
    if (!closed) token.unterminated = true;
    return token;
  }
}

/** `0` or a decimal without leading zero: valid for both parsers, the common case. */
function isPlainDecimal(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) === 0x30) return end === start + 1;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

function malformedNumberMessage(raw: string, protocAccepts: boolean): string {
  if (protocAccepts && /F$/.test(raw))
    return `\`${raw}\`: the Object Detection API (Python protobuf) rejects an uppercase \`F\` suffix; write \`${raw.slice(0, -1)}\`.`;
  // `10bar`: a name glued to a number (protoc says "need space between number and identifier").
  if (/^[0-9.]+[A-Za-z_]{2,}/.test(raw) && !/^0[xX]/.test(raw))
    return `\`${raw}\` is not a number: put a space between a number and the name after it.`;
  return `\`${raw}\` is not a number the Object Detection API can read.`;
}

/** All tokens of `text` (comments included, the final `eof` included) and the lexical problems. */
export function tokenize(text: string): { tokens: Token[]; problems: TextFormatDiagnostic[] } {
  const lexer = new Lexer(text);
  const tokens: Token[] = [];
  for (;;) {
    const token = lexer.next();
    tokens.push(token);
    if (token.kind === 'eof') break;
  }
  return { tokens, problems: lexer.problems };
}
