// The built-in Object Detection schema: internally consistent, and right on the facts configs and
// the corpus (../shared/corpus/verdicts.tsv, protoc's deprecation warnings) depend on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LABEL_MAP,
  PIPELINE_CONFIG,
  defaultProblem,
  objectDetectionSchema,
  objectDetectionSchemaProblems,
  type FieldDef,
  type MessageType,
} from '../../../src/schema';

const schema = objectDetectionSchema();
const OD = 'object_detection.protos';

function field(path: string): FieldDef {
  const dot = path.lastIndexOf('.');
  const found = schema.field(`${OD}.${path.slice(0, dot)}`, path.slice(dot + 1));
  assert.ok(found, `${path} exists`);
  return found;
}

describe('built-in schema: consistency', () => {
  it('builds without problems', () => {
    assert.deepEqual(objectDetectionSchemaProblems(), []);
  });

  it('has both roots, and every type is reachable from them', () => {
    assert.ok(schema.message(PIPELINE_CONFIG));
    assert.ok(schema.message(LABEL_MAP));
    const reachable = new Set(
      schema.reachableFrom([PIPELINE_CONFIG, LABEL_MAP]).map((t) => t.fullName),
    );
    for (const t of schema.all()) {
      const isNestedOfReachable = reachable.has(t.fullName.slice(0, t.fullName.lastIndexOf('.')));
      assert.ok(reachable.has(t.fullName) || isNestedOfReachable, `${t.fullName} is reachable`);
    }
  });

  it('resolves every type reference to a type of the right kind', () => {
    for (const m of schema.messages()) {
      for (const f of m.fields) {
        if (f.type.kind === 'scalar') continue;
        assert.equal(schema.get(f.type.typeName)?.kind, f.type.kind, `${m.fullName}.${f.name}`);
      }
      for (const n of m.nested) assert.ok(schema.get(n), `${m.fullName} nests ${n}`);
    }
  });

  it('has unique field names and numbers per message, in the valid range', () => {
    for (const m of schema.messages()) {
      const names = m.fields.map((f) => f.name);
      const numbers = m.fields.map((f) => f.number);
      assert.equal(new Set(names).size, names.length, `names in ${m.fullName}`);
      assert.equal(new Set(numbers).size, numbers.length, `numbers in ${m.fullName}`);
      for (const n of numbers) assert.ok(n >= 1 && n <= 536_870_911 && (n < 19000 || n > 19999));
    }
  });

  it('keeps oneofs and their member fields in agreement', () => {
    for (const m of schema.messages()) {
      for (const o of m.oneofs) {
        assert.ok(o.fields.length > 0, `${m.fullName}.${o.name} has members`);
        for (const name of o.fields) assert.equal(schema.field(m, name)?.oneof, o.name);
      }
      for (const f of m.fields) {
        if (f.oneof === undefined) continue;
        assert.ok(m.oneofs.some((o) => o.name === f.oneof && o.fields.includes(f.name)));
        assert.notEqual(f.label, 'repeated', `${m.fullName}.${f.name} in a oneof is not repeated`);
      }
    }
  });

  it('declares only defaults that fit their field', () => {
    let count = 0;
    for (const m of schema.messages()) {
      for (const f of m.fields) {
        if (f.default === undefined) continue;
        count++;
        assert.notEqual(f.label, 'repeated');
        const problem = defaultProblem(f.default, f.type, schema.enumOf(f));
        assert.equal(problem, undefined, `${m.fullName}.${f.name}`);
      }
    }
    assert.ok(count > 400, `${count} defaults`);
  });

  it('has enum values with unique names and numbers', () => {
    for (const e of schema.enums()) {
      assert.ok(e.values.length > 0);
      assert.equal(new Set(e.values.map((v) => v.name)).size, e.values.length);
      assert.equal(new Set(e.values.map((v) => v.number)).size, e.values.length);
    }
  });

  it('has a one-line doc on every type, field and enum value', () => {
    const check = (what: string, doc: string | undefined): void => {
      assert.ok(
        doc && doc.length > 2 && !doc.includes('\n') && doc.length <= 160,
        `${what}: ${doc}`,
      );
    };
    for (const t of schema.all()) {
      if (t.kind === 'message' && t.mapEntry) continue;
      check(t.fullName, t.doc);
      if (t.kind === 'message') for (const f of t.fields) check(`${t.fullName}.${f.name}`, f.doc);
      else for (const v of t.values) check(`${t.fullName}.${v.name}`, v.doc);
    }
  });

  it('models map fields as repeated entry messages with key and value', () => {
    const entry = schema.messageOf(field('EvalConfig.super_categories')) as MessageType;
    assert.equal(entry.fullName, `${OD}.EvalConfig.SuperCategoriesEntry`);
    assert.equal(entry.mapEntry, true);
    assert.deepEqual(
      entry.fields.map((f) => [f.name, f.number, f.type]),
      [
        ['key', 1, { kind: 'scalar', scalar: 'string' }],
        ['value', 2, { kind: 'scalar', scalar: 'string' }],
      ],
    );
    assert.equal(field('EvalConfig.super_categories').label, 'repeated');
  });
});

