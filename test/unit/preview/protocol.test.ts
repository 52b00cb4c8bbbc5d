import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isPreviewPanelState,
  isPreviewSource,
  isWebviewMessage,
} from '../../../src/core/preview/protocol';

describe('preview protocol guards', () => {
  it('accepts the webview messages the host handles', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'addImages', requestId: 1 },
      { type: 'chooseSource', requestId: 2 },
      { type: 'rerun', requestId: 3 },
      { type: 'removeImage', requestId: 4, path: '/w/a.png' },
      { type: 'export', requestId: 5, path: '/w/a.png', dataUrl: 'data:image/png;base64,iVBO' },
      { type: 'view', threshold: 0.3, hidden: [1, 17] },
      { type: 'chooseLabelFile', requestId: 6 },
      { type: 'labels', choice: 'ids' },
      { type: 'labels', choice: 'auto' },
    ])
      assert.ok(isWebviewMessage(message), JSON.stringify(message));
  });

  it('refuses anything else', () => {
    for (const message of [
      undefined,
      null,
      'ready',
      { type: 'launch' },
      { type: 'rerun' },
      { type: 'rerun', requestId: '3' },
      { type: 'addImages', requestId: 1.5 },
      { type: 'export', requestId: 5, path: '/w/a.png', dataUrl: 'data:text/html;base64,PGI+' },
      { type: 'export', requestId: 5, dataUrl: 'data:image/png;base64,iVBO' },
      { type: 'view', threshold: 1.5, hidden: [] },
      { type: 'view', threshold: 0.5, hidden: ['cat'] },
      { type: 'view', threshold: Number.NaN, hidden: [] },
      { type: 'chooseLabelFile' },
      { type: 'labels', choice: 'coco' },
      // A file is only ever chosen through the host's dialog, never named by the webview.
      { type: 'labels', choice: 'file' },
    ])
      assert.equal(isWebviewMessage(message), false, JSON.stringify(message));
  });

  it('checks the sources a restored panel may name', () => {
    assert.ok(isPreviewSource({ kind: 'model', path: '/m' }));
    assert.ok(isPreviewSource({ kind: 'url', url: 'http://127.0.0.1:8080' }));
    assert.ok(isPreviewSource({ kind: 'sagemaker', endpoint: 'e' }));
    assert.equal(isPreviewSource({ kind: 'url', url: 'file:///etc/passwd' }), false);
    assert.equal(isPreviewSource({ kind: 'model', path: '' }), false);
    assert.equal(isPreviewSource({ kind: 'ftp', url: 'x' }), false);
  });

  it('restores only well-formed state', () => {
    assert.ok(isPreviewPanelState({ images: [], threshold: 0.5, hidden: [] }));
    assert.ok(
      isPreviewPanelState({
        source: { kind: 'model', path: '/m' },
        images: ['/w/chelsea.png'],
        threshold: 0.3,
        hidden: [17],
      }),
    );
    assert.equal(isPreviewPanelState({ images: [], threshold: 2, hidden: [] }), false);
    assert.equal(isPreviewPanelState({ images: [3], threshold: 0.5, hidden: [] }), false);
    assert.equal(
      isPreviewPanelState({ source: { kind: 'x' }, images: [], threshold: 0.5, hidden: [] }),
      false,
    );
    assert.equal(isPreviewPanelState(undefined), false);
    assert.ok(
      isPreviewPanelState({
        images: [],
        threshold: 0.5,
        hidden: [],
        labels: 'file',
        labelFile: '/w/mscoco_label_map.pbtxt',
      }),
    );
    assert.equal(
      isPreviewPanelState({ images: [], threshold: 0.5, hidden: [], labels: 'pets' }),
      false,
    );
    assert.equal(
      isPreviewPanelState({ images: [], threshold: 0.5, hidden: [], labelFile: 7 }),
      false,
    );
  });
});
