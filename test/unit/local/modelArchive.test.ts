import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { extractModelArchive, writeModelArchive } from '../../../src/core/local/modelArchive';

// model.tar.gz as SageMaker makes it from /opt/ml/model: gzip'd tar, the folder's contents at the
// archive root. GNU tar (the reference reader) checks what we write; Python's tarfile makes the
// archives we must read (and the malicious ones we must refuse).

const long = `${'deep/'.repeat(25)}weights.bin`; // 136 characters: needs ustar's prefix field
const longer = `${'x'.repeat(120)}/${'y'.repeat(120)}.bin`; // no ustar split: needs PAX

describe('model.tar.gz', () => {
  let dir: string;
  let model: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-archive-'));
    model = join(dir, 'model');
    const files: Record<string, string | Buffer> = {
      'saved_model/saved_model.pb': Buffer.alloc(1000, 7),
      'saved_model/variables/variables.index': 'index',
      'label_map.pbtxt': 'item { id: 1 name: "cat" }\n',
      'empty.txt': '',
      'exact.bin': Buffer.alloc(512, 1),
      [long]: 'long',
      [longer]: 'longer',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(model, path, '..'), { recursive: true });
      writeFileSync(join(model, path), content);
    }
    mkdirSync(join(model, 'saved_model', 'assets'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the folder contents at the root, folders first, readable by GNU tar', async () => {
    const archive = join(dir, 'model.tar.gz');
    const entries = await writeModelArchive(model, archive);
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(
      listed,
      entries.map((e) => e.path),
    );
    assert.ok(listed.every((path) => !path.startsWith('./') && !path.startsWith('/')));
    assert.ok(listed.includes('saved_model/assets/'), 'an empty folder is kept');
    assert.ok(listed.includes(long) && listed.includes(longer));
    assert.ok(listed.indexOf('saved_model/') < listed.indexOf('saved_model/saved_model.pb'));
    const verbose = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' });
    assert.match(verbose, /^-\S+ root\/root\s+1000 .* saved_model\/saved_model\.pb$/m);
    assert.match(verbose, /^d\S+ root\/root\s+0 .* saved_model\/$/m);
    assert.equal(readFileSync(archive).subarray(0, 2).toString('hex'), '1f8b', 'gzip');

    const out = join(dir, 'gnu-extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    for (const path of ['saved_model/saved_model.pb', 'exact.bin', long, longer, 'empty.txt'])
      assert.deepEqual(readFileSync(join(out, path)), readFileSync(join(model, path)), path);
  });

  it('unpacks its own archives and GNU tar ones (./ prefixes, long names)', async () => {
    const ours = join(dir, 'ours.tar.gz');
    await writeModelArchive(model, ours);
    const back = join(dir, 'ours-extracted');
    await extractModelArchive(ours, back);
    const gnu = join(dir, 'gnu.tar.gz');
    execFileSync('tar', ['-czf', gnu, '-C', model, '.']);
    const gnuBack = join(dir, 'gnu-back');
    const entries = await extractModelArchive(gnu, gnuBack);
    assert.ok(entries.some((e) => e.path === longer));
    for (const root of [back, gnuBack])
      for (const path of [
        'saved_model/saved_model.pb',
        'label_map.pbtxt',
        long,
        longer,
        'empty.txt',
      ])
        assert.deepEqual(
          readFileSync(join(root, path)),
          readFileSync(join(model, path)),
          `${root} ${path}`,
        );
    assert.ok(existsSync(join(gnuBack, 'saved_model', 'assets')));
  });

  it('refuses paths outside the folder and links, and says a non-archive is not one', async () => {
    const evil = join(dir, 'evil.tar.gz');
    execFileSync('python3', [
      '-c',
      `import tarfile, io
with tarfile.open(${JSON.stringify(evil)}, 'w:gz') as t:
    data = b'pwned'
    info = tarfile.TarInfo('../escape.txt'); info.size = len(data); t.addfile(info, io.BytesIO(data))`,
    ]);
    const into = join(dir, 'evil-out');
    await assert.rejects(
      extractModelArchive(evil, into),
      (error: unknown) => error instanceof UserError && /outside the folder/.test(error.message),
    );
    assert.ok(!existsSync(join(dir, 'escape.txt')));

    const link = join(dir, 'link.tar.gz');
    execFileSync('python3', [
      '-c',
      `import tarfile
with tarfile.open(${JSON.stringify(link)}, 'w:gz') as t:
    info = tarfile.TarInfo('model.json'); info.type = tarfile.SYMTYPE; info.linkname = '/etc/passwd'; t.addfile(info)`,
    ]);
    await assert.rejects(
      extractModelArchive(link, join(dir, 'link-out')),
      /a link, which a model folder must not/,
    );

    const notArchive = join(dir, 'not.tar.gz');
    writeFileSync(notArchive, 'hello');
    await assert.rejects(
      extractModelArchive(notArchive, join(dir, 'not-out')),
      /cannot unpack .*not\.tar\.gz/,
    );
  });
});