describe('built-in schema: key facts', () => {
  it('knows the pipeline root fields', () => {
    const root = schema.message(PIPELINE_CONFIG) as MessageType;
    assert.deepEqual(
      root.fields.map((f) => `${f.number}:${f.name}`),
      [
        '1:model',
        '2:train_config',
        '3:train_input_reader',
        '4:eval_config',
        '5:eval_input_reader',
        '6:graph_rewriter',
      ],
    );
    assert.equal(field('TrainEvalPipelineConfig.eval_input_reader').label, 'repeated');
    assert.deepEqual(root.extensionRanges, [[1000, 536_870_911]]);
  });

  it('has num_classes as int32 in every meta-architecture', () => {
    for (const arch of ['Ssd', 'FasterRcnn', 'CenterNet']) {
      assert.deepEqual(field(`${arch}.num_classes`).type, { kind: 'scalar', scalar: 'int32' });
    }
    assert.equal(field('Ssd.num_classes').number, 1);
  });

  it('offers the meta-architectures as one oneof', () => {
    const model = schema.message(`${OD}.DetectionModel`) as MessageType;
    assert.deepEqual(model.oneofs, [
      { name: 'model', fields: ['faster_rcnn', 'ssd', 'experimental_model', 'center_net'] },
    ]);
  });

  it('has the fine-tuning fields of train_config', () => {
    assert.deepEqual(field('TrainConfig.fine_tune_checkpoint_type').type, {
      kind: 'scalar',
      scalar: 'string',
    });
    assert.equal(field('TrainConfig.fine_tune_checkpoint').default, '');
    assert.equal(field('TrainConfig.fine_tune_checkpoint_version').default, 'V1');
    assert.equal(field('TrainConfig.batch_size').default, 32);
    assert.deepEqual(field('TrainConfig.batch_size').type, { kind: 'scalar', scalar: 'uint32' });
    assert.equal(field('TrainConfig.data_augmentation_options').label, 'repeated');
  });

  it('describes label map items', () => {
    const item = schema.message(`${OD}.StringIntLabelMapItem`) as MessageType;
    const names = item.fields.map((f) => f.name);
    for (const name of ['name', 'id', 'display_name']) assert.ok(names.includes(name));
    assert.deepEqual(field('StringIntLabelMapItem.id').type, { kind: 'scalar', scalar: 'int32' });
    assert.equal(field('StringIntLabelMap.item').label, 'repeated');
  });

  it('marks the fields protoc warns about in the corpus as deprecated', () => {
    // verdicts.tsv: "warnings: from_detection_checkpoint,num_examples,max_evals,max_number_of_boxes"
    for (const path of [
      'TrainConfig.from_detection_checkpoint',
      'EvalConfig.num_examples',
      'EvalConfig.max_evals',
      'TrainConfig.max_number_of_boxes',
    ]) {
      assert.equal(field(path).deprecated, true, path);
    }
    assert.equal(field('InputReader.max_number_of_boxes').deprecated, undefined);
    assert.equal(field('InputReader.queue_capacity').deprecated, true);
  });

  it('keeps defaults of the right type', () => {
    assert.equal(field('AdamOptimizer.epsilon').default, 1e-8);
    assert.equal(field('CenterNet.DeepMACMaskEstimation.mask_num_subsamples').default, -1);
    assert.equal(
      field('BidirectionalFeaturePyramidNetworks.combine_method').default,
      'fast_attention',
    );
    assert.equal(field('Hyperparams.activation').default, 'RELU');
    assert.deepEqual(field('Hyperparams.activation').type, {
      kind: 'enum',
      typeName: `${OD}.Hyperparams.Activation`,
    });
    assert.equal(field('Ssd.add_background_class').default, true);
    assert.equal(field('InputReader.tf_record_input_reader').oneof, 'input_reader');
    assert.equal(field('TFRecordInputReader.input_path').label, 'repeated');
  });

  it('resolves names from inside a message scope', () => {
    assert.equal(
      schema.resolve('Activation', `${OD}.Hyperparams`)?.fullName,
      `${OD}.Hyperparams.Activation`,
    );
    assert.equal(
      schema.resolve('Hyperparams', `${OD}.Ssd.MaskHead`)?.fullName,
      `${OD}.Hyperparams`,
    );
    assert.equal(schema.resolve('Activation', `${OD}.Ssd`), undefined);
  });
});
