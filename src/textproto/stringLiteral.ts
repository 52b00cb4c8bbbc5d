// The escapes inside one quoted string, read the two ways that matter:
//  - Python protobuf 4.21 (`text_encoding.CUnescape`): the body goes through Python's
//    `unicode_escape` codec and back through `raw_unicode_escape`. Unknown escapes such as `\d`
//    keep their backslash, `\u00e9` becomes the single byte 0xE9, and `\u4e2d` (any code point
//    above 0xFF) comes out as the six characters `\u4e2d`, not as UTF-8.
//  - protoc (the spec): C escapes plus `\?`, octal and hex bytes, `\u`/`\U` as UTF-8; anything
//    else is an error.
// Both byte sequences are kept so callers can see when the API reads something other than what
// protoc (and the user) would.

import { isHexDigit, isOctalDigit } from './characters';
import {
  bothReject,
  diagnostic,
  protocOnlyRejects,
  type TextFormatDiagnostic,
} from './diagnostics';

export interface StringLiteralReading {
  /** Bytes Python's CUnescape produces (before the UTF-8 check a `string` field makes). */
  python: number[];
  /** Bytes protoc produces; meaningless where `problems` has a protoc rejection. */
  protoc: number[];
  problems: TextFormatDiagnostic[];
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
};

function pushUtf8(out: number[], codePoint: number): void {
  if (codePoint < 0x80) out.push(codePoint);
  else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63));
  else if (codePoint < 0x10000)
    out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  else
    out.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 63),
      0x80 | ((codePoint >> 6) & 63),
      0x80 | (codePoint & 63),
    );
}

