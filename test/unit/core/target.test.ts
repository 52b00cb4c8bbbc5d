import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import {
  DEFAULT_TARGET,
  describeTarget,
  isTargetKind,
  parseTarget,
  TARGET_KINDS,
} from '../../../src/core/target';

describe('targets', () => {
  it('has local as the default, and exactly local and sagemaker', () => {
    assert.equal(DEFAULT_TARGET, 'local');
    assert.deepEqual([...TARGET_KINDS], ['local', 'sagemaker']);
  });

  it('parses names the way a user types them', () => {
    assert.equal(parseTarget('local'), 'local');
    assert.equal(parseTarget(' SageMaker '), 'sagemaker');
  });

  it('rejects an unknown target with the allowed values', () => {
    assert.throws(
      () => parseTarget('aws', '--target'),
      (error: unknown) =>
        error instanceof UserError &&
        error.toLine() === "unknown --target 'aws'. Use one of: local, sagemaker (default local)",
    );
  });

  it('describes every target', () => {
    for (const kind of TARGET_KINDS) {
      assert.equal(describeTarget(kind).kind, kind);
      assert.ok(describeTarget(kind).detail.length > 10);
    }
    assert.equal(isTargetKind('docker'), false);
    assert.equal(isTargetKind(undefined), false);
  });
});
