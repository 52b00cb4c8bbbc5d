// The validator on small caret-marked fixtures: `^` under a line marks where the diagnostic starts.

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LABEL_MAP, PIPELINE_CONFIG } from '../../../src/schema';
import {
  bindingAt,
  defaultSchema,
  detectDocumentType,
  isTextFormatPipelineConfig,
  NodeProjectHost,
  validateText,
  walkSchema,
} from '../../../src/schema/validate';
import { nodeAt, parse } from '../../../src/textproto';

/**
 * Validates `text` as `root` and compares the problems (information left out) in order: severity,
 * message, and where each starts, given as a snippet of the text: `[snippet, occurrence]`.
 */
function check(text: string, root: string, expected: [string, RegExp, string, number?][]): void {
  const result = validateText(text, { root });
  const got = result.diagnostics.filter((d) => d.severity !== 'information');
  assert.equal(got.length, expected.length, JSON.stringify(got.map((d) => [d.code, d.message])));
  expected.forEach(([severity, message, snippet, occurrence = 0], i) => {
    let at = -1;
    for (let k = 0; k <= occurrence; k++) at = text.indexOf(snippet, at + 1);
    assert.equal(got[i]?.severity, severity, got[i]?.message);
    assert.match(got[i]?.message ?? '', message);
    assert.equal(got[i]?.offset, at, `${got[i]?.code} starts at ${snippet}`);
  });
}

describe('validate: the parsers’ verdicts with the schema', () => {
  it('names an unknown field and the closest known one', () => {
    check('model {\n  ssd {\n    num_clases: 3\n  }\n}\n', PIPELINE_CONFIG, [
      [
        'error',
        /^unknown field `num_clases` in `Ssd`; did you mean `num_classes`\?$/,
        'num_clases',
      ],
    ]);
  });

  it('rejects an enum value from another version, suggesting the right case', () => {
    check('model { ssd { post_processing { score_converter: sigmoid } } }\n', PIPELINE_CONFIG, [
      [
        'error',
        /`sigmoid` is not a value of `ScoreConverter` \(`score_converter`\); did you mean `SIGMOID`\?/,
        'sigmoid',
      ],
    ]);
    check('model { ssd { post_processing { score_converter: 42 } } }\n', PIPELINE_CONFIG, [
      [
        'error',
        /`42` is not a number of `ScoreConverter` \(`score_converter`\): one of `IDENTITY`, `SIGMOID`, `SOFTMAX`/,
        '42',
      ],
    ]);
  });

  it('reports wrong value shapes: message given a value, value given braces, list for a singular field', () => {
    check(
      'train_config {\n  batch_size {}\n  optimizer: 5\n  num_steps: [1]\n}\n',
      PIPELINE_CONFIG,
      [
        ['error', /`batch_size` is a uint32 value, not a message/, '{}'],
        ['error', /`optimizer` is a message \(Optimizer\)/, '5'],
        ['error', /`num_steps` takes one value/, '[1]'],
      ],
    );
  });

  it('warns about a singular field set twice and a oneof set twice (the API keeps the last; protoc rejects)', () => {
    check(
      'train_config {\n  batch_size: 2\n  batch_size: 4\n}\nmodel { ssd { image_resizer { fixed_shape_resizer {} keep_aspect_ratio_resizer {} } } }\n',
      PIPELINE_CONFIG,
      [
        [
          'warning',
          /set twice: the Object Detection API keeps the last value and protoc rejects/,
          'batch_size',
          1,
        ],
        ['warning', /alternatives \(oneof `image_resizer_oneof`\)/, 'keep_aspect_ratio_resizer'],
        // The kept resizer, unpadded, with batch_size 4 (trainingRules.test.ts).
        ['warning', /without `pad_to_max_dimension: true`/, 'keep_aspect_ratio_resizer'],
      ],
    );
  });

  it('warns about deprecated fields and marks them', () => {
    const result = validateText('train_config { from_detection_checkpoint: true }\n', {
      root: PIPELINE_CONFIG,
    });
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0]?.severity, 'warning');
    assert.equal(result.diagnostics[0]?.deprecated, true);
  });

  it('explains top-level item fields of a label map', () => {
    check('name: "cat"\nid: 1\n', LABEL_MAP, [
      ['error', /goes inside `item \{ \.\.\. \}`/, 'name'],
      ['error', /unknown field `id`/, 'id'],
    ]);
  });
});