function pushAscii(out: number[], text: string): void {
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** What `raw_unicode_escape` makes of one decoded character. */
function pushPythonChar(out: number[], codePoint: number): void {
  if (codePoint < 0x100) out.push(codePoint);
  else if (codePoint < 0x10000) pushAscii(out, '\\u' + codePoint.toString(16).padStart(4, '0'));
  else pushAscii(out, '\\U' + codePoint.toString(16).padStart(8, '0'));
}

function countWhile(text: string, start: number, max: number, test: (c: number) => boolean) {
  let n = 0;
  while (n < max && start + n < text.length && test(text.charCodeAt(start + n))) n++;
  return n;
}

function sameBytes(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Reads the body of a string literal: `text.slice(start, end)` without its quotes. Offsets in
 * the problems are absolute offsets into `text`.
 */
export function readStringBody(text: string, start: number, end: number): StringLiteralReading {
  const python: number[] = [];
  const protoc: number[] = [];
  const problems: TextFormatDiagnostic[] = [];
  let protocFailed = false;
  // The first escape that both parsers accept but read differently.
  let differs: { offset: number; length: number; why: string } | undefined;
  const noteDiffers = (offset: number, length: number, why: string) => {
    differs ??= { offset, length, why };
  };
  let i = start;
  while (i < end) {
    const code = text.codePointAt(i) ?? 0;
    if (code !== 0x5c) {
      // A plain character: both parsers take its UTF-8 bytes as they are.
      pushUtf8(python, code);
      pushUtf8(protoc, code);
      i += code > 0xffff ? 2 : 1;
      continue;
    }
    const escStart = i;
    if (i + 1 >= end) {
      // Only reachable for an unterminated literal; the lexer reports that.
      python.push(0x5c);
      break;
    }
    const letter = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      python.push(simple);
      protoc.push(simple);
      i += 2;
      continue;
    }
    if (isOctalDigit(letter.charCodeAt(0))) {
      const n = countWhile(text, i + 1, 3, isOctalDigit);
      const value = parseInt(text.slice(i + 1, i + 1 + n), 8);
      if (value > 0xff)
        noteDiffers(
          escStart,
          1 + n,
          'octal escapes stop at `\\377`: the API reads this one as literal text',
        );
      pushPythonChar(python, value);
      protoc.push(value & 0xff);
      i += 1 + n;
      continue;
    }
    if (letter === 'x' || letter === 'X') {
      const n = countWhile(text, i + 2, 2, isHexDigit);
      if (letter === 'X') {
        // Python's codec knows only lowercase \x; protoc takes both.
        pushAscii(python, '\\X');
        i += 2;
        if (n > 0)
          noteDiffers(
            escStart,
            2 + n,
            'the API keeps it as written (Python knows only lowercase `\\x`); write `\\x`',
          );
        if (n === 0) {
          protocFailed = true;
          problems.push(
            protocOnlyRejects(
              'unknown-escape',
              '`\\X` without hex digits is not an escape: the Object Detection API keeps the backslash, protoc rejects it.',
              escStart,
              2,
            ),
          );
        } else protoc.push(parseInt(text.slice(escStart + 2, escStart + 2 + n), 16));
        continue;
      }
      if (n === 0) {
        problems.push(
          bothReject(
            'invalid-escape',
            '`\\x` must be followed by one or two hex digits; write `\\\\x` for a literal backslash.',
            escStart,
            2,
          ),
        );
        i += 2;
        protocFailed = true;
        continue;
      }
      const value = parseInt(text.slice(i + 2, i + 2 + n), 16);
      python.push(value);
      protoc.push(value);
      i += 2 + n;
      continue;
    }
    if (letter === 'u' || letter === 'U') {
      const want = letter === 'u' ? 4 : 8;
      const n = countWhile(text, i + 2, want, isHexDigit);
      const value = n === want ? parseInt(text.slice(i + 2, i + 2 + n), 16) : -1;
      if (n < want || value > 0x10ffff) {
        problems.push(
          bothReject(
            'invalid-escape',
            n < want
              ? `\`\\${letter}\` must be followed by exactly ${want} hex digits.`
              : `\`${text.slice(i, i + 2 + n)}\` is beyond the last Unicode code point (U+10FFFF).`,
            escStart,
            2 + n,
          ),
        );
        i += 2 + n;
        protocFailed = true;
        continue;
      }
      if (value >= 0x80)
        noteDiffers(
          escStart,
          2 + want,
          value > 0xff
            ? `the API reads it as the literal text \`${text.slice(i, i + 2 + want)}\`, not as \`${String.fromCodePoint(value)}\`; write the character itself`
            : `the API reads it as the single byte 0x${value.toString(16).toUpperCase()}, not as UTF-8 \`${String.fromCodePoint(value)}\`; write the character itself`,
        );
      pushPythonChar(python, value);
      pushUtf8(protoc, value);
      i += 2 + want;
      continue;
    }
    if (letter === 'N') {
      const close = text.indexOf('}', i + 2);
      if (text[i + 2] === '{' && close > i + 3 && close < end) {
        // Python resolves the character name (we cannot check names here); protoc rejects `\N`.
        pushAscii(python, text.slice(i, close + 1));
        problems.push(
          protocOnlyRejects(
            'named-unicode-escape',
            `\`${text.slice(i, close + 1)}\` is a Python-only escape: protoc rejects it. Write the character itself.`,
            escStart,
            close + 1 - i,
          ),
        );
        protocFailed = true;
        i = close + 1;
        continue;
      }
      problems.push(
        bothReject(
          'invalid-escape',
          '`\\N` must be followed by a character name in braces, e.g. `\\N{BULLET}`; write `\\\\N` for a literal backslash.',
          escStart,
          2,
        ),
      );
      protocFailed = true;
      i += 2;
      continue;
    }
    if (letter === '?') {
      // Valid for protoc (a question mark); Python does not know it and keeps the backslash.
      pushAscii(python, '\\?');
      protoc.push(0x3f);
      noteDiffers(escStart, 2, 'the API keeps the backslash (protoc reads `?`); write `?`');
      i += 2;
      continue;
    }
    // Unknown escape: Python keeps backslash and character, protoc rejects the file.
    const next = text.codePointAt(i + 1) ?? 0;
    const width = next > 0xffff ? 2 : 1;
    python.push(0x5c);
    pushUtf8(python, next);
    protocFailed = true;
    problems.push(
      protocOnlyRejects(
        'unknown-escape',
        `\`\\${text.slice(i + 1, i + 1 + width)}\` is not an escape sequence: the Object Detection API keeps the backslash, protoc rejects it. For a Windows path use forward slashes or \`\\\\\`.`,
        escStart,
        1 + width,
      ),
    );
    i += 1 + width;
  }
  if (!protocFailed && differs !== undefined && !sameBytes(python, protoc)) {
    const escape = text.slice(differs.offset, differs.offset + differs.length);
    problems.push(
      diagnostic(
        'escape-value-differs',
        `\`${escape}\`: ${differs.why}. The Object Detection API (Python protobuf) and protoc read this string differently.`,
        differs.offset,
        differs.length,
        'accepts',
        'accepts',
      ),
    );
  }
  return { python, protoc, problems };
}

/** Strict UTF-8 decoding; undefined when the bytes are not valid UTF-8. */
export function utf8ToString(bytes: number[]): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** Lenient decoding for display: invalid sequences become U+FFFD. */
export function utf8ToDisplayString(bytes: number[]): string {
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/**
 * A literal that both parsers read back as exactly `value`: only the backslash, the quote and
 * control characters are escaped; everything else (non-ASCII included) is written as itself.
 */
export function quoteString(value: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i] as string;
    if (ch === quote) out += '\\' + quote;
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\' + c.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + quote;
}
