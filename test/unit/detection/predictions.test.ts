import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SCORE_THRESHOLD,
  isThreshold,
  labelFor,
  predictionFromBox,
  resolveDetectOptions,
  selectPredictions,
  type Prediction,
} from '../../../src/detection';

describe('selectPredictions', () => {
  const predictions: Prediction[] = [
    [1, 0.6, 0, 0, 1, 1],
    [2, 0.95, 0, 0, 1, 1],
    [3, 0.5, 0, 0, 1, 1],
    [4, 0.49, 0, 0, 1, 1],
    [5, 0.8, 0, 0, 1, 1],
  ];

  it('sorts by confidence, strongest first, keeping those at or above the threshold', () => {
    assert.deepEqual(
      selectPredictions(predictions, 0.5).map((p) => p[0]),
      [2, 5, 1, 3],
    );
  });

  it('caps the number kept after sorting', () => {
    assert.deepEqual(
      selectPredictions(predictions, 0, 2).map((p) => p[0]),
      [2, 5],
    );
  });

  it('does not reorder the list it was given', () => {
    const copy = predictions.map((p) => [...p]);
    selectPredictions(predictions, 0);
    assert.deepEqual(predictions, copy);
  });
});

describe('predictionFromBox', () => {
  it("reorders (ymin, xmin, ymax, xmax) into the seed's (xmin, ymin, xmax, ymax)", () => {
    assert.deepEqual(predictionFromBox(7, 0.9, 0.1, 0.2, 0.3, 0.4), [7, 0.9, 0.2, 0.1, 0.4, 0.3]);
  });

  it('clamps to 0..1, orders corners and treats NaN as 0', () => {
    assert.deepEqual(predictionFromBox(1, 0.9, 1.5, 0.8, -0.5, Number.NaN), [1, 0.9, 0, 0, 0.8, 1]);
  });
});

describe('resolveDetectOptions', () => {
  it('fills in the documented defaults', () => {
    assert.deepEqual(resolveDetectOptions(), {
      threshold: DEFAULT_SCORE_THRESHOLD,
      iouThreshold: 0.5,
      maxDetections: 100,
    });
    assert.equal(DEFAULT_SCORE_THRESHOLD, 0.5);
  });

  it('refuses values out of range', () => {
    assert.throws(
      () => resolveDetectOptions({ threshold: 1.5 }),
      /threshold must be a number from 0 to 1/,
    );
    assert.throws(() => resolveDetectOptions({ threshold: Number.NaN }), /threshold/);
    assert.throws(() => resolveDetectOptions({ iouThreshold: -1 }), /iouThreshold/);
    assert.throws(() => resolveDetectOptions({ maxDetections: 0 }), /maxDetections/);
  });

  it('accepts the edges 0 and 1', () => {
    assert.equal(resolveDetectOptions({ threshold: 0 }).threshold, 0);
    assert.equal(resolveDetectOptions({ threshold: 1 }).threshold, 1);
    assert.ok(isThreshold(0) && isThreshold(1) && !isThreshold('0.5') && !isThreshold(Infinity));
  });
});

describe('labelFor', () => {
  const labels = new Map([
    [1, 'person'],
    [17, 'cat'],
  ]);

  it('names a class from the label map', () => {
    assert.equal(labelFor(17, labels), 'cat');
  });

  it('falls back to the id when the map or the entry is missing', () => {
    assert.equal(labelFor(3, labels), 'class 3');
    assert.equal(labelFor(17), 'class 17');
  });
});
