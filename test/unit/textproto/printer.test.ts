import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatText, parse, print } from '../../../src/textproto';

function fmt(text: string): string {
  const doc = parse(text);
  assert.deepEqual(
    doc.diagnostics.filter((d) => d.severity === 'error'),
    [],
    'input must parse cleanly',
  );
  const once = print(doc);
  assert.equal(print(parse(once)), once, 'printing is idempotent');
  return once;
}

describe('printer', () => {
  it('writes the canonical layout', () => {
    assert.equal(
      fmt('model{ssd<num_classes:90,  box_coder:{x:1.0;}>} name :"a"'),
      'model {\n  ssd {\n    num_classes: 90\n    box_coder {\n      x: 1.0\n    }\n  }\n}\nname: "a"\n',
    );
  });

  it('keeps values exactly as written', () => {
    const text = String.raw`a: 0x1F b: 1e5 c: 'q"' d: "D:\\x" e: -inf f: 0.5f g: "a" 'b'`;
    assert.equal(
      fmt(text),
      String.raw`a: 0x1F
b: 1e5
c: 'q"'
d: "D:\\x"
e: -inf
f: 0.5f
g: "a" 'b'
`,
    );
  });

  it('keeps every comment in order, and single blank lines between fields', () => {
    const text = [
      '# header',
      '',
      '',
      'model { # open',
      '  # lead',
      '  a: 1   # trail',
      '',
      '  b # inner',
      '  : 2',
      '  # dangling',
      '} # after',
      '# end',
    ].join('\n');
    assert.equal(
      fmt(text),
      [
        '# header',
        '',
        'model { # open',
        '  # lead',
        '  a: 1 # trail',
        '',
        '  # inner',
        '  b: 2',
        '  # dangling',
        '} # after',
        '# end',
        '',
      ].join('\n'),
    );
  });

  it('prints lists inline when they have no comments, one element per line otherwise', () => {
    assert.equal(fmt('a: [1,2 , 3] b: []'), 'a: [1, 2, 3]\nb: []\n');
    assert.equal(fmt('m [{x: 1}, {}]'), 'm: [\n  {\n    x: 1\n  },\n  {}\n]\n');
    assert.equal(fmt('a: [1, # one\n 2]'), 'a: [\n  1, # one\n  2\n]\n');
  });

  it('prints empty messages as {} and drops separators and colons before messages', () => {
    assert.equal(fmt('a: { } ; b < >, c {}'), 'a {}\nb {}\nc {}\n');
  });

  it('prints extension and Any names in brackets', () => {
    assert.equal(fmt('[ a.b ] : 1 [x.com/ p.T] { }'), '[a.b]: 1\n[x.com/p.T] {}\n');
  });

  it('prints an empty document as empty text', () => {
    assert.equal(fmt(''), '');
    assert.equal(fmt('  \n\n'), '');
    assert.equal(fmt('# only\n'), '# only\n');
  });

  it('does not overflow on deep nesting and caps the indentation', () => {
    const depth = 10_000;
    const text = 'a {'.repeat(depth) + 'x: 1' + '}'.repeat(depth);
    const printed = print(parse(text));
    assert.equal(printed.split('\n').length, 2 * depth + 2);
    assert.ok(printed.length < 30_000_000);
  });
});

describe('formatText', () => {
  it('formats clean text and keeps its line ending', () => {
    const result = formatText('a:1\r\nb {c:2}\r\n');
    assert.equal(result.text, 'a: 1\r\nb {\r\n  c: 2\r\n}\r\n');
    assert.equal(result.changed, true);
    assert.equal(result.skipped, false);
    assert.equal(formatText(result.text).changed, false);
  });

  it('leaves text with errors untouched', () => {
    const result = formatText('a: - 1\nb {');
    assert.equal(result.skipped, true);
    assert.equal(result.text, 'a: - 1\nb {');
    assert.ok(result.diagnostics.length >= 2);
  });

  it('formats text that only protoc rejects, keeping the values', () => {
    const result = formatText(String.raw`path:"D:\data" n:+1`);
    assert.equal(result.skipped, false);
    assert.equal(result.text, String.raw`path: "D:\data"` + '\nn: +1\n');
  });
});
