import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readStringBody, tokenize, type Token } from '../../../src/textproto';

function kinds(text: string): [string, string][] {
  return tokenize(text)
    .tokens.filter((t) => t.kind !== 'eof')
    .map((t) => [t.kind, t.text]);
}

function only(text: string): Token {
  const tokens = tokenize(text).tokens.filter((t) => t.kind !== 'eof');
  assert.equal(tokens.length, 1, `expected one token in ${JSON.stringify(text)}`);
  return tokens[0] as Token;
}

function codes(text: string): string[] {
  return tokenize(text).problems.map((p) => `${p.code}:${p.severity}`);
}

describe('lexer: tokens and ranges', () => {
  it('gives every token its offset and length, and ends with eof', () => {
    const { tokens } = tokenize('  name: "x" # c\n');
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.offset, t.length]),
      [
        ['identifier', 2, 4],
        ['punct', 6, 1],
        ['string', 8, 3],
        ['comment', 12, 3],
        ['eof', 16, 0],
      ],
    );
    for (const t of tokens)
      assert.equal(t.text, '  name: "x" # c\n'.slice(t.offset, t.offset + t.length));
  });

  it('keeps # comments as tokens up to the end of the line, for \\n, \\r\\n and \\r', () => {
    assert.deepEqual(kinds('# a\nx # b\r\ny#c\rz'), [
      ['comment', '# a'],
      ['identifier', 'x'],
      ['comment', '# b'],
      ['identifier', 'y'],
      ['comment', '#c'],
      ['identifier', 'z'],
    ]);
  });

  it('records line breaks and blank lines before a token', () => {
    const [a, b, c] = tokenize('a\nb\n\n  c').tokens;
    assert.deepEqual(
      [a?.newlineBefore, b?.newlineBefore, b?.blankLineBefore, c?.blankLineBefore],
      [false, true, false, true],
    );
  });

  it('reads identifiers, including inf, infinity, nan, true and t', () => {
    for (const word of ['num_classes', '_x1', 'RELU_6', 'inf', 'Infinity', 'nan', 'true', 't'])
      assert.equal(only(word).kind, 'identifier', word);
  });

  it('reads every punctuation mark as its own token', () => {
    assert.deepEqual(
      kinds('{}<>[]:,;-+/.').map(([k]) => k),
      Array(13).fill('punct'),
    );
    assert.deepEqual(
      kinds('[a.b/c.D]').map(([, t]) => t),
      ['[', 'a', '.', 'b', '/', 'c', '.', 'D', ']'],
    );
  });

  it('reads decimal, hex and octal integers; the sign is a separate token', () => {
    for (const n of ['0', '7', '123', '0x1F', '0X1f', '017', '00'])
      assert.deepEqual(kinds(n), [['number', n]], n);
    assert.deepEqual(kinds('-5'), [
      ['punct', '-'],
      ['number', '5'],
    ]);
    assert.deepEqual(kinds('- 5'), [
      ['punct', '-'],
      ['number', '5'],
    ]);
    assert.deepEqual(codes('0 7 123 0x1F 017 00'), []);
  });

  it('reads floats in every spec form, with f/F suffix and exponents', () => {
    for (const n of [
      '1.0',
      '.5',
      '5.',
      '1e5',
      '1E5',
      '1.5E-3',
      '2.5e+3',
      '1f',
      '1.0f',
      '0.5F',
      '1e5f',
    ])
      assert.deepEqual(kinds(n), [['number', n]], n);
    assert.deepEqual(codes('1.0 .5 5. 1e5 1.5E-3 2.5e+3 1f 1.0f 1e5f'), []);
  });

  it('judges number spellings like Python: `0.5F` is an error, `1_000` only a protoc warning', () => {
    assert.deepEqual(codes('0.5F'), ['malformed-number:error']);
    assert.deepEqual(codes('10F'), ['malformed-number:error']);
    assert.deepEqual(codes('1_000'), ['number-form-not-protoc:warning']);
    assert.deepEqual(codes('1.5ff'), ['number-form-not-protoc:warning']);
    assert.deepEqual(codes('09'), ['number-form-not-protoc:warning']);
    assert.deepEqual(codes('0o17 0b101'), [
      'number-form-not-protoc:warning',
      'number-form-not-protoc:warning',
    ]);
    assert.deepEqual(codes('10bar'), ['malformed-number:error']);
    assert.deepEqual(codes('1.0.0'), ['malformed-number:error']);
    assert.deepEqual(codes('0x'), ['malformed-number:error']);
    assert.deepEqual(codes('1e'), ['malformed-number:error']);
    const problem = tokenize('x: 0.5F').problems[0];
    assert.equal(problem?.offset, 3);
    assert.equal(problem?.length, 4);
    assert.equal(problem?.python, 'rejects');
    assert.equal(problem?.protoc, 'accepts');
  });

  it('reads single- and double-quoted strings, with the other quote inside', () => {
    assert.deepEqual(kinds(`"a'b" 'c"d'`), [
      ['string', `"a'b"`],
      ['string', `'c"d'`],
    ]);
    assert.equal(only('"a # not a comment"').kind, 'string');
  });

  it('accepts every valid escape in both parsers', () => {
    const text = String.raw`"\a\b\f\n\r\t\v\\\'\"\0\12\123\x4\x41\u00e9\u4e2d\U0001F600"`;
    const problems = tokenize(text).problems;
    // Both accept all of these; the \u escapes above U+007F only change what Python reads.
    assert.deepEqual(
      problems.map((p) => p.code),
      ['escape-value-differs'],
    );
    assert.equal(problems[0]?.severity, 'warning');
    assert.equal(only(text).hasProblem, false);
  });

  it('decodes escapes the way each parser does', () => {
    const read = (body: string) => readStringBody(body, 0, body.length);
    assert.deepEqual(read(String.raw`\n\t\\\"`).python, [10, 9, 92, 34]);
    assert.deepEqual(read(String.raw`\101\x41\x4`).python, [65, 65, 4]);
    assert.deepEqual(read(String.raw`\u00e9`).python, [0xe9]);
    assert.deepEqual(read(String.raw`\u00e9`).protoc, [0xc3, 0xa9]);
    assert.deepEqual(Buffer.from(read(String.raw`\u4e2d`).python).toString(), String.raw`\u4e2d`);
    assert.deepEqual(Buffer.from(read(String.raw`\u4e2d`).protoc).toString(), '中');
    assert.deepEqual(Buffer.from(read(String.raw`D:\data`).python).toString(), String.raw`D:\data`);
    assert.deepEqual(Buffer.from(read('é中').python).toString(), 'é中');
    assert.deepEqual(read(String.raw`\?`).protoc, [63]);
    assert.deepEqual(Buffer.from(read(String.raw`\?`).python).toString(), String.raw`\?`);
  });

  it('warns on unknown escapes (the API keeps them, protoc rejects them)', () => {
    const problems = tokenize(String.raw`"D:\data\label_map.pbtxt"`).problems;
    assert.deepEqual(
      problems.map((p) => [p.code, p.severity, p.offset, p.length]),
      [
        ['unknown-escape', 'warning', 3, 2],
        ['unknown-escape', 'warning', 8, 2],
      ],
    );
    assert.deepEqual(codes(String.raw`"\q"`), ['unknown-escape:warning']);
    assert.deepEqual(codes(String.raw`"\N{BULLET}"`), ['named-unicode-escape:warning']);
    assert.deepEqual(codes(String.raw`"\?"`), ['escape-value-differs:warning']);
  });

  it('rejects escapes neither parser can read', () => {
    for (const bad of [
      String.raw`"\x"`,
      String.raw`"\xg"`,
      String.raw`"\u12"`,
      String.raw`"\U0011FFFF"`,
      String.raw`"\N"`,
    ])
      assert.deepEqual(codes(bad), ['invalid-escape:error'], bad);
  });

  it('makes an unterminated string an error token ending at the line end', () => {
    const { tokens, problems } = tokenize('label: "LEFT_ANKLE\n id: 2');
    const string = tokens[2] as Token;
    assert.equal(string.kind, 'string');
    assert.equal(string.unterminated, true);
    assert.equal(string.text, '"LEFT_ANKLE');
    assert.deepEqual(
      problems.map((p) => [p.code, p.offset, p.length]),
      [['unterminated-string', 7, 11]],
    );
    assert.equal(tokens[3]?.text, 'id');
    assert.deepEqual(codes('"abc\\'), ['unterminated-string:error']);
    assert.deepEqual(codes(`"a'`), ['unterminated-string:error']);
  });

  it('turns unknown characters into invalid tokens without throwing', () => {
    assert.deepEqual(
      kinds('=*\u0000“\u{1F600}').map(([k, t]) => [k, t]),
      [
        ['invalid', '='],
        ['invalid', '*'],
        ['invalid', '\u0000'],
        ['invalid', '“'],
        ['invalid', '\u{1F600}'],
      ],
    );
    assert.equal(only('\uFEFF').kind, 'invalid');
  });

  it('skips Python-only whitespace (a non-breaking space) with a protoc warning', () => {
    const { tokens, problems } = tokenize('a:\u00a0\u00a01');
    assert.deepEqual(
      tokens.map((t) => t.kind),
      ['identifier', 'punct', 'number', 'eof'],
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.severity, p.offset, p.length]),
      [['non-ascii-whitespace', 'warning', 2, 2]],
    );
  });
});
