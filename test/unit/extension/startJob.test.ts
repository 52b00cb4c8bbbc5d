import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { validateTrainingJobSpec } from '../../../src/core/jobs';
import { profileFromSpec, readJobProfile, specFromProfile } from '../../../src/core/jobs/profile';
import { IMAGE, ROLE, sampleSpec } from '../sagemaker/fixtures';

const base = {
  image: IMAGE,
  roleArn: ROLE,
  outputPath: 's3://my-bucket/output/',
  channels: { training: 's3://my-bucket/data/' },
};

describe('saved job profiles (.tfod/job.json)', () => {
  it('fills in the defaults (GPU instance first) and a fresh name', () => {
    const spec = specFromProfile(base, 'job.json', new Date('2024-01-31T23:59:59Z'));
    assert.equal(spec.name, 'tfod-20240131-235959');
    assert.equal(spec.instanceType, 'ml.p3.2xlarge');
    assert.equal(spec.instanceCount, 1);
    assert.deepEqual(spec.hyperparameters, {
      numSteps: 100,
      quantize: false,
      imageSize: 300,
      inferenceType: 'FLOAT',
    });
    assert.deepEqual(
      validateTrainingJobSpec(spec).filter((p) => p.severity === 'error'),
      [],
    );
  });

  it('round-trips a spec through the saved form (SageMaker hyperparameter names)', () => {
    const spec = sampleSpec();
    const saved = profileFromSpec(spec);
    assert.equal((saved.hyperparameters as Record<string, string>).num_steps, '5000');
    assert.equal('name' in saved, false);
    assert.deepEqual({ ...specFromProfile(saved, 'x'), name: spec.name }, spec);
  });

  it('reads spot, maxWaitSeconds and checkpointsPath, and saves them back', () => {
    const spec = specFromProfile(
      { ...base, spot: true, maxWaitSeconds: '172800', checkpointsPath: 's3://my-bucket/ckpt/' },
      'job.json',
    );
    assert.equal(spec.spot, true);
    assert.equal(spec.maxWaitSeconds, 172_800);
    assert.equal(spec.checkpointsPath, 's3://my-bucket/ckpt/');
    const saved = profileFromSpec(spec);
    assert.deepEqual(
      [saved.spot, saved.maxWaitSeconds, saved.checkpointsPath],
      [true, 172_800, 's3://my-bucket/ckpt/'],
    );
    assert.equal('spot' in profileFromSpec(sampleSpec()), false, 'on-demand saves no spot field');
    assert.throws(
      () => specFromProfile({ ...base, spot: 'yes' }, 'job.json'),
      /'spot' must be true or false/,
    );
  });

  it('lists every problem of a broken profile at once', () => {
    assert.throws(
      () =>
        specFromProfile(
          { image: 3, channels: {}, hyperparameters: { num_step: 5 }, extra: 1 },
          'job.json',
        ),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, /^job.json is not a usable job profile: /);
        for (const part of [
          "unknown field 'extra'",
          "'image' must be a string",
          "'roleArn' is missing",
          "'channels.training' is missing",
          "did you mean 'num_steps'",
        ])
          assert.ok(error.message.includes(part), part);
        return true;
      },
    );
  });

  it('reads a file and lays flags over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-profile-'));
    try {
      const file = join(dir, 'job.json');
      writeFileSync(
        file,
        JSON.stringify({ ...base, hyperparameters: { num_steps: '10', quantize: 'true' } }),
      );
      const spec = await readJobProfile(file, {
        hyperparameters: { num_steps: '20' },
        channels: { checkpoint: 's3://my-bucket/ckpt/' },
      });
      assert.equal(spec.hyperparameters.numSteps, 20);
      assert.equal(spec.hyperparameters.quantize, true, 'kept from the file');
      assert.deepEqual(spec.channels, {
        training: 's3://my-bucket/data/',
        checkpoint: 's3://my-bucket/ckpt/',
      });
      writeFileSync(file, '{ not json');
      await assert.rejects(readJobProfile(file), /is not valid JSON/);
      await assert.rejects(
        readJobProfile(join(dir, 'none.json')),
        /cannot read the job profile .* \(ENOENT\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
