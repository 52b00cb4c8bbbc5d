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
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import {
  convertAnnotations,
  detectAnnotationFormat,
  parseCsv,
  splitImages,
  yamlNames,
} from '../../../src/core/dataset';
import {
  cocoFixture,
  csvFixture,
  darknetFixture,
  grayPng,
  jpegImage,
  vocFixture,
  withOrientation,
  yoloFixture,
} from './fixtures';
import { asFloat32, readBack } from './readBack';

const root = mkdtempSync(join(tmpdir(), 'tfod-convert-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(root, `${name}-${n++}`);

async function tfod(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tfod data convert: each format to records that hold exactly the annotations', () => {
  it('Pascal VOC from LabelImg and CVAT, difficult, decimal boxes, no <size>, Annotations/ + JPEGImages/', async () => {
    const dir = fresh('voc');
    const expected = vocFixture(dir);
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await tfod(
      'data',
      'convert',
      '--from',
      'voc',
      dir,
      '--out',
      out,
      '--val-fraction',
      '0',
      '--json',
    );
    assert.equal(code, 0, stdout + stderr);
    const result = JSON.parse(stdout);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.files, ['train.record-00000-of-00001', 'label_map.pbtxt']);
    assert.deepEqual((await readBack(out)).images, asFloat32(expected));
    assert.equal(
      readFileSync(join(out, 'label_map.pbtxt'), 'utf8'),
      "item {\n  id: 1\n  name: 'cat'\n}\nitem {\n  id: 2\n  name: 'dog & co'\n}\n",
    );
    // Stored byte for byte: the grayscale PNG is the file's own bytes.
    assert.deepEqual(
      (await readBack(out)).encoded['nosize.png'],
      readFileSync(join(dir, 'JPEGImages', 'nosize.png')),
    );
  });

  it('COCO with category ids from 0 with gaps (ids 1..N in id order), iscrowd as difficult, a palette PNG', async () => {
    const dir = fresh('coco');
    const { json, expected } = cocoFixture(dir);
    const out = join(dir, 'out');
    const { code, stdout } = await tfod(
      'data',
      'convert',
      '--from',
      'coco',
      json,
      '--out',
      out,
      '--val-fraction',
      '0',
      '--json',
    );
    assert.equal(code, 0, stdout);
    const result = JSON.parse(stdout);
    assert.deepEqual(
      result.classes.map((c: { id: number; name: string }) => [c.id, c.name]),
      [
        [1, 'cat'],
        [2, 'dog'],
        [3, 'bird'],
      ],
    );
    assert.deepEqual((await readBack(out)).images, asFloat32(expected));
  });

  it('CSV with a byte-order mark, CRLF, quoted names holding commas and quotes, rows of one image apart', async () => {
    const dir = fresh('csv');
    const { csv, expected } = csvFixture(dir);
    const out = join(dir, 'out');
    const { code, stdout } = await tfod(
      'data',
      'convert',
      '--from',
      'csv',
      csv,
      '--out',
      out,
      '--val-fraction',
      '0',
      '--json',
    );
    assert.equal(code, 0, stdout);
    assert.deepEqual((await readBack(out)).images, asFloat32(expected));
    assert.deepEqual(parseCsv('a,"b\r\nc",""""\r\n\r\nx'), [
      { cells: ['a', 'b\r\nc', '"'], line: 1 },
      { cells: ['x'], line: 4 },
    ]);
  });

  it('YOLO: the images/ + labels/ split with data.yaml, and darknet with obj.names', async () => {
    for (const [fixture, name] of [
      [yoloFixture, 'yolo'],
      [darknetFixture, 'darknet'],
    ] as const) {
      const dir = fresh(name);
      const expected = fixture(dir);
      const out = join(root, `${name}-out-${n++}`);
      const { code, stdout } = await tfod(
        'data',
        'convert',
        '--from',
        'yolo',
        dir,
        '--out',
        out,
        '--val-fraction',
        '0',
        '--json',
      );
      assert.equal(code, 0, stdout);
      assert.deepEqual(JSON.parse(stdout).problems, [], name);
      assert.deepEqual((await readBack(out)).images, asFloat32(expected), name);
    }
    assert.deepEqual(yamlNames('names: [\'a\', "b c", d]\n'), ['a', 'b c', 'd']);
    assert.deepEqual(yamlNames('nc: 2\nnames:\n  - x\n  - y # why\ntrain: t\n'), ['x', 'y']);
  });

  it('detects the format of a folder or file', () => {
    const voc = fresh('d-voc');
    vocFixture(voc);
    const coco = fresh('d-coco');
    const { json } = cocoFixture(coco);
    const yolo = fresh('d-yolo');
    yoloFixture(yolo);
    assert.deepEqual(detectAnnotationFormat(voc), { format: 'voc', input: voc });
    assert.deepEqual(detectAnnotationFormat(coco), { format: 'coco', input: json });
    assert.deepEqual(detectAnnotationFormat(json), { format: 'coco', input: json });
    assert.deepEqual(detectAnnotationFormat(yolo), { format: 'yolo', input: yolo });
    assert.equal(detectAnnotationFormat(join(yolo, 'images')), undefined);
  });
});

