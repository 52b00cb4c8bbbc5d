import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_HYPERPARAMETERS,
  parseHyperparameters,
  toSageMakerHyperparameters,
} from '../../../src/core/training/hyperparameters';

describe('training hyperparameters', () => {
  it("defaults to the seed's values", () => {
    const parsed = parseHyperparameters({});
    assert.deepEqual(parsed.value, {
      numSteps: 100,
      quantize: false,
      imageSize: 300,
      inferenceType: 'FLOAT',
    });
    assert.deepEqual(parsed.problems, []);
  });

  it('reads the strings SageMaker writes to hyperparameters.json', () => {
    const parsed = parseHyperparameters({
      num_steps: '5000',
      quantize: 'True',
      image_size: '320',
      inference_type: 'quantized_uint8',
    });
    assert.deepEqual(parsed.value, {
      numSteps: 5000,
      quantize: true,
      imageSize: 320,
      inferenceType: 'QUANTIZED_UINT8',
    });
    assert.deepEqual(parsed.problems, []);
  });

  it('accepts plain JSON numbers and booleans too', () => {
    const parsed = parseHyperparameters({ num_steps: 10, quantize: false });
    assert.equal(parsed.value.numSteps, 10);
    assert.equal(parsed.problems.length, 0);
  });

  it('reports every bad value at once, naming the parameter and what is allowed', () => {
    const parsed = parseHyperparameters({
      num_steps: '-5',
      quantize: 'maybe',
      image_size: '1.5',
      inference_type: 'INT8',
    });
    const messages = parsed.problems.map((p) => `${p.severity}: ${p.message}`);
    assert.deepEqual(messages, [
      'error: num_steps must be a whole number between 1 and 100000000, got "-5"',
      'error: quantize must be true or false, got "maybe"',
      'error: image_size must be a whole number between 32 and 4096, got "1.5"',
      'error: inference_type must be FLOAT or QUANTIZED_UINT8, got "INT8"',
    ]);
    assert.deepEqual(parsed.value, DEFAULT_HYPERPARAMETERS, 'bad values fall back to defaults');
  });

  it('suggests the name a typo meant, and ignores keys SageMaker adds', () => {
    const parsed = parseHyperparameters({ num_step: '10', sagemaker_region: '"us-east-1"' });
    assert.equal(parsed.problems.length, 1);
    assert.match(
      parsed.problems[0]?.message ?? '',
      /unknown hyperparameter 'num_step'; did you mean 'num_steps'\?/,
    );
  });

  it('warns when TFLite settings are given without quantize', () => {
    const parsed = parseHyperparameters({ inference_type: 'QUANTIZED_UINT8', image_size: '320' });
    assert.deepEqual(
      parsed.problems.map((p) => [p.name, p.severity]),
      [
        ['inference_type', 'warning'],
        ['image_size', 'warning'],
      ],
    );
  });

  it('is not fooled by non-object input', () => {
    for (const bad of [null, [], 'num_steps=5', 3]) {
      assert.equal(parseHyperparameters(bad).problems[0]?.severity, 'error');
    }
  });

  it('round-trips through the strings sent to CreateTrainingJob', () => {
    const value = {
      numSteps: 2500,
      quantize: true,
      imageSize: 224,
      inferenceType: 'QUANTIZED_UINT8' as const,
    };
    const strings = toSageMakerHyperparameters(value);
    for (const v of Object.values(strings)) assert.equal(typeof v, 'string');
    assert.deepEqual(parseHyperparameters(strings).value, value);
  });
});
