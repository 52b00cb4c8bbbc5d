import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  carriesDroppable,
  readAsBase64,
  readDrop,
  sortDroppedFiles,
  type DropData,
} from '../../../media/preview/drop';
import {
  isInside,
  pruneDroppedFiles,
  resolveDroppedResources,
  safeFileName,
  storeDroppedFile,
  touchDroppedFile,
} from '../../../src/core/preview/drop';
import {
  isWebviewMessage,
  MAX_DROPPED_FILE_BYTES,
  MAX_DROPPED_IMAGES,
  parseUriList,
} from '../../../src/core/preview/protocol';
import { UserError } from '../../../src/core/errors';

const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

/** The part of a DataTransfer readDrop uses: its files and getData by (case-insensitive) type. */
function transfer(files: File[], data: Record<string, string>): DropData {
  const byType = new Map(Object.entries(data).map(([k, v]) => [k.toLowerCase(), v]));
  return { files, getData: (type: string) => byType.get(type.toLowerCase()) ?? '' };
}

describe('preview drops: what the webview takes from a DataTransfer', () => {
  it('takes drags of files, URI lists and the Explorer resources, whatever their case', () => {
    assert.ok(carriesDroppable(['Files']));
    assert.ok(carriesDroppable(['text/plain', 'text/uri-list']));
    assert.ok(carriesDroppable(['application/vnd.code.uri-list']));
    assert.ok(carriesDroppable(['resourceurls', 'codeeditors']));
    assert.equal(carriesDroppable(['text/plain', 'text/html']), false);
    assert.equal(carriesDroppable([]), false);
  });

  it('prefers the files (exact bytes), then a URI list, then the Explorer resources', () => {
    const file = new File([PNG_SIGNATURE], 'cat.png', { type: 'image/png' });
    const both = readDrop(transfer([file], { 'text/uri-list': 'file:///w/dog.png' }));
    assert.equal(both?.kind, 'files');
    assert.deepEqual(
      readDrop(
        transfer([], {
          'text/uri-list': '# a comment\r\nfile:///w/a.png\r\n\r\nfile:///w/b%20c.jpg\r\n',
        }),
      ),
      { kind: 'uris', uris: ['file:///w/a.png', 'file:///w/b%20c.jpg'] },
    );
    assert.deepEqual(
      readDrop(transfer([], { ResourceURLs: JSON.stringify(['file:///w/photos', 7]) })),
      { kind: 'uris', uris: ['file:///w/photos'] },
    );
    assert.equal(readDrop(transfer([], { ResourceURLs: '{not json' })), undefined);
    assert.equal(readDrop(transfer([], { 'text/plain': 'hello' })), undefined);
  });

  it('refuses files not named as images, or too large to send, saying which and why', () => {
    const ok = new File([PNG_SIGNATURE], 'ok.JPG');
    const text = new File(['hello'], 'notes.txt');
    const huge = new File([PNG_SIGNATURE], 'huge.png');
    Object.defineProperty(huge, 'size', { value: MAX_DROPPED_FILE_BYTES + 1 });
    const { send, refused } = sortDroppedFiles([ok, text, huge]);
    assert.deepEqual(
      send.map((f) => f.name),
      ['ok.JPG'],
    );
    assert.deepEqual(refused, [
      'notes.txt is not a PNG or JPEG image',
      'huge.png is 50 MiB, over the 50 MiB a dropped image may have',
    ]);
  });
});

describe('preview drops: the bytes sent', () => {
  it('encodes a file as the base64 the host decodes, across slice boundaries', async () => {
    const bytes = new Uint8Array(0x8000 * 2 + 7).map((_, i) => (i * 31 + 7) % 256);
    const read = await readAsBase64(new File([bytes], 'big.png'));
    assert.equal(read.name, 'big.png');
    assert.deepEqual(new Uint8Array(Buffer.from(read.base64, 'base64')), bytes);
    assert.deepEqual(await readAsBase64(new File([], 'empty.png')), {
      name: 'empty.png',
      base64: '',
    });
  });
});