describe('validate: the API’s own rules', () => {
  it('label maps: negative ids, id 0 outside background, repeated ids and names', () => {
    check(
      "item { id: -1 name: 'a' }\nitem { id: 0 name: 'b' }\nitem { id: 0 name: 'background' }\nitem { id: 2 name: 'b' }\n",
      LABEL_MAP,
      [
        ['error', /ids must be 0 or more/, '-1'],
        ['error', /Id 0 is reserved for an item named `background`/, '0 '],
        ['warning', /Id 0 is used again: the API keeps the first item/, '0 ', 1],
        ['warning', /The name `b` is used again with another id/, "'b'", 1],
      ],
    );
  });

  it('pipeline: resizer and batch sizes the builders refuse', () => {
    check(
      'model { ssd { image_resizer { keep_aspect_ratio_resizer { min_dimension: 800 max_dimension: 600 } } } }\ntrain_config { batch_size: 0 }\n',
      PIPELINE_CONFIG,
      [
        ['error', /min_dimension \(800\) is above max_dimension \(600\)/, '800'],
        ['error', /`batch_size` must be at least 1/, '0 }', 1],
      ],
    );
  });
});

describe('validate: against the other files of the project', () => {
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-project-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }
  const config = (numClasses: number, extra = '') =>
    `model { ssd { num_classes: ${numClasses} } }\ntrain_config { ${extra} }\ntrain_input_reader { label_map_path: "data/label_map.pbtxt" tf_record_input_reader { input_path: "data/train.record" } }\n`;

  it('num_classes against the label map: error below its largest id, warning above', () => {
    const dir = project({
      'data/label_map.pbtxt': 'item { id: 1 name: "a" }\nitem { id: 3 name: "b" }\n',
      'data/train.record': '',
    });
    try {
      const host = new NodeProjectHost([dir]);
      const low = validateText(config(2), { path: join(dir, 'pipeline.config'), host });
      const d = low.diagnostics.find((x) => x.code === 'num-classes-below-label-map');
      assert.equal(d?.severity, 'error');
      assert.match(d?.message ?? '', /ids up to 3.*1 class can never be predicted/);
      assert.equal(d?.related?.[0]?.path, join(dir, 'data/label_map.pbtxt'));
      assert.deepEqual(low.dependencies, [join(dir, 'data/label_map.pbtxt')]);
      const high = validateText(config(90), { path: join(dir, 'pipeline.config'), host });
      assert.equal(
        high.diagnostics.find((x) => x.code === 'num-classes-above-label-map')?.severity,
        'warning',
      );
      const right = validateText(config(3), { path: join(dir, 'pipeline.config'), host });
      assert.deepEqual(right.diagnostics, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a placeholder path by the file name the training channel will hold', () => {
    const dir = project({ 'labels/label_map.pbtxt': 'item { id: 1 name: "a" }\n' });
    try {
      const text =
        'model { ssd { num_classes: 4 } }\ntrain_input_reader { label_map_path: "PATH_TO_BE_CONFIGURED/label_map.pbtxt" }\n';
      const result = validateText(text, {
        path: join(dir, 'pipeline.config'),
        host: new NodeProjectHost([dir]),
      });
      assert.deepEqual(
        result.diagnostics.map((d) => `${d.severity} ${d.code}`),
        ['warning num-classes-above-label-map', 'information path-placeholder'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TFRecords: sharded names count; a single name with only shards present gets the glob; missing is a warning', () => {
    const dir = project({
      'data/label_map.pbtxt': 'item { id: 1 name: "a" }\n',
      'data/train.record-00000-of-00002': '',
      'data/train.record-00001-of-00002': '',
    });
    try {
      const host = new NodeProjectHost([dir]);
      const result = validateText(config(1), { path: join(dir, 'pipeline.config'), host });
      const d = result.diagnostics.find((x) => x.code === 'input-path-sharded');
      assert.match(d?.message ?? '', /data\/train\.record-\?\?\?\?\?-of-00002/);
      const glob = config(1).replace('data/train.record', 'data/train.record-?????-of-00002');
      assert.deepEqual(
        validateText(glob, { path: join(dir, 'pipeline.config'), host }).diagnostics,
        [],
      );
      const missing = config(1).replace('data/train.record', 'data/other.record');
      const m = validateText(missing, { path: join(dir, 'pipeline.config'), host }).diagnostics;
      assert.deepEqual(
        m.map((x) => `${x.severity} ${x.code}`),
        ['warning input-path-not-found'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fine_tune_checkpoint: a checkpoint file instead of its prefix, a folder, a classification type for a detection checkpoint', () => {
    const dir = project({
      'data/label_map.pbtxt': 'item { id: 1 name: "a" }\n',
      'data/train.record': '',
      'zoo/pipeline.config': 'model {}\n',
      'zoo/checkpoint/ckpt-0.index': '',
      'zoo/checkpoint/ckpt-0.data-00000-of-00001': '',
    });
    try {
      const host = new NodeProjectHost([dir]);
      const run = (extra: string) =>
        validateText(config(1, extra), {
          path: join(dir, 'pipeline.config'),
          host,
        }).diagnostics.map((d) => `${d.severity} ${d.code}`);
      assert.deepEqual(run('fine_tune_checkpoint: "zoo/checkpoint/ckpt-0.index"'), [
        'error checkpoint-file-not-prefix',
      ]);
      assert.deepEqual(run('fine_tune_checkpoint: "zoo/checkpoint"'), [
        'error checkpoint-is-folder',
      ]);
      assert.deepEqual(
        run('fine_tune_checkpoint: "zoo/checkpoint/ckpt-0" fine_tune_checkpoint_type: "detection"'),
        [],
      );
      assert.deepEqual(
        run(
          'fine_tune_checkpoint: "zoo/checkpoint/ckpt-0" fine_tune_checkpoint_type: "classification"',
        ),
        ['warning checkpoint-type-disagrees'],
      );
      assert.deepEqual(run('fine_tune_checkpoint: "zoo/checkpoint/ckpt-9"'), [
        'warning checkpoint-not-found',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the walker and document types', () => {
  it('binds the node under a position to its field definition (what hover and completion ask)', () => {
    const text = 'model {\n  ssd {\n    num_classes: 3\n  }\n}\n';
    const doc = parse(text);
    const schema = defaultSchema();
    const root = schema.message(PIPELINE_CONFIG)!;
    const at = bindingAt(schema, root, nodeAt(doc, text.indexOf('3')));
    assert.equal(at.binding?.def?.name, 'num_classes');
    assert.equal(at.messageType?.fullName, 'object_detection.protos.Ssd');
    const inside = bindingAt(schema, root, nodeAt(doc, text.indexOf('ssd {') + 5));
    assert.equal(inside.messageType?.fullName, 'object_detection.protos.Ssd');
  });

  it('visits messages in pairs of enter/leave and every field with its definition', () => {
    const doc = parse('model { ssd { num_classes: 3 bogus: 1 } }\n');
    const schema = defaultSchema();
    const events: string[] = [];
    walkSchema(doc, schema, schema.message(PIPELINE_CONFIG)!, {
      enterMessage: (_c, t) => void events.push(`enter ${t.fullName.split('.').pop()}`),
      leaveMessage: (_c, t) => void events.push(`leave ${t.fullName.split('.').pop()}`),
      field: (b) => void events.push(`field ${b.node.name.text}${b.def ? '' : '?'}`),
    });
    assert.deepEqual(events, [
      'enter TrainEvalPipelineConfig',
      'field model',
      'enter DetectionModel',
      'field ssd',
      'enter Ssd',
      'field num_classes',
      'field bogus?',
      'leave Ssd',
      'leave DetectionModel',
      'leave TrainEvalPipelineConfig',
    ]);
  });

  it('decides the message from the header, the file name and the content', () => {
    const schema = defaultSchema();
    const type = (text: string, name?: string) =>
      detectDocumentType(schema, parse(text), name).root?.fullName;
    assert.equal(type('# proto-message: StringIntLabelMap\nitem {}\n', 'x.txtpb'), LABEL_MAP);
    assert.equal(type('model {}\n', 'ssd_mobilenet.config'), PIPELINE_CONFIG);
    assert.equal(type('item { id: 1 }\n', 'classes.pbtxt'), LABEL_MAP);
    assert.equal(
      type('layer { name: "conv" }\n', 'net.prototxt'),
      undefined,
      'a Caffe prototxt is syntax-only',
    );
    assert.equal(
      detectDocumentType(schema, parse('# proto-message: caffe.NetParameter\n'), 'x').unknownHeader
        ?.name,
      'caffe.NetParameter',
    );
  });

  it('tells text-format pipeline configs from XML *.config files', () => {
    assert.equal(isTextFormatPipelineConfig('# SSD\nmodel {\n  ssd {}\n}\n'), true);
    assert.equal(
      isTextFormatPipelineConfig(
        '<?xml version="1.0"?>\n<configuration><model/></configuration>\n',
      ),
      false,
    );
    assert.equal(isTextFormatPipelineConfig('<configuration>\nmodel {\n</configuration>'), false);
    assert.equal(isTextFormatPipelineConfig('key=value\n'), false);
  });
});