describe('tfod data convert: every problem said, with the file and object, and what was done', () => {
  it('clips, drops, skips and warns, and exits 1 when something was dropped', async () => {
    const dir = fresh('problems');
    const csvDir = dir;
    mkdirSync(csvDir, { recursive: true });
    writeFileSync(join(csvDir, 'ok.jpg'), jpegImage(100, 100, 11));
    writeFileSync(join(csvDir, 'd1.jpg'), jpegImage(30, 30, 13));
    writeFileSync(join(csvDir, 'd2.jpg'), jpegImage(30, 30, 13));
    writeFileSync(join(csvDir, 'turned.jpg'), withOrientation(jpegImage(40, 20, 12), 6));
    writeFileSync(join(csvDir, 'small.png'), grayPng(10, 10));
    writeFileSync(join(csvDir, 'anim.gif'), Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    writeFileSync(
      join(csvDir, 'pic.webp'),
      Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(8)]),
    );
    writeFileSync(
      join(csvDir, 'labels.pbtxt'),
      "item { id: 1 name: 'car' }\nitem { id: 2 name: 'bus' }\n",
    );
    writeFileSync(
      join(csvDir, 'a.csv'),
      [
        'filename,width,height,class,xmin,ymin,xmax,ymax',
        'ok.jpg,100,100,car,-10,10,50,50',
        'ok.jpg,100,100,car,60,10,40,50',
        'ok.jpg,100,100,car,10,10,10,50',
        'ok.jpg,100,100,car,120,10,150,50',
        'ok.jpg,100,100,tram,10,10,50,50',
        'ok.jpg,100,100,bus,10,10,50,50',
        'd1.jpg,30,30,car,10,10,20,20',
        'turned.jpg,20,40,car,1,1,10,10',
        'small.png,20,20,bus,0,0,10,10',
        'anim.gif,1,1,car,0,0,1,1',
        'pic.webp,1,1,car,0,0,1,1',
        'gone.jpg,10,10,car,0,0,5,5',
        'd2.jpg,30,30,bus,10,10,20,20',
      ].join('\n'),
    );
    const out = join(csvDir, 'out');
    const { code, stdout } = await tfod(
      'data',
      'convert',
      '--from',
      'csv',
      join(csvDir, 'a.csv'),
      '--out',
      out,
      '--label-map',
      join(csvDir, 'labels.pbtxt'),
      '--val-fraction',
      '0',
      '--json',
    );
    assert.equal(code, 1);
    const result = JSON.parse(stdout);
    const a = join(csvDir, 'a.csv');
    const duplicate = result.problems.filter((p: { code: string }) => p.code === 'duplicate-image');
    assert.equal(duplicate.length, 1);
    assert.match(
      duplicate[0].message,
      /d(1|2)\.jpg has the same bytes as .*d(1|2)\.jpg; it was written once/,
    );
    const got = result.problems
      .filter((p: { code: string }) => p.code !== 'duplicate-image')
      .map((p: { file: string; object?: number; code: string; severity: string }) => [
        p.file,
        p.object ?? null,
        p.code,
        p.severity,
      ])
      .sort();
    assert.deepEqual(
      got,
      [
        [`${a}:2`, 0, 'box-clipped', 'warning'],
        [`${a}:2`, 1, 'box-dropped', 'error'],
        [`${a}:2`, 2, 'box-dropped', 'error'],
        [`${a}:2`, 3, 'box-dropped', 'error'],
        [`${a}:2`, 4, 'class-not-in-label-map', 'error'],
        [`${a}:9`, null, 'exif-orientation', 'warning'],
        [`${a}:9`, null, 'size-mismatch', 'warning'],
        [`${a}:10`, null, 'size-mismatch', 'warning'],
        [`${a}:11`, null, 'image-format', 'error'],
        [`${a}:12`, null, 'image-format', 'error'],
        [`${a}:13`, null, 'image-missing', 'error'],
      ].sort(),
    );
    const message = (code: string) =>
      result.problems.find((p: { code: string }) => p.code === code).message as string;
    assert.match(
      message('box-clipped'),
      /car box \[-10, 10, 50, 50\] reaches outside the 100 x 100 image; it was clipped/,
    );
    assert.match(
      message('exif-orientation'),
      /EXIF orientation 6: .*the annotation has the turned size/,
    );
    assert.match(
      result.problems.find((p: { file: string }) => p.file === `${a}:11`).message,
      /GIF image, which the API's decoder does not read: convert it to JPEG or PNG/,
    );
    assert.match(
      result.problems.find((p: { file: string }) => p.file === `${a}:12`).message,
      /WebP image/,
    );
    assert.deepEqual(result.images, { train: 4, validation: 0, skipped: 4 });
    assert.deepEqual(result.objects, { written: 5, clipped: 1, dropped: 8 });
    // The given label map is checked, not written; its ids are used.
    assert.deepEqual(result.files, ['train.record-00000-of-00001']);
    const back = (await readBack(out)).images;
    assert.deepEqual(
      back['ok.jpg']?.boxes.map((b) => [b.name, b.xmin, b.xmax]),
      [
        ['car', 0, Math.fround(0.5)],
        ['bus', Math.fround(0.1), Math.fround(0.5)],
      ],
    );
    // Boxes of a size mismatch are normalised by the annotation's size; the record holds the file's size.
    assert.deepEqual([back['small.png']?.width, back['small.png']?.boxes[0]?.xmax], [10, 0.5]);
  });

  it('holds no annotation file over its limit in memory: a 17 MiB VOC file is a problem', async () => {
    const dir = fresh('huge');
    vocFixture(dir);
    writeFileSync(join(dir, 'Annotations', 'huge.xml'), Buffer.alloc(17 * 1024 * 1024, 0x20));
    const result = await convertAnnotations({
      from: 'voc',
      input: dir,
      out: join(dir, 'out'),
      valFraction: 0,
    });
    assert.deepEqual(
      result.problems.map((p) => [p.file, p.code]),
      [[join(dir, 'Annotations', 'huge.xml'), 'annotation-too-large']],
    );
    assert.equal(result.images.train, 3);
  });

  it('refuses unusable input with one clear error', async () => {
    const dir = fresh('refuse');
    const csv = join(root, 'bad.csv');
    writeFileSync(csv, 'name,w,h\nx,1,1\n');
    const bad = await tfod('data', 'convert', '--from', 'csv', csv, '--out', join(dir, 'o'));
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /bad\.csv has no columns filename, width, height, class, xmin, ymin, xmax, ymax in its header line/,
    );
    const missing = await tfod(
      'data',
      'convert',
      '--from',
      'voc',
      join(root, 'nowhere'),
      '--out',
      join(dir, 'o'),
    );
    assert.match(missing.stderr, /nowhere does not exist/);
    const fraction = await tfod(
      'data',
      'convert',
      '--from',
      'voc',
      root,
      '--out',
      join(dir, 'o'),
      '--val-fraction',
      '1',
    );
    assert.match(fraction.stderr, /--val-fraction 1 is not a number in \[0, 1\)/);
    const yolo = await tfod('data', 'convert', '--from', 'yolo', root, '--out', join(dir, 'o'));
    assert.match(yolo.stderr, /no YOLO class list/);
  });
});

