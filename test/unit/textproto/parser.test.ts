import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parse,
  type FieldNode,
  type ListNode,
  type MessageNode,
  type ScalarNode,
  type TextFormatDiagnostic,
} from '../../../src/textproto';

function field(container: { fields: FieldNode[] }, index = 0): FieldNode {
  const f = container.fields[index];
  assert.ok(f, `no field ${index}`);
  return f;
}

function scalar(f: FieldNode): ScalarNode {
  assert.equal(f.value?.kind, 'scalar');
  return f.value as ScalarNode;
}

function message(f: FieldNode): MessageNode {
  assert.equal(f.value?.kind, 'message');
  return f.value as MessageNode;
}

function slice(text: string, r: { offset: number; length: number }): string {
  return text.slice(r.offset, r.offset + r.length);
}

function errors(text: string): TextFormatDiagnostic[] {
  return parse(text).diagnostics.filter((d) => d.severity === 'error');
}

describe('parser: structure', () => {
  it('parses fields, messages and scalars with ranges and parents', () => {
    const text = 'model {\n  ssd { num_classes: 90 }\n}\nname: "x"\n';
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    const model = field(doc);
    assert.equal(model.name.text, 'model');
    assert.equal(model.parent, doc);
    const body = message(model);
    assert.equal(body.parent, model);
    assert.equal(slice(text, body.open), '{');
    assert.equal(slice(text, body.close ?? { offset: 0, length: 0 }), '}');
    const ssd = field(body);
    const num = field(message(ssd));
    assert.equal(slice(text, num), 'num_classes: 90');
    assert.equal(slice(text, num.name), 'num_classes');
    assert.equal(slice(text, num.colon ?? { offset: 0, length: 0 }), ':');
    assert.equal(scalar(num).value, 90);
    assert.equal(scalar(num).valueKind, 'number');
    assert.equal(scalar(num).parent, num);
    assert.equal(slice(text, model), 'model {\n  ssd { num_classes: 90 }\n}');
    assert.equal(scalar(field(doc, 1)).value, 'x');
  });

  it('accepts <> messages, an optional colon before a message, and , ; separators', () => {
    const doc = parse('a: < b: 1; c: 2, > d: { } e {},');
    assert.deepEqual(doc.diagnostics, []);
    assert.equal(message(field(doc)).open.char, '<');
    assert.equal(message(field(doc)).fields.length, 2);
    assert.ok(field(message(field(doc))).separator);
    assert.ok(field(doc, 1).colon);
    assert.equal(field(doc, 2).colon, undefined);
    assert.ok(field(doc, 2).separator);
  });

  it('reads scalars: signed numbers, identifiers, -inf and adjacent strings', () => {
    const text = `a: -5 b: - 2.5 c: RELU_6 d: -inf e: "ab" 'cd'\n "ef" f: 0x10 g: 010 h: 1e3`;
    const doc = parse(text);
    const values = doc.fields.map((f) => scalar(f).value);
    assert.deepEqual(values, [-5, -2.5, 'RELU_6', '-inf', 'abcdef', 16, 8, 1000]);
    const e = scalar(field(doc, 4));
    assert.equal(e.parts.length, 3);
    assert.equal(e.raw, `"ab" 'cd'\n "ef"`);
    assert.deepEqual(
      e.parts.map((p) => p.quote),
      ['"', "'", '"'],
    );
    const b = scalar(field(doc, 1));
    assert.deepEqual([b.sign?.char, b.sign?.glued, b.raw], ['-', false, '2.5']);
    // `- 2.5` is fine for protoc but not for the Object Detection API.
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, d.severity, slice(text, d)]),
      [['sign-separated', 'error', '- 2.5']],
    );
  });

  it('decodes strings the way the API reads them', () => {
    const doc = parse(String.raw`a: "D:\data\x41" b: "caf\303\251" c: "\u4e2d"`);
    assert.deepEqual(
      doc.fields.map((f) => scalar(f).value),
      [String.raw`D:\dataA`, 'café', String.raw`\u4e2d`],
    );
  });

  it('parses lists of scalars and of messages', () => {
    const text = 'ids: [1, -2, 3] items [{ id: 1 }, < id: 2 >] empty: []';
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    const ids = field(doc).value as ListNode;
    assert.equal(ids.kind, 'list');
    assert.deepEqual(
      ids.elements.map((e) => (e as ScalarNode).value),
      [1, -2, 3],
    );
    assert.equal(ids.elements[0]?.parent, ids);
    const items = field(doc, 1).value as ListNode;
    assert.deepEqual(
      items.elements.map((e) => e.kind),
      ['message', 'message'],
    );
    assert.equal((items.elements[1] as MessageNode).fields[0]?.name.text, 'id');
    assert.equal((field(doc, 2).value as ListNode).elements.length, 0);
  });

  it('parses extension and Any names in brackets', () => {
    const text = '[ext.name]: 5 [type.googleapis.com/foo.Bar] { x: 1 } [a.b] { }';
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(
      doc.fields.map((f) => [f.name.form, f.name.text, slice(text, f.name)]),
      [
        ['extension', 'ext.name', '[ext.name]'],
        ['any', 'type.googleapis.com/foo.Bar', '[type.googleapis.com/foo.Bar]'],
        ['extension', 'a.b', '[a.b]'],
      ],
    );
  });

  it('parses an empty document and a document of comments', () => {
    assert.deepEqual(parse('').fields, []);
    const doc = parse('# a\n\n# b\n');
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(
      doc.danglingComments.map((c) => c.text),
      ['# a', '# b'],
    );
  });
});

