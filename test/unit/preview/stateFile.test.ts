import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PreviewPanelState } from '../../../src/core/preview/protocol';
import { PanelStateFile, readPanelState } from '../../../src/core/preview/stateFile';

const state = (threshold: number): PreviewPanelState => ({
  source: { kind: 'model', path: '/m' },
  images: ['/w/chelsea.png'],
  threshold,
  hidden: [17],
});

describe("the preview's state file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfod-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the latest of many quick changes, and reads it back', async () => {
    const file = new PanelStateFile(join(dir, 'nested', 'preview-state.json'));
    for (let i = 0; i <= 100; i++) file.save(state(i / 100));
    await file.flushed();
    assert.deepEqual(await readPanelState(file.path), state(1));
    // A change after the flush is written too.
    file.save(state(0.25));
    await file.flushed();
    assert.equal(
      (JSON.parse(readFileSync(file.path, 'utf8')) as PreviewPanelState).threshold,
      0.25,
    );
  });

  it('reads nothing from a missing, broken or foreign file', async () => {
    assert.equal(await readPanelState(join(dir, 'missing.json')), undefined);
    writeFileSync(join(dir, 'broken.json'), '{"images": [');
    assert.equal(await readPanelState(join(dir, 'broken.json')), undefined);
    writeFileSync(join(dir, 'foreign.json'), JSON.stringify({ images: [1], threshold: 7 }));
    assert.equal(await readPanelState(join(dir, 'foreign.json')), undefined);
  });

  it('reports a write that fails, and keeps working', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const errors: unknown[] = [];
    const file = new PanelStateFile(join(dir, 'a-file', 'state.json'), (e) => errors.push(e));
    file.save(state(0.5));
    await file.flushed();
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /ENOTDIR|EEXIST/);
  });
});
