import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyEdits,
  decodeUtf8,
  LineIndex,
  nodeAt,
  parse,
  fieldPath,
  enclosingField,
  replaceStringValueEdits,
  rewriteStringValues,
  scalarsAt,
} from '../../../src/textproto';

const CONFIG = `# keep me
train_input_reader: {
  label_map_path: "PATH_TO_BE_CONFIGURED/mscoco_label_map.pbtxt"
  tf_record_input_reader {
    input_path: "PATH_TO_BE_CONFIGURED/mscoco_train.record-?????-of-00100"  # shards
    input_path: 'second.record'
  }
}
eval_input_reader {
  tf_record_input_reader { input_path: ["a.record", "b.record"] }
}
eval_input_reader {
  tf_record_input_reader { input_path: "c" # split
    "d" }
}
`;

describe('edits', () => {
  it('finds every scalar at a path, repeated fields and list elements included', () => {
    const doc = parse(CONFIG);
    assert.deepEqual(
      scalarsAt(doc, 'train_input_reader.tf_record_input_reader.input_path').map((s) => s.value),
      ['PATH_TO_BE_CONFIGURED/mscoco_train.record-?????-of-00100', 'second.record'],
    );
    assert.deepEqual(
      scalarsAt(doc, ['eval_input_reader', 'tf_record_input_reader', 'input_path']).map(
        (s) => s.value,
      ),
      ['a.record', 'b.record', 'cd'],
    );
    assert.deepEqual(scalarsAt(doc, 'no.such.path'), []);
  });

  it('rewrites values and keeps every other byte identical', () => {
    const result = rewriteStringValues(
      CONFIG,
      'train_input_reader.tf_record_input_reader.input_path',
      (old) => '/opt/ml/input/data/training/' + old.split('/').pop(),
    );
    assert.equal(result.changed, 2);
    assert.equal(
      result.text,
      CONFIG.replace(
        '"PATH_TO_BE_CONFIGURED/mscoco_train.record-?????-of-00100"',
        '"/opt/ml/input/data/training/mscoco_train.record-?????-of-00100"',
      ).replace("'second.record'", "'/opt/ml/input/data/training/second.record'"),
    );
  });

  it('escapes what needs escaping, and keeps comments inside adjacent strings', () => {
    const doc = parse(CONFIG);
    const edits = replaceStringValueEdits(
      doc,
      'eval_input_reader.tf_record_input_reader.input_path',
      (v) => (v === 'cd' ? 'C:\\data\\"x"' : undefined),
    );
    const text = applyEdits(CONFIG, edits);
    assert.ok(text.includes('input_path: "C:\\\\data\\\\\\"x\\"" # split\n'), text);
    assert.deepEqual(
      scalarsAt(parse(text), 'eval_input_reader.tf_record_input_reader.input_path').map(
        (s) => s.value,
      ),
      ['a.record', 'b.record', 'C:\\data\\"x"'],
    );
  });

  it('applies edits in any order and refuses overlapping ones', () => {
    assert.equal(
      applyEdits('abcdef', [
        { offset: 4, length: 1, newText: 'E' },
        { offset: 0, length: 2, newText: '' },
      ]),
      'cdEf',
    );
    assert.throws(() =>
      applyEdits('abc', [
        { offset: 0, length: 2, newText: '' },
        { offset: 1, length: 1, newText: '' },
      ]),
    );
  });
});

describe('navigation helpers', () => {
  it('finds the node at an offset and the field path', () => {
    const offset = CONFIG.indexOf('mscoco_label_map');
    const node = nodeAt(parse(CONFIG), offset);
    assert.equal(node.kind, 'scalar');
    const field = enclosingField(node);
    assert.ok(field);
    assert.deepEqual(fieldPath(field), ['train_input_reader', 'label_map_path']);
  });
});

describe('LineIndex', () => {
  it('converts offsets to 0-based lines and UTF-16 columns and back', () => {
    const text = 'a\nbc\r\nd\re中f';
    const index = new LineIndex(text);
    assert.equal(index.lineCount, 4);
    assert.deepEqual(index.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(index.positionAt(3), { line: 1, character: 1 });
    assert.deepEqual(index.positionAt(6), { line: 2, character: 0 });
    assert.deepEqual(index.positionAt(text.indexOf('f')), { line: 3, character: 2 });
    assert.deepEqual(index.positionAt(999), { line: 3, character: 3 });
    for (let offset = 0; offset <= text.length; offset++) {
      const position = index.positionAt(offset);
      const back = index.offsetAt(position);
      if (text[offset] !== '\n') assert.equal(back, offset, `offset ${offset}`);
    }
    assert.equal(index.offsetAt({ line: 1, character: 99 }), 4);
  });
});

describe('decodeUtf8', () => {
  it('keeps a byte order mark so the parser can report it', () => {
    const { text, diagnostics } = decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]));
    assert.equal(text, '\uFEFFa');
    assert.deepEqual(diagnostics, []);
    assert.equal(parse(text).diagnostics[0]?.code, 'byte-order-mark');
  });

  it('reports invalid UTF-8 at its offset as an error for the API', () => {
    const bytes = new Uint8Array([...Buffer.from('name: "é'), 0xff, 0xfe, ...Buffer.from('"\n')]);
    const { text, diagnostics } = decodeUtf8(bytes);
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(
      [
        diagnostics[0]?.code,
        diagnostics[0]?.severity,
        diagnostics[0]?.offset,
        diagnostics[0]?.protoc,
      ],
      ['invalid-utf8', 'error', 8, 'accepts'],
    );
    assert.equal(text[8], '\uFFFD');
  });
});