describe('parser: comments', () => {
  it('keeps every comment with its range, and attaches it for the printer', () => {
    const text = [
      '# header',
      '',
      'model { # open',
      '  # lead',
      '  a: 1 # trail',
      '  b # inner',
      '    : 2',
      '  # dangling',
      '} # after',
      '# end',
    ].join('\n');
    const doc = parse(text);
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(
      doc.comments.map((c) => slice(text, c)),
      ['# header', '# open', '# lead', '# trail', '# inner', '# dangling', '# after', '# end'],
    );
    const model = field(doc);
    assert.deepEqual(
      model.leadingComments.map((c) => c.text),
      ['# header'],
    );
    assert.equal(model.blankLineBefore, true);
    const body = message(model);
    assert.equal(body.openComment?.text, '# open');
    const [a, b] = body.fields as [FieldNode, FieldNode];
    assert.deepEqual(
      a.leadingComments.map((c) => c.text),
      ['# lead'],
    );
    assert.equal(a.trailingComment?.text, '# trail');
    assert.deepEqual(
      b.innerComments.map((c) => c.text),
      ['# inner'],
    );
    assert.deepEqual(
      body.danglingComments.map((c) => c.text),
      ['# dangling'],
    );
    assert.equal(model.trailingComment?.text, '# after');
    assert.deepEqual(
      doc.danglingComments.map((c) => c.text),
      ['# end'],
    );
  });

  it('keeps comments between a sign and its number, and between strings', () => {
    const doc = parse('a: -\n # c\n 2.0 b: "x" # d\n "y"');
    // protoc allows the gap after `-`; the Object Detection API does not.
    assert.deepEqual(
      doc.diagnostics.map((d) => d.code),
      ['sign-separated'],
    );
    assert.equal(scalar(field(doc)).value, -2);
    assert.equal(scalar(field(doc, 1)).value, 'xy');
    assert.deepEqual(
      doc.fields.flatMap((f) => f.innerComments.map((c) => c.text)),
      ['# c', '# d'],
    );
  });
});

