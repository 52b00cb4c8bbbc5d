// Character classes of the text format. Written against char codes (not regexes) because the lexer
// runs on every keystroke and over 100,000-item label maps.

export function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

export function isOctalDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

export function isIdentifierPart(c: number): boolean {
  return isLetter(c) || isDigit(c);
}

/** Whitespace both parsers skip: the spec's WHITESPACE (space, \t, \n, \v, \f, \r). */
export function isAsciiWhitespace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

export function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

/**
 * Whitespace that Python's tokenizer skips (its `\s` on str, i.e. `str.isspace()`) but protoc
 * rejects ("Interpreting non ascii codepoint"). A non-breaking space pasted from a web page is the
 * usual case. JavaScript's `\s` differs (it has U+FEFF, lacks U+001C..U+001F and U+0085), hence
 * the explicit list.
 */
export function isPythonOnlyWhitespace(c: number): boolean {
  return (
    (c >= 0x1c && c <= 0x1f) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Quotes that word processors substitute for ' and ". */
export function isTypographicQuote(c: number): boolean {
  return (
    c === 0x2018 || c === 0x2019 || c === 0x201a || c === 0x201c || c === 0x201d || c === 0x201e
  );
}
