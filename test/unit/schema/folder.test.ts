// loadSchemaFromProtoFolder on folders laid out the ways users keep protos (temporary folders with
// small protos written here).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LABEL_MAP, PIPELINE_CONFIG, loadSchemaFromProtoFolder } from '../../../src/schema';

const PIPELINE = `syntax = "proto2";
package object_detection.protos;
import "object_detection/protos/train.proto";
message TrainEvalPipelineConfig { optional TrainConfig train_config = 2; }
`;
const TRAIN = `syntax = "proto2";
package object_detection.protos;
message TrainConfig { optional uint32 batch_size = 1 [default = 32]; }
`;
const LABELS = `syntax = "proto2";
package object_detection.protos;
message StringIntLabelMap { repeated StringIntLabelMapItem item = 1; }
message StringIntLabelMapItem { optional string name = 1; optional int32 id = 2; }
`;

describe('loadSchemaFromProtoFolder', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tfod-protos-'));
    const tree = join(root, 'tree', 'object_detection', 'protos');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'pipeline.proto'), PIPELINE);
    await writeFile(join(tree, 'train.proto'), TRAIN);
    await writeFile(join(tree, 'string_int_label_map.proto'), LABELS);
    await mkdir(join(root, 'flat'));
    await writeFile(join(root, 'flat', 'pipeline.proto'), PIPELINE);
    await writeFile(join(root, 'flat', 'train.proto'), TRAIN.replace('= 32', '= 64'));
    await mkdir(join(root, 'broken'));
    await writeFile(
      join(root, 'broken', 'pipeline.proto'),
      `${PIPELINE}message Bad {\n  optional int32 = 1;\n}\n`,
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads an import root holding object_detection/protos', async () => {
    const result = await loadSchemaFromProtoFolder(join(root, 'tree'));
    assert.deepEqual(result.errors, []);
    assert.equal(result.files.length, 3);
    assert.equal(
      result.schema.field('object_detection.protos.TrainConfig', 'batch_size')?.default,
      32,
    );
    assert.ok(result.schema.message(LABEL_MAP));
  });

  it('reads the protos folder itself', async () => {
    const result = await loadSchemaFromProtoFolder(
      join(root, 'tree', 'object_detection', 'protos'),
    );
    assert.deepEqual(result.errors, []);
    assert.ok(result.schema.message(PIPELINE_CONFIG));
  });

  it('reads a flat folder, matching imports by file name', async () => {
    const result = await loadSchemaFromProtoFolder(join(root, 'flat'));
    assert.equal(
      result.schema.field('object_detection.protos.TrainConfig', 'batch_size')?.default,
      64,
    );
    const train = result.schema.field(PIPELINE_CONFIG, 'train_config');
    assert.equal(
      train?.type.kind === 'message' && train.type.typeName,
      'object_detection.protos.TrainConfig',
    );
    // The label map proto is missing: said once, not thrown.
    assert.deepEqual(
      result.errors.map((e) => e.message),
      [`the .proto files in this folder do not define ${LABEL_MAP}`],
    );
  });

  it('reports errors with the absolute file path and line', async () => {
    const result = await loadSchemaFromProtoFolder(join(root, 'broken'));
    const bad = result.errors.find((e) => e.message.startsWith('expected a name'));
    assert.equal(bad?.file, join(root, 'broken', 'pipeline.proto'));
    assert.equal(bad?.line, 6);
  });

  it('reports a missing folder instead of throwing', async () => {
    const result = await loadSchemaFromProtoFolder(join(root, 'nowhere'));
    assert.equal(result.schema.size, 0);
    assert.match(result.errors[0]?.message ?? '', /cannot read the folder/);
  });
});