describe('tfod data convert: split, shards and partial output', () => {
  function manyImages(dir: string, count: number): string {
    mkdirSync(dir, { recursive: true });
    const rows = ['filename,width,height,class,xmin,ymin,xmax,ymax'];
    for (let i = 0; i < count; i++) {
      writeFileSync(join(dir, `i${i}.jpg`), jpegImage(16, 16, 100 + i));
      rows.push(`i${i}.jpg,16,16,${i % 10 === 0 ? 'rare' : 'common'},1,1,8,8`);
    }
    writeFileSync(join(dir, 'a.csv'), rows.join('\n'));
    return join(dir, 'a.csv');
  }

  it('splits by seed, the same seed the same way, each class its share; shards hold every image once', async () => {
    const dir = fresh('split');
    const csv = manyImages(dir, 50);
    const run = async (seed: number, out: string) => {
      const result = await convertAnnotations({
        from: 'csv',
        input: csv,
        out,
        seed,
        shards: 3,
        valFraction: 0.2,
      });
      return { result, back: await readBack(out) };
    };
    const a = await run(1, join(dir, 'a'));
    const b = await run(1, join(dir, 'b'));
    const c = await run(2, join(dir, 'c'));
    assert.deepEqual(a.back.split, b.back.split);
    assert.notDeepEqual(a.back.split, c.back.split);
    assert.deepEqual(a.result.images, { train: 40, validation: 10, skipped: 0 });
    assert.deepEqual(
      a.result.classes.map((k) => [k.name, k.train, k.validation]),
      [
        ['common', 36, 9],
        ['rare', 4, 1],
      ],
    );
    assert.equal(Object.keys(a.back.images).length, 50);
    assert.deepEqual(
      a.result.files.filter((f) => f.startsWith('train')),
      ['train.record-00000-of-00003', 'train.record-00001-of-00003', 'train.record-00002-of-00003'],
    );
    assert.deepEqual(
      a.result.files.filter((f) => f.startsWith('validation')),
      ['validation.record-00000-of-00001'],
    );
    assert.deepEqual(a.result.inputPaths, {
      train: 'train.record-?????-of-00003',
      validation: 'validation.record-?????-of-00001',
    });
    assert.deepEqual(
      splitImages([['x'], ['x'], ['y'], []], 0.5, 3),
      splitImages([['x'], ['x'], ['y'], []], 0.5, 3),
    );
  });

  it('writes the same bytes whether worker threads or this thread read the images, of mixed sizes', async () => {
    const dir = fresh('threads');
    mkdirSync(dir, { recursive: true });
    // Images from 1 KB to 250 KB, so buffers of several sizes go round and the records (about
    // 3.5 MB) take several writes; each made unique by a comment segment, one a duplicate.
    const sizes = [
      [640, 480],
      [160, 120],
      [16, 16],
      [320, 240],
    ] as const;
    const bases = sizes.map(([w, h], i) => jpegImage(w, h, i + 1));
    const rows = ['filename,width,height,class,xmin,ymin,xmax,ymax'];
    const written: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) {
      const [w, h] = sizes[i % sizes.length] as readonly [number, number];
      const base = bases[i % bases.length] as Buffer;
      const text = Buffer.from(`image ${i}`);
      const segment = Buffer.from([0xff, 0xfe, 0, text.length + 2]);
      const bytes = Buffer.concat([base.subarray(0, 2), segment, text, base.subarray(2)]);
      writeFileSync(join(dir, `i${i}.jpg`), bytes);
      written[`i${i}.jpg`] = bytes;
      rows.push(`i${i}.jpg,${w},${h},${i % 3 ? 'cat' : 'dog'},1,1,${w - 2},${h - 2}`);
    }
    writeFileSync(join(dir, 'again.jpg'), written['i5.jpg'] as Buffer);
    writeFileSync(join(dir, 'anim.jpg'), Buffer.from('GIF89a not a jpeg'));
    rows.push(
      'again.jpg,160,120,cat,1,1,9,9',
      'anim.jpg,8,8,cat,1,1,5,5',
      'gone.jpg,8,8,cat,1,1,5,5',
    );
    writeFileSync(join(dir, 'a.csv'), rows.join('\n'));
    const run = (threads: number) =>
      convertAnnotations({
        from: 'csv',
        input: join(dir, 'a.csv'),
        out: join(dir, `out-${threads}`),
        shards: 3,
        threads,
      });
    const threaded = await run(2);
    const here = await run(0);
    assert.deepEqual(threaded.images, { train: 31, validation: 9, skipped: 3 });
    assert.deepEqual(threaded.problems.map((p) => p.code).sort(), [
      'duplicate-image',
      'image-format',
      'image-missing',
    ]);
    assert.deepEqual(
      { ...threaded, labelMap: undefined },
      { ...here, labelMap: undefined },
      'the same report',
    );
    for (const name of threaded.files)
      assert.ok(
        readFileSync(join(dir, 'out-2', name)).equals(readFileSync(join(dir, 'out-0', name))),
        `${name}: the same bytes`,
      );
    // Every image's bytes are in its record as they are in its file (no buffer reused too soon).
    const back = await readBack(join(dir, 'out-2'));
    assert.equal(Object.keys(back.encoded).length, 40);
    for (const [name, bytes] of Object.entries(back.encoded))
      assert.ok(bytes.equals(written[name] as Buffer), `${name}: its bytes`);
  });

  it('leaves no file that looks complete when cancelled, and names stale shards of an earlier run', async () => {
    const dir = fresh('cancel');
    const csv = manyImages(dir, 20);
    const out = join(dir, 'out');
    const controller = new AbortController();
    await assert.rejects(
      convertAnnotations({
        from: 'csv',
        input: csv,
        out,
        signal: controller.signal,
        onProgress: (p) => p.images === 5 && controller.abort(),
      }),
      /cancelled/,
    );
    assert.deepEqual(readdirSync(out), []);
    writeFileSync(join(out, 'train.record-00000-of-00009'), '');
    const result = await convertAnnotations({ from: 'csv', input: csv, out, valFraction: 0 });
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['stale-shard'],
    );
    assert.ok(existsSync(join(out, 'train.record-00000-of-00001')));
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith('.')),
      [],
    );
  });
});
