import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../../../src/core/errors';
import {
  extractModelArchive,
  safeEntryPath,
  writeModelArchive,
} from '../../../src/core/local/modelArchive';
import { seededRandom } from '../prng';

// The model.tar.gz reader against archives written to the letter of the formats (PAX size
// records, GNU base-256 sizes), truncated ones, and entry names meant to escape on POSIX or
// Windows. Headers are built byte by byte here, as the formats define them.

const dir = mkdtempSync(join(tmpdir(), 'tfod-archive-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One 512-byte header; `size` is an octal number, or raw bytes for the 12-byte size field. */
function header(name: string, size: number | Buffer, type = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  if (typeof size === 'number') block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else size.copy(block, 124);
  block.write('00000000000\0', 136);
  block.write(type, 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.from(`${length}${body}`);
}

const END = Buffer.alloc(1024);

function archive(name: string, ...blocks: Buffer[]): string {
  const file = join(dir, name);
  writeFileSync(file, gzipSync(Buffer.concat(blocks)));
  return file;
}

describe('model.tar.gz read to the letter', () => {
  it('takes the size from a PAX size record, not the header field', async () => {
    const data = Buffer.from('weights');
    const pax = paxRecord('size', String(data.length));
    const file = archive(
      'pax-size.tar.gz',
      header('PaxHeader', pax.length, 'x'),
      padded(pax),
      header('big.bin', 0), // writers put 0 (or garbage) where the octal field cannot hold it
      padded(data),
      header('after.txt', 2),
      padded(Buffer.from('ok')),
      END,
    );
    const out = join(dir, 'pax-size-out');
    await extractModelArchive(file, out);
    assert.equal(readFileSync(join(out, 'big.bin'), 'utf8'), 'weights');
    assert.equal(readFileSync(join(out, 'after.txt'), 'utf8'), 'ok');
  });

  it('reads a GNU base-256 size', async () => {
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size[11] = 5;
    const file = archive(
      'base256.tar.gz',
      header('five.bin', size),
      padded(Buffer.from('12345')),
      END,
    );
    const out = join(dir, 'base256-out');
    await extractModelArchive(file, out);
    assert.equal(readFileSync(join(out, 'five.bin'), 'utf8'), '12345');
  });

  it('refuses a truncated archive that declares a 10 GiB entry, and leaves nothing behind', async () => {
    const pax = paxRecord('size', String(10 * 1024 ** 3));
    const file = archive(
      'truncated.tar.gz',
      header('first.txt', 3),
      padded(Buffer.from('abc')),
      header('PaxHeader', pax.length, 'x'),
      padded(pax),
      header('huge.bin', 0),
      Buffer.alloc(4096, 1),
    );
    const out = join(dir, 'truncated-out');
    await assert.rejects(extractModelArchive(file, out), /ends in the middle of a file/);
    assert.equal(existsSync(out), false, 'the folder it made is gone, with first.txt');
  });

  it('removes what it unpacked when it refuses a later entry, and keeps what was there', async () => {
    const out = join(dir, 'refused-out');
    const file = archive(
      'refused.tar.gz',
      header('saved_model/', 0, '5'),
      header('saved_model/saved_model.pb', 3),
      padded(Buffer.from('abc')),
      header('../escape.txt', 3),
      padded(Buffer.from('bad')),
      END,
    );
    await extractModelArchive(
      archive('existing.tar.gz', header('mine.txt', 2), padded(Buffer.from('hi')), END),
      out,
    );
    await assert.rejects(
      extractModelArchive(file, out),
      (error: unknown) => error instanceof UserError && /outside the folder/.test(error.message),
    );
    assert.deepEqual(readdirSync(out), ['mine.txt']);
    assert.equal(existsSync(join(dir, 'escape.txt')), false);
  });
});

describe('archive entry names that would land outside the target', () => {
  const cases: [string, string][] = [
    ['posix', '/out'],
    ['win32', 'C:\\out'],
  ];
  const hostile = [
    '../x',
    'a/../../x',
    '/etc/passwd',
    'D:/evil.txt',
    'D:evil.txt',
    'C:\\Windows\\x',
    '\\\\srv\\share\\x',
    '..\\x',
    'a\\..\\..\\x',
    '\\x',
    '.',
  ];
  for (const [platformName, root] of cases) {
    const platform = platformName === 'win32' ? path.win32 : path.posix;
    it(`refuses every escape on ${platformName}`, () => {
      for (const name of hostile)
        assert.throws(
          () => safeEntryPath(root, name, platform),
          /outside the folder/,
          `${name} on ${platformName}`,
        );
    });

    it(`places ordinary names inside the target on ${platformName}`, () => {
      const target = safeEntryPath(root, './saved_model/variables/variables.index', platform);
      assert.equal(target, platform.join(root, 'saved_model', 'variables', 'variables.index'));
    });
  }
});

describe('fuzz: mutated and truncated model archives', () => {
  it('unpacks or refuses with a UserError 300 seeded mutations, never writing outside the target', async () => {
    const random = seededRandom(20261204);
    const model = join(dir, 'fuzz-model');
    mkdirSync(join(model, 'saved_model', 'variables'), { recursive: true });
    writeFileSync(join(model, 'saved_model', 'saved_model.pb'), Buffer.alloc(3000, 7));
    writeFileSync(join(model, 'label_map.pbtxt'), 'item { id: 1 name: "cat" }\n');
    writeFileSync(join(model, `${'long/'.repeat(30)}x.bin`.replace(/\//g, '_')), 'long name');
    const good = join(dir, 'fuzz-good.tar.gz');
    await writeModelArchive(model, good);
    const tar = gunzipSync(readFileSync(good));
    const sandbox = join(dir, 'fuzz-sandbox');
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(tar);
      const edits = 1 + Math.floor(random() * 8);
      for (let e = 0; e < edits; e++) {
        // Half the edits hit the header fields that steer the reader (size, mtime, checksum,
        // type, at 124 to 159) of some block; the rest anywhere.
        const block = Math.floor(random() * (bytes.length / 512));
        const at =
          random() < 0.5
            ? block * 512 + 124 + Math.floor(random() * 36)
            : Math.floor(random() * bytes.length);
        bytes[at] =
          random() < 0.5
            ? Math.floor(random() * 256)
            : bytes[at]! ^ (1 << Math.floor(random() * 8));
      }
      const cut = random() < 0.3 ? Math.floor(random() * bytes.length) : bytes.length;
      const file = join(dir, 'fuzz.tar.gz');
      writeFileSync(file, gzipSync(bytes.subarray(0, cut)));
      rmSync(sandbox, { recursive: true, force: true });
      const out = join(sandbox, 'out');
      try {
        await extractModelArchive(file, out);
      } catch (error) {
        assert.ok(error instanceof UserError, `round ${round}: ${String(error)}`);
      }
      const outside = readdirSync(sandbox).filter((name) => name !== 'out');
      assert.deepEqual(outside, [], `round ${round} wrote outside the target`);
    }
  });
});
