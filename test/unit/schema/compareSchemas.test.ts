// The comparison behind compare-with-protos.ts finds the differences it is there to find.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LABEL_MAP,
  PIPELINE_CONFIG,
  Schema,
  objectDetectionSchema,
  type MessageType,
} from '../../../src/schema';
import { compareSchemas } from './compareSchemas';

const ROOTS = [PIPELINE_CONFIG, LABEL_MAP];

describe('compareSchemas', () => {
  it('finds no difference between the built-in schema and itself', () => {
    const schema = objectDetectionSchema();
    assert.deepEqual(compareSchemas(schema, new Schema(schema.all()), ROOTS), []);
  });

  it('reports a changed field number, default or deprecation, ignoring docs', () => {
    const schema = objectDetectionSchema();
    const changed = [...schema.all()].map((t) => {
      if (t.fullName !== 'object_detection.protos.StringIntLabelMapItem') return t;
      const m = t as MessageType;
      return {
        ...m,
        doc: 'another doc',
        fields: m.fields.map((f) =>
          f.name === 'id' ? { ...f, number: 99, deprecated: true, doc: 'x' } : f,
        ),
      };
    });
    const out = compareSchemas(schema, new Schema(changed), ROOTS);
    assert.equal(out.length, 1);
    assert.match(out[0] as string, /StringIntLabelMapItem: field id \[2,.*\] vs \[99,.*true\]/);
  });

  it('reports types missing from the protos', () => {
    const schema = objectDetectionSchema();
    const fewer = [...schema.all()].filter((t) => !t.fullName.endsWith('.KeypointBoxCoder'));
    const out = compareSchemas(schema, new Schema(fewer), ROOTS);
    assert.deepEqual(out, ['object_detection.protos.KeypointBoxCoder: missing from the protos']);
  });
});