describe('preview drops: the messages', () => {
  it('accepts well-formed drop messages and refuses the rest', () => {
    assert.ok(isWebviewMessage({ type: 'dropUris', requestId: 1, uris: ['file:///w/a.png'] }));
    assert.ok(
      isWebviewMessage({ type: 'dropFile', requestId: 2, file: { name: 'a.png', base64: '' } }),
    );
    assert.ok(
      isWebviewMessage({
        type: 'dropFile',
        requestId: 2,
        file: { name: 'a.png', base64: Buffer.from(PNG_SIGNATURE).toString('base64') },
      }),
    );
    for (const bad of [
      { type: 'dropUris', requestId: 1, uris: [] },
      { type: 'dropUris', requestId: 1, uris: [''] },
      { type: 'dropUris', uris: ['file:///w/a.png'] },
      {
        type: 'dropUris',
        requestId: 1,
        uris: Array.from({ length: MAX_DROPPED_IMAGES + 1 }, (_, i) => `file:///w/${i}.png`),
      },
      { type: 'dropFile', requestId: 2 },
      { type: 'dropFile', requestId: 2, file: { name: '', base64: '' } },
      { type: 'dropFile', requestId: 2, file: { name: 'a.png', base64: 'not base64!' } },
      { type: 'dropFile', requestId: 2, file: { name: 'a.png' } },
      { type: 'dropFiles', requestId: 2, files: [{ name: 'a.png', base64: '' }] },
    ])
      assert.equal(isWebviewMessage(bad), false, JSON.stringify(bad).slice(0, 120));
  });

  it('parses a URI list as RFC 2483 says', () => {
    assert.deepEqual(parseUriList(''), []);
    assert.deepEqual(parseUriList('#only a comment'), []);
    assert.deepEqual(parseUriList('  file:///a.png  \nhttp://x/b.jpg'), [
      'file:///a.png',
      'http://x/b.jpg',
    ]);
  });
});

describe('preview drops: the host keeps dropped bytes', () => {
  const root = mkdtempSync(join(tmpdir(), 'tfod-drops-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('makes file names safe: no folders, no odd characters, never empty', () => {
    assert.equal(safeFileName('../../etc/passwd.png'), 'passwd.png');
    assert.equal(safeFileName('C:\\Users\\me\\cat photo.jpg'), 'cat photo.jpg');
    assert.equal(safeFileName('..hidden.png'), 'hidden.png');
    assert.equal(safeFileName('a<b>:c?.png'), 'a_b__c_.png');
    assert.equal(safeFileName('/'), 'dropped-image');
    assert.equal(safeFileName(`${'x'.repeat(300)}.png`).length, 100);
    // Letters of any script stay; an image's extension is never lost.
    assert.equal(safeFileName('猫 café.jpg'), '猫 café.jpg');
    assert.equal(safeFileName('.png'), 'dropped-image.png');
    assert.equal(safeFileName('..JPG'), 'dropped-image.JPG');
  });

  it('stores bytes by content: the same picture twice is one file, another is another', async () => {
    const first = await storeDroppedFile(root, 'cat.png', PNG_SIGNATURE);
    const again = await storeDroppedFile(root, 'cat.png', PNG_SIGNATURE);
    const other = await storeDroppedFile(root, 'cat.png', Uint8Array.from([1, 2, 3]));
    assert.equal(first, again);
    assert.notEqual(dirname(first), dirname(other));
    assert.equal(basename(first), 'cat.png');
    assert.equal(dirname(dirname(first)), root);
    assert.deepEqual(new Uint8Array(readFileSync(first)), PNG_SIGNATURE);
  });

  it('refuses a file not named as an image, and one over the limit, with a fix', async () => {
    await assert.rejects(
      storeDroppedFile(root, 'evil.sh', PNG_SIGNATURE),
      (e: unknown) =>
        e instanceof UserError && /evil\.sh is not a PNG or JPEG image/.test(e.message),
    );
    await assert.rejects(
      storeDroppedFile(root, 'big.png', new Uint8Array(MAX_DROPPED_FILE_BYTES + 1)),
      (e: unknown) =>
        e instanceof UserError && /big\.png is 50 MiB, over the 50 MiB/.test(e.message),
    );
  });

  it('prunes old drops the panel no longer shows, and keeps the rest', async () => {
    const pruneRoot = join(root, 'prune');
    const shown = await storeDroppedFile(pruneRoot, 'shown.png', Uint8Array.from([1]));
    const old = await storeDroppedFile(pruneRoot, 'old.png', Uint8Array.from([2]));
    const fresh = await storeDroppedFile(pruneRoot, 'fresh.png', Uint8Array.from([3]));
    const day = 24 * 3600;
    const now = Date.now();
    for (const path of [shown, old]) {
      const then = new Date(now - 40 * day * 1000);
      utimesSync(dirname(path), then, then);
    }
    mkdirSync(join(pruneRoot, 'not-a-drop-file'), { recursive: true });
    const removed = await pruneDroppedFiles(pruneRoot, [shown], 30 * day * 1000, now);
    assert.deepEqual(removed, [dirname(old)]);
    assert.ok(existsSync(shown) && existsSync(fresh) && !existsSync(old));
    assert.deepEqual(await pruneDroppedFiles(join(root, 'missing'), [], 0), []);
  });

  it('keeps a dropped copy fresh while it is shown, and only copies under its root', async () => {
    const touchRoot = join(root, 'touch');
    const path = await storeDroppedFile(touchRoot, 'kept.png', Uint8Array.from([9]));
    const then = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(dirname(path), then, then);
    await touchDroppedFile(touchRoot, path);
    assert.ok(Date.now() - statSync(dirname(path)).mtimeMs < 60_000);
    await touchDroppedFile(touchRoot, join(root, 'elsewhere.png'));
    await touchDroppedFile(touchRoot, touchRoot);
  });
});

