// The webviews' localisation end to end without a browser: the page the host builds
// (src/extension/webviewPage.ts) carries `vscode.l10n.bundle` as a JSON data block, and the
// webviews' t() (media/common/l10n.ts) reads that block's text, translates through it and falls
// back to English; without a bundle (English) the page is as it always was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBundle, t, translator } from '../../../media/common/l10n';
import { sortDroppedFiles } from '../../../media/preview/drop';
import { imagesFromRecords } from '../../../media/evaluation/view';
import { L10N_BLOCK_ID, webviewPage, type WebviewPage } from '../../../src/extension/webviewPage';

const page: WebviewPage = {
  language: 'en',
  csp: "default-src 'none'; script-src 'nonce-abc'",
  nonce: 'abc',
  script: 'https://file+.vscode-resource/dist/media/records.js',
  style: 'https://file+.vscode-resource/dist/media/records.css',
  title: 'TFRecord viewer',
  bundle: undefined,
};

/** A German bundle with messages that would break out of the page if written raw. */
const german = {
  Next: 'Weiter',
  'records {0}-{1} of {2}': 'Datensätze {0} bis {1} von {2}',
  '{0} of {1} detections shown': 'von {1} Erkennungen {0} gezeigt',
  '(no filename)': '(kein Dateiname </script><script>alert(1)</script> & "x")',
  'no image to show': '',
};

/** The text of the page's data block, as the browser hands it to textContent. */
function blockText(html: string): string | undefined {
  const match = new RegExp(
    `<script type="application/json" id="${L10N_BLOCK_ID}">([\\s\\S]*?)</script>`,
  ).exec(html);
  return match?.[1];
}

describe('webview localisation', () => {
  it("puts the display language's bundle in the page, where t() finds every message", () => {
    const html = webviewPage({ ...page, language: 'de', bundle: german });
    assert.match(html, /<html lang="de">/);
    const text = blockText(html);
    assert.ok(text, 'the page has the translation data block');
    // A message cannot end the block early: its '<' is written as a JSON escape.
    assert.doesNotMatch(text, /</);
    assert.deepEqual(parseBundle(text), german);
    // The one script that runs is still the nonce'd bundle, after the data the script reads.
    assert.equal(html.match(/<script nonce="abc" src="[^"]+records\.js"><\/script>/g)?.length, 1);
    assert.ok(html.indexOf(L10N_BLOCK_ID) < html.indexOf('<script nonce='));
    assert.ok(html.includes(`content="${page.csp}"`));

    const tr = translator(parseBundle(text));
    assert.equal(tr('Next'), 'Weiter');
    assert.equal(tr('records {0}-{1} of {2}', 1, 20, 57), 'Datensätze 1 bis 20 von 57');
    // A translation may put the placeholders in its own order.
    assert.equal(tr('{0} of {1} detections shown', 3, 7), 'von 7 Erkennungen 3 gezeigt');
    assert.equal(tr('(no filename)'), '(kein Dateiname </script><script>alert(1)</script> & "x")');
  });

  it('falls back to English for a message the bundle lacks or leaves empty', () => {
    const tr = translator(german);
    assert.equal(tr('Previous'), 'Previous');
    assert.equal(tr('{0} objects', 4), '4 objects');
    assert.equal(tr('no image to show'), 'no image to show');
    // An argument missing leaves its placeholder; a key of Object.prototype is not a message.
    assert.equal(tr('{0} and {1}', 'a'), 'a and {1}');
    assert.equal(tr('constructor'), 'constructor');
  });

  it('shows English when the page has no bundle or an unreadable one', () => {
    const html = webviewPage(page);
    assert.equal(blockText(html), undefined);
    assert.doesNotMatch(html, /application\/json/);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>TFRecord viewer<\/title>/);
    for (const text of [undefined, null, '', '[1,2]', 'not json', '"Weiter"'])
      assert.equal(parseBundle(text), undefined, String(text));
    assert.deepEqual(parseBundle('{"Next":"Weiter","Previous":3}'), { Next: 'Weiter' });
    assert.equal(
      translator(undefined)('records {0}-{1} of {2}', 21, 40, 57),
      'records 21-40 of 57',
    );
  });

  it("gives the webview modules' t() the English text outside a page (as in these tests)", () => {
    assert.equal(t('{0} ms', 42), '42 ms');
    assert.equal(imagesFromRecords(12, 1), '12 images from 1 record file');
    assert.equal(imagesFromRecords(12, 3), '12 images from 3 record files');
    const file = (name: string) => ({ name, size: 10 }) as File;
    assert.deepEqual(sortDroppedFiles([file('notes.txt')]).refused, [
      'notes.txt is not a PNG or JPEG image',
    ]);
  });

  it('escapes a translated title in the page', () => {
    const html = webviewPage({ ...page, title: 'Modell <Bewertung> & "mehr"' });
    assert.match(html, /<title>Modell &lt;Bewertung&gt; &amp; &quot;mehr&quot;<\/title>/);
  });
});
