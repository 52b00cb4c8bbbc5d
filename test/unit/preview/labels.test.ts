import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseLabels, idsOutside, listClassIds } from '../../../src/core/preview/labels';
import type { LabelMapOffer } from '../../../src/core/preview/protocol';

// The COCO ids of the issue's photo: a dog (18), a car (3) and a person (1), and one beyond the
// pet label map's 37 classes (a cat, 17, fits; a toothbrush, 90, does not).
const coco: LabelMapOffer = {
  origin: 'model',
  shown: 'model/label_map.pbtxt',
  labels: [
    [1, 'person'],
    [3, 'car'],
    [17, 'cat'],
    [18, 'dog'],
    [90, 'toothbrush'],
  ],
};
const pets: LabelMapOffer = {
  origin: 'workspace',
  shown: 'data/pet_label_map.pbtxt',
  labels: Array.from({ length: 37 }, (_, i) => [i + 1, `breed ${i + 1}`] as const),
};
const shapes: LabelMapOffer = {
  origin: 'workspace',
  shown: 'sample/label_map.pbtxt',
  labels: [
    [1, 'square'],
    [2, 'disc'],
  ],
};
const chosen: LabelMapOffer = { ...coco, origin: 'file', shown: '/tmp/mscoco_label_map.pbtxt' };

describe('preview: which label map names the classes', () => {
  it("takes the model's own label map first, even when a workspace one fits", () => {
    const d = chooseLabels([shapes, coco, pets], 'auto', [18, 3]);
    assert.equal(d.from, coco);
    assert.equal(d.names.get(18), 'dog');
    assert.match(d.note, /from the model's label map model\/label_map\.pbtxt/);
    assert.equal(d.banner, undefined);
  });

  it("says so when the model's own label map lacks ids it returned", () => {
    const d = chooseLabels([coco], 'auto', [1, 44, 91]);
    assert.deepEqual(d.missing, [44, 91]);
    assert.match(d.banner ?? '', /class 44, class 91.*trained with/);
  });

  it('borrows a workspace label map only when the model has none and every id fits, and says so', () => {
    const d = chooseLabels([shapes], 'auto', [1, 2]);
    assert.equal(d.from, shapes);
    assert.equal(d.names.get(2), 'disc');
    assert.match(
      d.note,
      /workspace's label map sample\/label_map\.pbtxt: the model has no label map/,
    );
    assert.equal(d.banner, undefined);
  });

  it('picks, among workspace label maps, the first that every returned id fits', () => {
    const d = chooseLabels([shapes, pets], 'auto', [1, 18]);
    assert.equal(d.from, pets);
  });

  it('shows ids and a banner, not wrong names, when the ids do not fit the workspace map', () => {
    // A COCO endpoint's cat (17) and toothbrush (90) against the sample's two shapes.
    const d = chooseLabels([shapes], 'auto', [17, 90, 17]);
    assert.equal(d.names.size, 0);
    assert.equal(d.from, undefined);
    assert.deepEqual(d.missing, [17, 90]);
    assert.match(d.banner ?? '', /class 17, class 90.*sample\/label_map\.pbtxt.*another model's/);
  });

  it("does not name a COCO model's dogs after pet breeds once an id falls outside the pet map", () => {
    const d = chooseLabels([pets], 'auto', [18, 3, 90]);
    assert.equal(d.names.get(18), undefined);
    assert.deepEqual(d.missing, [90]);
    assert.ok(d.banner);
  });

  it('follows the choice in Labels', () => {
    assert.equal(chooseLabels([coco, pets], 'ids', [1]).names.size, 0);
    assert.match(chooseLabels([coco, pets], 'ids', [1]).note, /ids only/);
    const file = chooseLabels([pets, chosen], 'file', [18]);
    assert.equal(file.from, chosen);
    assert.equal(file.names.get(18), 'dog');
    // Chosen on purpose: used even when ids do not fit, with the banner.
    const forced = chooseLabels([shapes], 'workspace', [17]);
    assert.equal(forced.from, shapes);
    assert.deepEqual(forced.missing, [17]);
    assert.match(forced.banner ?? '', /class 17.*another model's/);
    const none = chooseLabels([shapes], 'model', [1]);
    assert.equal(none.names.size, 0);
    assert.match(none.note, /no label map of its own/);
    // 'file' with no file loaded falls back to the automatic choice.
    assert.equal(chooseLabels([coco], 'file', [1]).from, coco);
  });

  it('says how to get names when there is no label map', () => {
    const d = chooseLabels([], 'auto', [1]);
    assert.equal(d.names.size, 0);
    assert.match(d.note, /No label map.*choose a file in Labels/);
  });
});

describe('preview: class id helpers', () => {
  it('lists the ids a label map lacks, ascending, once each', () => {
    assert.deepEqual(idsOutside(new Map(shapes.labels), [5, 1, 3, 5]), [3, 5]);
    assert.deepEqual(idsOutside(new Map(shapes.labels), []), []);
  });

  it('names at most a few ids, then how many more', () => {
    assert.equal(listClassIds([1, 2]), 'class 1, class 2');
    assert.equal(listClassIds([1, 2, 3, 4], 2), 'class 1, class 2 and 2 more');
  });
});
