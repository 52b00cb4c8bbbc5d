import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  encodeDetectionExample,
  readRecordPage,
  tfRecordFile,
  TfRecordReader,
  type RecordSpan,
} from '../../../src/core/records';
import { isWebviewMessage } from '../../../src/extension/records/protocol';
import { jpegImage } from '../dataset/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tfod-page-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the TFRecord viewer: a page of records', () => {
  it('reads only the page by offset: images, boxes named from the label map, problems', async () => {
    const images = Array.from({ length: 30 }, (_, i) => jpegImage(8, 8, i));
    const records = images.map((encoded, i) =>
      encodeDetectionExample({
        encoded,
        format: 'jpeg',
        width: 8,
        height: i === 13 ? 9 : 8,
        filename: `${i}.jpg`,
        sourceId: `${i}`,
        objects: [
          { xmin: 0.25, ymin: 0.25, xmax: 0.75, ymax: 0.75, label: (i % 3) + 1, text: `t${i % 3}` },
        ],
      }),
    );
    const file = tfRecordFile(records);
    const path = join(dir, 'x.record');
    writeFileSync(path, file);
    const reader = await TfRecordReader.open(path);
    try {
      const spans: RecordSpan[] = [];
      for await (const s of reader.scan()) if (!('problem' in s)) spans.push(s);
      const labels = {
        labelMap: {
          path: 'lm',
          names: new Map([
            [1, 'one'],
            [2, 'two'],
          ]),
        },
      };
      const page = await readRecordPage(reader, spans, 12, 12, labels);
      assert.deepEqual(
        page.map((p) => p.index),
        Array.from({ length: 12 }, (_, i) => 12 + i),
      );
      const first = page[0];
      assert.equal(first?.filename, '12.jpg');
      assert.equal(first?.offset, spans[12]?.offset);
      assert.deepEqual(first?.image, {
        mime: 'image/jpeg',
        base64: (images[12] as Buffer).toString('base64'),
      });
      // 12 % 3 + 1 = 1: named by the label map; id 3 is not in it and keeps its class/text.
      assert.deepEqual(first?.objects, [
        { xmin: 0.25, ymin: 0.25, xmax: 0.75, ymax: 0.75, label: 1, name: 'one' },
      ]);
      assert.equal(page[2]?.objects[0]?.name, 't2');
      assert.deepEqual(page[2]?.problems, [
        "object 0: class/label 3 ('t2') is not in the label map lm",
      ]);
      assert.match(page[1]?.problems[0] ?? '', /say 8 x 9 but the JPEG is 8 x 8/);
      assert.equal((await readRecordPage(reader, spans, 24, 12, labels)).length, 6);
    } finally {
      await reader.close();
    }
  });

  it('accepts only well-formed messages from the webview', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'page', requestId: 3, from: 24 }));
    for (const bad of [
      undefined,
      {},
      { type: 'page', requestId: 1 },
      { type: 'page', requestId: 1, from: -1 },
      { type: 'page', requestId: '1', from: 0 },
    ])
      assert.equal(isWebviewMessage(bad), false);
  });
});
