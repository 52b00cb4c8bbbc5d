import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ImageFileReader, type LoadedImage } from '../../../src/core/dataset/imageFiles';
import { crc32c, crc32cOfParts } from '../../../src/core/records/crc32c';

const dir = mkdtempSync(join(tmpdir(), 'tfod-image-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const files = Array.from({ length: 12 }, (_, i) => {
  const path = join(dir, `image${i}.jpg`);
  const bytes = Buffer.alloc(1000 + i * 4099, i);
  bytes.writeUInt32LE((i * 2654435761) >>> 0, 0);
  writeFileSync(path, bytes);
  return { path, bytes };
});
const big = join(dir, 'big.jpg');
writeFileSync(big, Buffer.alloc(70_000));
mkdirSync(join(dir, 'folder.jpg'));

async function readAll(reader: ImageFileReader, threads: number): Promise<LoadedImage[]> {
  try {
    // Several at once, as the conversion reads ahead: answers must match their requests.
    const read = await Promise.all([
      ...files.map((f) => reader.read([join(dir, 'absent.jpg'), f.path])),
      reader.read([join(dir, 'absent.jpg'), join(dir, 'folder.jpg')]),
      reader.read([big]),
    ]);
    // A worker that fails takes the pool out of use (everything is then read here): the threads
    // must still be there after the reads, or the answers did not come from them.
    assert.equal(reader.threads, threads, 'the worker threads did the reading');
    return read;
  } finally {
    await reader.close();
  }
}

describe('ImageFileReader: images read, hashed and checksummed off the main thread', () => {
  it('gives the same bytes, SHA-256, CRC and problems from worker threads as on the main thread', async () => {
    const threaded = new ImageFileReader(65_536, 2);
    assert.equal(threaded.threads, 2, 'the worker threads started (under tsx, from the .ts)');
    // Until a worker is ready the reader reads here; once they are, they do the reading.
    await threaded.whenStarted();
    const here = new ImageFileReader(65_536, 0);
    assert.equal(here.threads, 0);
    const [a, b] = [await readAll(threaded, 2), await readAll(here, 0)];
    for (const results of [a, b]) {
      files.forEach((f, i) => {
        const got = results[i] as { bytes: Buffer; path: string; sha256: string };
        assert.equal(got.path, f.path, 'the first candidate that is there');
        assert.ok(got.bytes.equals(f.bytes), `image ${i}: its bytes`);
        assert.equal(got.sha256, createHash('sha256').update(f.bytes).digest('hex'));
        // The record's checksum is the same whether the CRC came from a worker or is computed.
        const head = Buffer.from('head');
        assert.equal(crc32cOfParts([head, got.bytes]), crc32c(Buffer.concat([head, f.bytes])));
      });
      assert.deepEqual(results[files.length], { missing: true }, 'a folder is not an image file');
      const tooBig = results[files.length + 1] as { unreadable: string };
      assert.match(tooBig.unreadable, /big\.jpg is 70000 bytes, over the limit of 65536/);
    }
  });

  it('reads into released buffers: each image its own bytes, a released one emptied, not reused under it', async () => {
    for (const threads of [2, 0]) {
      const reader = new ImageFileReader(65_536, threads);
      try {
        await reader.whenStarted();
        // Two passes over the images, each buffer released as soon as its image is checked, so
        // that later images are read into buffers that held earlier (larger or smaller) ones.
        for (const f of [...files, ...[...files].reverse()]) {
          const got = (await reader.read([f.path])) as { bytes: Buffer; sha256: string };
          assert.ok(got.bytes.equals(f.bytes), `${threads} threads: ${f.path}'s bytes`);
          assert.equal(got.sha256, createHash('sha256').update(f.bytes).digest('hex'));
          const head = Buffer.from('head');
          assert.equal(crc32cOfParts([head, got.bytes]), crc32c(Buffer.concat([head, f.bytes])));
          reader.release(got.bytes);
          assert.equal(got.bytes.length, 0, 'a released image is detached: nothing to read late');
        }
        // A buffer the reader did not hand out is left alone.
        const own = Buffer.from("not the reader's");
        reader.release(own);
        assert.equal(own.toString(), "not the reader's");
        assert.equal(reader.threads, threads);
      } finally {
        await reader.close();
      }
    }
  });

  it('reads on the main thread when the workers are gone, and close() can be called twice', async () => {
    const reader = new ImageFileReader(65_536, 1);
    await reader.close();
    await reader.close();
    const got = (await reader.read([files[0]!.path])) as { bytes: Buffer };
    assert.ok(got.bytes.equals(files[0]!.bytes));
  });
});
