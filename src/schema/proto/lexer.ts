// Tokens of the .proto language (proto2/proto3 definitions, not the text format). The lexer never
// fails: a character it cannot place becomes a 'bad' token for the parser to report.

export type ProtoTokenKind = 'ident' | 'int' | 'float' | 'string' | 'symbol' | 'bad' | 'eof';

export interface ProtoToken {
  readonly kind: ProtoTokenKind;
  /** Source text; for strings the decoded value is in `value`. */
  readonly text: string;
  readonly value?: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  /** The comment block directly above the token (no blank line between), without markers. */
  readonly leadingComment?: string;
  /** A problem found while reading the token (e.g. an unterminated string). */
  readonly problem?: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const NUMBER = /^(?:0[xX][0-9A-Fa-f]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

export function tokenizeProto(source: string): ProtoToken[] {
  const tokens: ProtoToken[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let comment: string[] = [];
  let commentEndLine = -1;
  let lastTokenLine = -1;

  const advanceTo = (end: number): void => {
    for (let i = pos; i < end; i++) {
      if (source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = end;
  };

  while (pos < source.length) {
    const ch = source[pos] as string;
    if (ch === '\n' || ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      advanceTo(pos + 1);
      continue;
    }
    if (source.startsWith('//', pos)) {
      const end = source.indexOf('\n', pos);
      const stop = end < 0 ? source.length : end;
      if (line === lastTokenLine) {
        advanceTo(stop); // a trailing comment belongs to the line before, not to what follows
        continue;
      }
      if (commentEndLine !== line - 1 && commentEndLine !== line) comment = [];
      comment.push(source.slice(pos + 2, stop).trim());
      commentEndLine = line;
      advanceTo(stop);
      continue;
    }
    if (source.startsWith('/*', pos)) {
      const end = source.indexOf('*/', pos + 2);
      const stop = end < 0 ? source.length : end + 2;
      if (line === lastTokenLine && end >= 0) {
        advanceTo(stop);
        continue;
      }
      if (commentEndLine !== line - 1 && commentEndLine !== line) comment = [];
      const body = source.slice(pos + 2, end < 0 ? source.length : end);
      comment.push(
        ...body
          .split('\n')
          .map((l) => l.replace(/^\s*\*?\s?/, '').trim())
          .filter((l) => l !== ''),
      );
      advanceTo(stop);
      commentEndLine = line;
      if (end < 0) tokens.push(make('bad', '/*', 'unterminated block comment'));
      continue;
    }

    const leading =
      (commentEndLine === line - 1 || commentEndLine === line) && comment.length > 0
        ? comment.join('\n')
        : '';
    comment = [];
    commentEndLine = -1;
    const column = pos - lineStart + 1;
    const startLine = line;
    const push = (kind: ProtoTokenKind, end: number, extra: Partial<ProtoToken> = {}): void => {
      const text = source.slice(pos, end);
      tokens.push({
        kind,
        text,
        line: startLine,
        column,
        ...(leading ? { leadingComment: leading } : {}),
        ...extra,
      });
      advanceTo(end);
      lastTokenLine = line;
    };

    if (IDENT_START.test(ch)) {
      let end = pos + 1;
      while (end < source.length && IDENT_PART.test(source[end] as string)) end++;
      push('ident', end);
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[pos + 1] ?? ''))) {
      const match = NUMBER.exec(source.slice(pos, pos + 400)) as RegExpExecArray;
      const text = match[0];
      const isFloat = !/^0[xX]/.test(text) && /[.eE]/.test(text);
      push(isFloat ? 'float' : 'int', pos + text.length);
    } else if (ch === '"' || ch === "'") {
      const { end, value, problem } = readString(source, pos);
      push('string', end, problem ? { value, problem } : { value });
    } else if ('{}[]()<>;,=.-+:'.includes(ch)) {
      push('symbol', pos + 1);
    } else {
      push('bad', pos + 1, { problem: `unexpected character '${ch}'` });
    }
  }
  tokens.push(make('eof', ''));
  return tokens;

  function make(kind: ProtoTokenKind, text: string, problem?: string): ProtoToken {
    return {
      kind,
      text,
      line,
      column: pos - lineStart + 1,
      ...(problem ? { problem } : {}),
    };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** Reads a quoted string starting at `start`; stops at the closing quote or the end of the line. */
function readString(
  source: string,
  start: number,
): { end: number; value: string; problem?: string } {
  const quote = source[start];
  let i = start + 1;
  let value = '';
  let problem: string | undefined;
  const done = (end: number) => (problem ? { end, value, problem } : { end, value });
  while (i < source.length) {
    const c = source[i] as string;
    if (c === quote) return done(i + 1);
    if (c === '\n') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = source[i + 1] ?? '';
    if (e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(source.slice(i + 1, i + 4)) as RegExpExecArray;
      value += String.fromCharCode(parseInt(oct[0], 8));
      i += 1 + oct[0].length;
    } else if ((e === 'x' || e === 'X') && /[0-9A-Fa-f]/.test(source[i + 2] ?? '')) {
      const hex = /^[0-9A-Fa-f]{1,2}/.exec(source.slice(i + 2, i + 4)) as RegExpExecArray;
      value += String.fromCharCode(parseInt(hex[0], 16));
      i += 2 + hex[0].length;
    } else if ((e === 'u' || e === 'U') && /^[0-9A-Fa-f]+$/.test(unicode(source, i, e))) {
      const digits = unicode(source, i, e);
      value += String.fromCodePoint(Math.min(parseInt(digits, 16), 0x10ffff));
      i += 2 + digits.length;
    } else {
      problem ??= `invalid escape '\\${e}' in string`;
      i += e === '' || e === '\n' ? 1 : 2;
    }
  }
  problem ??= 'unterminated string';
  return done(i);
}

function unicode(source: string, backslash: number, kind: string): string {
  const digits = source.slice(backslash + 2, backslash + 2 + (kind === 'u' ? 4 : 8));
  return digits.length === (kind === 'u' ? 4 : 8) ? digits : '';
}
