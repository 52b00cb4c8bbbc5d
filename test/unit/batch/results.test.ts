import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchTally, formatLine, formatSummary, isImageName } from '../../../src/core/batch';

const RUN = { model: 'm', input: '/in', output: '/out', threshold: 0.5 };

describe('batch results', () => {
  it('counts detections per class and the images each class is in, most detections first', () => {
    const tally = new BatchTally();
    tally.add({
      image: 'a.jpg',
      prediction: [
        [17, 0.9, 0, 0, 1, 1],
        [17, 0.8, 0, 0, 1, 1],
        [1, 0.7, 0, 0, 1, 1],
      ],
    });
    tally.add({ image: 'b.png', prediction: [[1, 0.6, 0, 0, 1, 1]] });
    tally.add({ image: 'c.png', prediction: [] });
    tally.add({ image: 'd.png', error: 'not a JPEG or PNG image' });
    const summary = tally.summary({ ...RUN, complete: true }, new Map([[17, 'cat']]));
    assert.deepEqual(
      { ...summary },
      {
        complete: true,
        ...RUN,
        images: 4,
        succeeded: 3,
        failed: 1,
        detections: 4,
        classes: [
          { id: 1, detections: 2, images: 2 },
          { id: 17, name: 'cat', detections: 2, images: 1 },
        ],
        failures: [{ image: 'd.png', error: 'not a JPEG or PNG image' }],
      },
    );
    assert.match(formatSummary(summary), /^4 images, 4 detections at threshold 0.5, 1 failed\n/);
    assert.match(formatSummary(summary), /\n {2}cat: 2 in 1 image\n/);
    assert.match(formatSummary(summary), /\n {2}class 1: 2 in 2 images\n/);
  });

  it('names the first 20 failures and counts the rest; a partial summary says so', () => {
    const tally = new BatchTally();
    for (let i = 0; i < 25; i++) tally.add({ image: `${i}.jpg`, error: 'bad' });
    const summary = tally.summary({ ...RUN, complete: false });
    assert.equal(summary.failures.length, 20);
    assert.equal(summary.failed, 25);
    const text = formatSummary(summary);
    assert.match(text, /^PARTIAL: 25 images/);
    assert.match(text, /and 5 more failures/);
    assert.equal(summary.transformJob, undefined);
  });

  it('writes one JSON object per line', () => {
    const line = formatLine({ image: 'a b.jpg', prediction: [[1, 0.5, 0.1, 0.2, 0.3, 0.4]] });
    assert.equal(line, '{"image":"a b.jpg","prediction":[[1,0.5,0.1,0.2,0.3,0.4]]}\n');
    assert.deepEqual(JSON.parse(line), {
      image: 'a b.jpg',
      prediction: [[1, 0.5, 0.1, 0.2, 0.3, 0.4]],
    });
  });

  it('takes .jpg, .jpeg and .png in any case as images', () => {
    assert.deepEqual(['a.jpg', 'b.JPEG', 'c.Png', 'd.gif', 'e.jpg.txt', 'png'].map(isImageName), [
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
