import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeDetectionExample, shardName, tfRecordFile } from '../../../src/core/records';
import { hover, languageContext } from '../../../src/schema/language';
import { NodeProjectHost, validateText } from '../../../src/schema/validate';
import { RecordsSummaries } from '../../../src/server/recordsSummaries';
import { jpegImage } from '../dataset/fixtures';

// The language server's view of the records an input_path names: read in the background by the
// same code as `tfod data inspect`, then shown on hover and checked against num_classes and the
// label map, on real record files.
const dir = mkdtempSync(join(tmpdir(), 'tfod-input-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const example = (labels: number[]) =>
  encodeDetectionExample({
    encoded: jpegImage(16, 16, labels[0]),
    format: 'jpeg',
    width: 16,
    height: 16,
    filename: 'x.jpg',
    sourceId: 'x.jpg',
    objects: labels.map((label) => ({
      xmin: 0.1,
      ymin: 0.1,
      xmax: 0.5,
      ymax: 0.5,
      label,
      text: `c${label}`,
    })),
  });

describe('input_path and the records it names', () => {
  it('counts records on hover and flags class ids above num_classes or missing from the label map', async () => {
    writeFileSync(
      join(dir, 'label_map.pbtxt'),
      "item { id: 1 name: 'c1' }\nitem { id: 2 name: 'c2' }\n",
    );
    writeFileSync(join(dir, shardName('train.record', 0, 2)), tfRecordFile([example([1, 2])]));
    writeFileSync(join(dir, shardName('train.record', 1, 2)), tfRecordFile([example([1, 3, 3])]));
    const config = join(dir, 'pipeline.config');
    const text =
      'model {\n  ssd {\n    num_classes: 2\n  }\n}\ntrain_input_reader {\n  label_map_path: "label_map.pbtxt"\n  tf_record_input_reader {\n    input_path: "train.record-?????-of-00002"\n  }\n}\n';
    writeFileSync(config, text);
    const ready: (readonly string[])[] = [];
    const summaries = new RecordsSummaries((files) => ready.push(files));
    const host = new NodeProjectHost([dir], undefined, (files) => summaries.get(files));
    const codes = () =>
      validateText(text, { path: config, host })
        .diagnostics.filter((d) => d.code.startsWith('records-'))
        .map((d) => [d.code, d.severity, text.slice(d.offset, d.offset + d.length), d.message]);
    const at = text.indexOf('train.record-') + 2;
    const hovered = () => hover(languageContext(text, { path: config, host }), at)?.contents ?? '';

    // First asked: read in the background, nothing claimed yet.
    assert.deepEqual(codes(), []);
    assert.match(hovered(), /2 TFRecord files in `[^`]+` \(counting their records\.\.\.\)/);
    await summaries.idle();
    const files = [0, 1].map((i) => join(dir, shardName('train.record', i, 2)));
    assert.deepEqual(ready, [files]);

    assert.deepEqual(codes(), [
      [
        'records-class-above-num-classes',
        'error',
        '"train.record-?????-of-00002"',
        'The records hold class id 3 (2 objects) above num_classes 2: the model has no output for it. Set `num_classes: 3` or fix the records (`tfod data inspect` lists them).',
      ],
      [
        'records-class-not-in-label-map',
        'warning',
        '"train.record-?????-of-00002"',
        'The records hold class id 3 (2 objects) that the label map does not have: evaluation and exported models cannot name it. Add it to the label map or fix the records.',
      ],
    ]);
    assert.match(hovered(), /2 TFRecord files in `[^`]+`: 2 records, 5 objects, class ids 1-3\./);

    // A file that changes is read again.
    writeFileSync(join(dir, shardName('train.record', 1, 2)), tfRecordFile([example([2])]));
    assert.deepEqual(codes(), []);
    await summaries.idle();
    assert.deepEqual(codes(), []);
    assert.match(hovered(), /: 2 records, 3 objects, class ids 1-2\./);
  });
});