describe('preview drops: resources dropped by reference', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tfod-drop-ws-'));
  const store = join(workspace, '..', `${basename(workspace)}-store`);
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  });
  const file = (rel: string, bytes: Uint8Array | string = PNG_SIGNATURE) => {
    const path = join(workspace, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };

  it('tells inside from outside', () => {
    assert.ok(isInside('/w', '/w'));
    assert.ok(isInside('/w', '/w/a/b.png'));
    assert.equal(isInside('/w', '/wx/a.png'), false);
    assert.equal(isInside('/w', '/w/../etc/passwd'), false);
  });

  it('takes images as they are and folders as their images, and says what it refused', async () => {
    const cat = file('photos/cat.png');
    file('photos/b.jpg');
    file('photos/a.JPEG');
    file('photos/notes.txt', 'hi');
    file('photos/nested/deep.png');
    mkdirSync(join(workspace, 'empty'), { recursive: true });
    const readme = file('README.md', '# hi');
    const outcome = await resolveDroppedResources(
      [
        { name: 'cat.png', path: cat },
        { name: 'photos', path: join(workspace, 'photos') },
        { name: 'empty', path: join(workspace, 'empty') },
        { name: 'README.md', path: readme },
        { name: 'gone.png', path: join(workspace, 'gone.png') },
        { name: 'secret.png' },
      ],
      store,
    );
    assert.deepEqual(
      outcome.paths.map((p) => p.slice(workspace.length + 1)),
      ['photos/cat.png', 'photos/a.JPEG', 'photos/b.jpg'],
    );
    assert.deepEqual(outcome.refused, [
      'the folder empty has no PNG or JPEG images (subfolders are not read)',
      'README.md is not a PNG or JPEG image',
      'gone.png does not exist',
      'secret.png is not in the workspace',
    ]);
  });

  it('stores the bytes of another file system’s image, and refuses its other files unread', async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return PNG_SIGNATURE;
    };
    const outcome = await resolveDroppedResources(
      [
        { name: 'remote.png', read },
        { name: 'remote.txt', read },
      ],
      store,
    );
    assert.equal(reads, 1);
    assert.equal(outcome.paths.length, 1);
    assert.ok(isInside(store, outcome.paths[0]!));
    assert.deepEqual(new Uint8Array(readFileSync(outcome.paths[0]!)), PNG_SIGNATURE);
    assert.deepEqual(outcome.refused, ['remote.txt is not a PNG or JPEG image']);
  });

  it(`adds at most ${MAX_DROPPED_IMAGES} images per drop, and says how many it left out`, async () => {
    for (let i = 0; i < MAX_DROPPED_IMAGES + 5; i++) file(`many/${String(i).padStart(3, '0')}.png`);
    const outcome = await resolveDroppedResources(
      [
        { name: 'many', path: join(workspace, 'many') },
        { name: 'cat.png', path: join(workspace, 'photos', 'cat.png') },
      ],
      store,
    );
    assert.equal(outcome.paths.length, MAX_DROPPED_IMAGES);
    assert.deepEqual(outcome.refused, ['6 more images left out: a drop adds at most 100']);
  });
});