describe('parser: errors and recovery', () => {
  function check(text: string, expected: [string, string][]): void {
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, slice(text, d)]),
      expected,
      JSON.stringify(text),
    );
  }

  it('never throws and reports with ranges, continuing after the error', () => {
    check('a: 1\nb 2\nc: 3', [['missing-colon', '2']]);
    check('a: \nb: 2', [['missing-value', 'b']]);
    check('a:', [['missing-value', ':']]);
    check('item\n  name: "x"', [['expected-message-or-colon', 'name']]);
    check('x = 1\ny: 2', [['equals-instead-of-colon', '=']]);
    check('x:: 1\ny: 2', [['unexpected-token', ':']]);
    check('x: 1,;\ny: 2', [['extra-separator', ';']]);
    check('m {, x: 1 }', [['extra-separator', ',']]);
    check('x: 1 }\ny: 2', [['unmatched-close', '}']]);
    check('m { x: 1 >', [['mismatched-close', '>']]);
    check('x: "a" // c\ny: 2', [['c-style-comment', '/']]);
    check('x: “a”\ny: 2', [['typographic-quote', '“']]);
    check('\uFEFFx: 1', [['byte-order-mark', '\uFEFF']]);
    check('3: 1', [['field-number-as-name', '3']]);
    check('l: [1, 2,]', [['list-trailing-comma', ',']]);
    check('l: [1 2]', [['list-missing-comma', '2']]);
    check('l [1]', [['scalar-list-without-colon', '[']]);
    check('l: [1, {}]', [['list-mixed-elements', '{']]);
    check('l: [1, 2\ny: 3', [['unclosed-list', 'y']]);
    check('x: - "a"', [['sign-without-number', '-']]);
    check('x: +5', [['plus-sign', '+5']]);
    check('[a.b: 1', [['bad-bracketed-name', ':']]);
    check('[t.com/x.Y]: 1', [['any-requires-message', '1']]);
    check('{"item": 1}', [['unexpected-token', '{']]);
  });

  it('reports a missing closing brace at the end, pointing at the opening one', () => {
    const text = 'model {\n  ssd {\n    x: 1\n  }\n';
    const doc = parse(text);
    assert.deepEqual(
      doc.diagnostics.map((d) => [d.code, slice(text, d), d.related?.map((r) => slice(text, r))]),
      [['unclosed-message', '}', ['{']]],
    );
    const related = doc.diagnostics[0]?.related?.[0];
    assert.equal(related?.offset, text.indexOf('{'));
    assert.equal(message(field(doc)).close, undefined);
  });

  it('recovers at the next field after garbage and keeps parsing the rest', () => {
    const text = 'a: 1\n/* junk */ ! @\nb: 2\nc { d: 3 }\n';
    const doc = parse(text);
    assert.equal(errors(text).length, 1);
    assert.deepEqual(
      doc.fields.map((f) => f.name.text),
      ['a', 'b', 'c'],
    );
    assert.equal(field(message(field(doc, 2))).name.text, 'd');
  });

  it('reports independent errors separately', () => {
    const text = 'a = 1\nb: 2\nc: “x”\nd: 4\n';
    assert.deepEqual(
      errors(text).map((d) => d.code),
      ['equals-instead-of-colon', 'typographic-quote'],
    );
  });

  it('keeps recovery inside the message it is in', () => {
    const text = 'outer {\n  inner { x: ! }\n  y: 2\n}\nz: 3\n';
    const doc = parse(text);
    assert.equal(errors(text).length, 1);
    assert.deepEqual(
      message(field(doc)).fields.map((f) => f.name.text),
      ['inner', 'y'],
    );
    assert.equal(field(doc, 1).name.text, 'z');
  });

  it('records whether each problem is fatal for the API or only for protoc', () => {
    const [sep] = parse('a: - 1').diagnostics;
    assert.deepEqual([sep?.severity, sep?.python, sep?.protoc], ['error', 'rejects', 'accepts']);
    const [plus] = parse('a: +1').diagnostics;
    assert.deepEqual(
      [plus?.severity, plus?.python, plus?.protoc],
      ['warning', 'accepts', 'rejects'],
    );
    const [brace] = parse('a {').diagnostics;
    assert.deepEqual(
      [brace?.severity, brace?.python, brace?.protoc],
      ['error', 'rejects', 'rejects'],
    );
  });
});
