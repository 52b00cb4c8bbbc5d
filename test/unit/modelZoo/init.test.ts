// A new project from the model zoo against a mirror on loopback (an ephemeral port) that serves
// archives the test builds in the zoo's layout: download with progress, resume with Range after a
// dropped connection and after a cancelled run, the integrity checks, the shared cache, and a
// pipeline.config that validates with no error and no warning.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program';
import { CancelledError, UserError } from '../../../src/core/errors';
import { writeModelArchive } from '../../../src/core/local/modelArchive';
import {
  batchSizeFor,
  downloadZooArchive,
  findZooModel,
  initZooProject,
  instanceMemoryBytes,
  labelMapText,
  MODEL_ZOO,
  modelZooBaseUrl,
  type ZooModel,
} from '../../../src/core/modelZoo';
import { encodeDetectionExample, tfRecordFile } from '../../../src/core/records';
import { PIPELINE_CONFIG } from '../../../src/schema';
import { NodeProjectHost, validateText } from '../../../src/schema/validate';
import { zooTf2Config } from '../../fixtures/zooConfigs';

const TF2 = findZooModel('ssd_mobilenet_v2_320x320_coco17_tpu-8') as ZooModel;
const TF1 = findZooModel('ssd_mobilenet_v2_coco_2018_03_29') as ZooModel;

/** A TF2 zoo config as the zoo ships it: TPU batch, bfloat16, template placeholders. */

const TF1_CONFIG = `model {
  ssd {
    num_classes: 90
    image_resizer { fixed_shape_resizer { height: 300 width: 300 } }
    feature_extractor { type: "ssd_mobilenet_v2" }
  }
}
train_config {
  batch_size: 24
  optimizer {
    rms_prop_optimizer {
      learning_rate { exponential_decay_learning_rate { initial_learning_rate: 0.004 } }
    }
  }
  fine_tune_checkpoint: "PATH_TO_BE_CONFIGURED/model.ckpt"
  from_detection_checkpoint: true
  num_steps: 200000
}
train_input_reader {
  label_map_path: "PATH_TO_BE_CONFIGURED/mscoco_label_map.pbtxt"
  tf_record_input_reader { input_path: "PATH_TO_BE_CONFIGURED/mscoco_train.record-?????-of-00100" }
}
`;

interface Mirror {
  url: string;
  server: Server;
  files: Map<string, Buffer>;
  requests: { path: string; range: string | undefined }[];
  /** Drop the connection of the next response after this many bytes. */
  cutNext: number | undefined;
  /** Send this many bytes, then hold the response open (for cancelling mid-way). */
  stallAfter: number | undefined;
  /** The same, for the next response only. */
  stallNext: number | undefined;
}

async function startMirror(): Promise<Mirror> {
  const mirror: Mirror = {
    url: '',
    server: undefined as unknown as Server,
    files: new Map(),
    requests: [],
    cutNext: undefined,
    stallAfter: undefined,
    stallNext: undefined,
  };
  mirror.server = createServer((req: IncomingMessage, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = req.headers.range;
    mirror.requests.push({ path, range });
    const body = mirror.files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'Content-Length': body.length - start,
      });
    } else res.writeHead(200, { 'Content-Length': body.length });
    const rest = body.subarray(start);
    const cut = mirror.cutNext;
    mirror.cutNext = undefined;
    if (cut !== undefined) {
      res.write(rest.subarray(0, cut), () => res.destroy());
      return;
    }
    const stall = mirror.stallNext ?? mirror.stallAfter;
    mirror.stallNext = undefined;
    if (stall !== undefined) {
      res.write(rest.subarray(0, stall));
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => mirror.server.listen(0, '127.0.0.1', resolve));
  mirror.url = `http://127.0.0.1:${(mirror.server.address() as AddressInfo).port}/mirror/object_detection`;
  return mirror;
}

/** A zoo archive in the zoo's layout: `<name>/pipeline.config`, the checkpoint, a saved model. */
async function buildArchive(model: ZooModel, config: string, work: string): Promise<Buffer> {
  const root = join(work, `build-${model.name}`);
  const inner = join(root, model.name);
  mkdirSync(join(inner, 'saved_model'), { recursive: true });
  writeFileSync(join(inner, 'pipeline.config'), config);
  // Incompressible filler so that the archive is large enough to cut in the middle.
  const filler = randomBytes(256 * 1024);
  writeFileSync(join(inner, 'saved_model', 'saved_model.pb'), filler);
  if (model.tf === 2) {
    mkdirSync(join(inner, 'checkpoint'));
    writeFileSync(join(inner, 'checkpoint', 'ckpt-0.index'), 'index');
    writeFileSync(
      join(inner, 'checkpoint', 'ckpt-0.data-00000-of-00001'),
      filler.subarray(0, 4096),
    );
    writeFileSync(join(inner, 'checkpoint', 'checkpoint'), 'model_checkpoint_path: "ckpt-0"\n');
  } else {
    for (const ext of ['index', 'meta', 'data-00000-of-00001'])
      writeFileSync(join(inner, `model.ckpt.${ext}`), ext);
  }
  const archive = join(work, `${model.name}.tar.gz`);
  await writeModelArchive(root, archive);
  return readFileSync(archive);
}

describe('model zoo: catalogue', () => {
  it('has both zoos with what users choose by, in the zoo layout', () => {
    assert.ok(MODEL_ZOO.filter((m) => m.tf === 2).length >= 40);
    assert.ok(MODEL_ZOO.filter((m) => m.tf === 1).length >= 15);
    assert.equal(TF2.archivePath, 'tf2/20200711/ssd_mobilenet_v2_320x320_coco17_tpu-8.tar.gz');
    assert.deepEqual(
      [TF2.speedMs, TF2.cocoMap, TF2.inputSize, TF2.cpu],
      [19, '20.2', '320x320', true],
    );
    const kpts = findZooModel('centernet_hg104_512x512_kpts_coco17_tpu-32');
    assert.deepEqual(kpts?.outputs, ['boxes', 'keypoints']);
    assert.equal(kpts?.cpu, false);
    assert.deepEqual(
      findZooModel('mask_rcnn_inception_resnet_v2_1024x1024_coco17_gpu-8')?.outputs,
      ['boxes', 'masks'],
    );
    assert.equal(TF1.archivePath, 'ssd_mobilenet_v2_coco_2018_03_29.tar.gz');
    assert.equal(findZooModel('ssd_mobilenet_v2_coco')?.name, TF1.name);
    assert.equal(new Set(MODEL_ZOO.map((m) => m.name)).size, MODEL_ZOO.length);
  });

  it('takes the base from the setting, then TFOD_MODEL_ZOO_URL, then the zoo', () => {
    assert.equal(modelZooBaseUrl('', {}), 'http://download.tensorflow.org/models/object_detection');
    assert.equal(modelZooBaseUrl('', { TFOD_MODEL_ZOO_URL: 'http://m/zoo/' }), 'http://m/zoo');
    assert.equal(
      modelZooBaseUrl('https://s/z', { TFOD_MODEL_ZOO_URL: 'http://m/zoo' }),
      'https://s/z',
    );
    assert.throws(() => modelZooBaseUrl('ftp://x', {}), UserError);
  });

  it('picks a batch size this machine carries, never above the config', () => {
    assert.equal(batchSizeFor(TF2, 512, 16e9), 8);
    assert.equal(batchSizeFor(TF2, 4, 64e9), 4);
    assert.equal(batchSizeFor(TF2, 512, 1e9), 1);
    // Sized for a SageMaker instance type: its GPUs' memory, or its RAM for a CPU type.
    assert.equal(instanceMemoryBytes('ml.g4dn.xlarge'), 16e9);
    assert.equal(batchSizeFor(TF2, 512, instanceMemoryBytes('ml.p3.16xlarge')), 64);
    assert.equal(instanceMemoryBytes('ml.m5.large'), 8 * 2 ** 30);
    assert.throws(() => instanceMemoryBytes('ml.x9.huge'), /knows the memory of/);
  });
});

describe('model zoo: download and new project', () => {
  let work: string;
  let mirror: Mirror;
  let tf2Archive: Buffer;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tfod-zoo-'));
    mirror = await startMirror();
    tf2Archive = await buildArchive(TF2, zooTf2Config('SSD with Mobilenet v2'), work);
    mirror.files.set(`/mirror/object_detection/${TF2.archivePath}`, tf2Archive);
    mirror.files.set(
      `/mirror/object_detection/${TF1.archivePath}`,
      await buildArchive(TF1, TF1_CONFIG, work),
    );
  });
  after(async () => {
    await new Promise((resolve) => mirror.server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const labelMap = () => {
    const path = join(work, 'labels.pbtxt');
    writeFileSync(
      path,
      'item { id: 1 name: "cat" }\nitem { id: 2 name: "dog" }\nitem { id: 3 name: "bird" }\n',
    );
    return path;
  };

  it('resumes with Range after a dropped connection, reports progress, and writes a config with no error and no warning', async () => {
    const cacheDir = join(work, 'cache-a');
    const dir = join(work, 'project-a');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.record'), '');
    mirror.requests.length = 0;
    mirror.cutNext = 100_000;
    const progress: number[] = [];
    const result = await initZooProject({
      dir,
      model: TF2.name,
      labelMap: labelMap(),
      records: 'train.record',
      numSteps: 2000,
      baseUrl: mirror.url,
      cacheDir,
      onProgress: (p) => progress.push(p.received),
    });
    // The first request was cut; the second asked for the rest, from where the first stopped.
    assert.equal(mirror.requests.length, 2);
    assert.equal(mirror.requests[0]?.range, undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(mirror.requests[1]?.range ?? '')?.[1]);
    assert.ok(from > 0 && from <= 100_000, `resumed at ${from}`);
    assert.equal(progress[progress.length - 1], tf2Archive.length);
    assert.ok(progress.includes(from));
    assert.deepEqual(result.remaining, []);
    const text = readFileSync(join(dir, 'pipeline.config'), 'utf8');
    const check = validateText(text, {
      root: PIPELINE_CONFIG,
      path: join(dir, 'pipeline.config'),
      host: new NodeProjectHost([dir]),
      target: { architecture: '2.9.1-gpu' },
    });
    assert.deepEqual(
      check.diagnostics.filter((d) => d.severity !== 'information').map((d) => d.message),
      [],
    );
    assert.match(text, /^# SSD with Mobilenet v2 \(a stand-in/);
    assert.match(text, /num_classes: 3\n/);
    assert.match(text, /fine_tune_checkpoint: "checkpoint\/ckpt-0"/);
    assert.match(text, /fine_tune_checkpoint_type: "detection"/);
    assert.match(text, /fine_tune_checkpoint_version: V2/);
    assert.match(text, /use_moving_average: false/);
    assert.match(text, /use_bfloat16: false/);
    assert.match(text, /num_steps: 2000/);
    assert.match(text, /label_map_path: "labels\.pbtxt"/);
    assert.match(text, /input_path: "train\.record"/);
    assert.match(text, /pad_to_max_dimension: true/);
    // Minimal edits: the untouched lines stay as they were.
    assert.match(text, /\n {6}momentum_optimizer_value: 0\.9\n/);
    assert.match(
      text,
      /\n {4}feature_extractor \{\n {6}type: "ssd_mobilenet_v2_keras"\n {6}depth_multiplier: 1\.0\n/,
    );
    assert.ok(existsSync(join(dir, 'checkpoint', 'ckpt-0.index')));
    assert.ok(existsSync(join(dir, 'checkpoint', 'ckpt-0.data-00000-of-00001')));
    assert.ok(existsSync(join(dir, 'labels.pbtxt')));
    // A second project from the same cache downloads nothing.
    mirror.requests.length = 0;
    await initZooProject({
      dir: join(work, 'project-a2'),
      model: TF2.name,
      baseUrl: mirror.url,
      cacheDir,
    });
    assert.equal(mirror.requests.length, 0);
  });

  it('cancels mid-way, keeps the partial download, and the next run resumes it', async () => {
    const cacheDir = join(work, 'cache-b');
    mirror.requests.length = 0;
    mirror.stallAfter = 50_000;
    const controller = new AbortController();
    await assert.rejects(
      downloadZooArchive(TF2, {
        baseUrl: mirror.url,
        cacheDir,
        signal: controller.signal,
        onProgress: (p) => {
          // Cancel once the stalled response's bytes are in (and written).
          if (p.received >= 50_000) setTimeout(() => controller.abort(), 200);
        },
      }),
      CancelledError,
    );
    mirror.stallAfter = undefined;
    const part = join(cacheDir, 'archives', `${TF2.archivePath}.part`);
    assert.equal(readFileSync(part).length, 50_000);
    const archive = await downloadZooArchive(TF2, { baseUrl: mirror.url, cacheDir });
    assert.equal(mirror.requests[mirror.requests.length - 1]?.range, 'bytes=50000-');
    assert.deepEqual(readFileSync(archive), tf2Archive);
    assert.ok(!existsSync(part));
  });

  it('drops an attempt that stalls and resumes it', async () => {
    const cacheDir = join(work, 'cache-stall');
    mirror.requests.length = 0;
    mirror.stallNext = 30_000;
    const archive = await downloadZooArchive(TF2, {
      baseUrl: mirror.url,
      cacheDir,
      stallTimeoutMs: 300,
    });
    assert.equal(mirror.requests.length, 2);
    const from = Number(/^bytes=(\d+)-$/.exec(mirror.requests[1]?.range ?? '')?.[1]);
    assert.ok(from > 0 && from <= 30_000, `resumed at ${from}`);
    assert.deepEqual(readFileSync(archive), tf2Archive);
    // With one attempt only, the stall is the error, and the part stays for the next run.
    mirror.stallNext = 30_000;
    await assert.rejects(
      downloadZooArchive(TF2, {
        baseUrl: mirror.url,
        cacheDir: join(work, 'cache-stall-2'),
        stallTimeoutMs: 300,
        attempts: 1,
      }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, /stopped at \d+ bytes: no data from the server for 300 ms/);
        assert.match(error.fix ?? '', /resumes where it stopped/);
        return true;
      },
    );
  });

  it('refuses a damaged archive and removes it; a damaged cached copy is fetched again', async () => {
    const cacheDir = join(work, 'cache-c');
    const damaged = Buffer.from(tf2Archive);
    damaged[Math.floor(damaged.length / 2)] ^= 0xff;
    mirror.files.set(`/mirror/object_detection/${TF2.archivePath}`, damaged);
    await assert.rejects(
      downloadZooArchive(TF2, { baseUrl: mirror.url, cacheDir }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(
          error.message,
          /is not an intact \.tar\.gz .*the damaged download was removed/,
        );
        return true;
      },
    );
    assert.ok(!existsSync(join(cacheDir, 'archives', `${TF2.archivePath}.part`)));
    mirror.files.set(`/mirror/object_detection/${TF2.archivePath}`, tf2Archive);
    const archive = await downloadZooArchive(TF2, { baseUrl: mirror.url, cacheDir });
    // Damage the cached copy: its checksum no longer matches, so it is downloaded again.
    writeFileSync(archive, Buffer.concat([tf2Archive.subarray(0, 10), Buffer.from('x')]));
    mirror.requests.length = 0;
    await downloadZooArchive(TF2, { baseUrl: mirror.url, cacheDir });
    assert.equal(mirror.requests.length, 1);
    assert.deepEqual(readFileSync(archive), tf2Archive);
  });

  it('says what to do on a 404 and for an unknown model or the wrong TF version', async () => {
    await assert.rejects(
      downloadZooArchive(TF2, {
        baseUrl: `${mirror.url}/elsewhere`,
        cacheDir: join(work, 'cache-d'),
      }),
      (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(
          error.message,
          /answered 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/mirror\/object_detection\/elsewhere\/tf2\/20200711\//,
        );
        assert.match(error.fix ?? '', /keeps the zoo layout/);
        return true;
      },
    );
    await assert.rejects(
      initZooProject({ dir: join(work, 'x'), model: 'ssd_mobilenet_v9', baseUrl: mirror.url }),
      /ssd_mobilenet_v9 is not in the model zoo/,
    );
    await assert.rejects(
      initZooProject({ dir: join(work, 'x'), model: TF2.name, tf: 1, baseUrl: mirror.url }),
      /is a TF2 zoo model, not TF1/,
    );
  });

  it('tfod init from the TF1 zoo through TFOD_MODEL_ZOO_URL: model.ckpt and a TF1 config with no error or warning', async () => {
    const dir = join(work, 'project-tf1');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train.record-00000-of-00002'), '');
    writeFileSync(join(dir, 'train.record-00001-of-00002'), '');
    const saved = { url: process.env.TFOD_MODEL_ZOO_URL, cache: process.env.XDG_CACHE_HOME };
    process.env.TFOD_MODEL_ZOO_URL = mirror.url;
    process.env.XDG_CACHE_HOME = join(work, 'xdg');
    let stdout = '';
    let stderr = '';
    try {
      const code = await runCli(
        [
          'init',
          dir,
          '--model',
          'ssd_mobilenet_v2_coco',
          '--tf',
          '1',
          '--label-map',
          labelMap(),
          '--records',
          'train.record-?????-of-00002',
          '--instance-type',
          'ml.g4dn.xlarge',
        ],
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      );
      assert.equal(code, 0, stderr);
    } finally {
      if (saved.url === undefined) delete process.env.TFOD_MODEL_ZOO_URL;
      else process.env.TFOD_MODEL_ZOO_URL = saved.url;
      if (saved.cache === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.cache;
    }
    assert.ok(
      existsSync(join(work, 'xdg', 'tfod-sagemaker', 'model-zoo', 'archives', TF1.archivePath)),
    );
    assert.match(stdout, /validates with no error and no warning/);
    assert.match(stdout, /model\.ssd\.num_classes: 90 -> 3/);
    assert.match(stdout, /train_config\.batch_size: 24 -> 9\n/);
    for (const ext of ['index', 'meta', 'data-00000-of-00001'])
      assert.ok(existsSync(join(dir, 'checkpoint', `model.ckpt.${ext}`)));
    const text = readFileSync(join(dir, 'pipeline.config'), 'utf8');
    assert.match(text, /fine_tune_checkpoint: "checkpoint\/model\.ckpt"/);
    assert.doesNotMatch(text, /fine_tune_checkpoint_version/);
    const check = validateText(text, {
      root: PIPELINE_CONFIG,
      path: join(dir, 'pipeline.config'),
      host: new NodeProjectHost([dir]),
      target: { architecture: '1.15.0' },
    });
    assert.deepEqual(
      check.diagnostics.filter((d) => d.severity !== 'information').map((d) => d.message),
      [],
    );
    // A project folder that already has a config is left alone.
    const again = await runCli(['init', dir, '--model', TF1.name], {
      stdout: () => {},
      stderr: (t) => (stderr = t),
    });
    assert.equal(again, 1);
    assert.match(stderr, /pipeline\.config already exists/);
  });

  /** A TFRecord file of one record per image, each object `[label, text]`, by the repo's writer. */
  const writeRecords = (path: string, images: readonly (readonly [number?, string?][])[]) =>
    writeFileSync(
      path,
      tfRecordFile(
        images.map((objects, i) =>
          encodeDetectionExample({
            encoded: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
            format: 'jpeg',
            height: 10,
            width: 10,
            filename: `${i}.jpg`,
            sourceId: String(i + 1),
            objects: objects.map(([label, text]) => ({
              xmin: 0.1,
              ymin: 0.1,
              xmax: 0.5,
              ymax: 0.5,
              ...(label !== undefined ? { label } : {}),
              ...(text !== undefined ? { text } : {}),
            })),
          }),
        ),
      ),
    );

  it('tfod init --records without --label-map: num_classes and label_map.pbtxt from the records', async () => {
    const dir = join(work, 'project-records');
    mkdirSync(dir);
    // Two shards; ids 1, 2 and 4 (3 absent), one name with a quote, one object without a name.
    writeRecords(join(dir, 'train.record-00000-of-00002'), [
      [
        [1, 'cat'],
        [4, 'hot "dog"'],
      ],
      [],
    ]);
    writeRecords(join(dir, 'train.record-00001-of-00002'), [
      [
        [2, 'bird'],
        [1, 'cat'],
        [2, ''],
      ],
    ]);
    const saved = { url: process.env.TFOD_MODEL_ZOO_URL, cache: process.env.XDG_CACHE_HOME };
    process.env.TFOD_MODEL_ZOO_URL = mirror.url;
    process.env.XDG_CACHE_HOME = join(work, 'xdg-records');
    let stdout = '';
    let stderr = '';
    try {
      const code = await runCli(
        ['init', dir, '--model', TF2.name, '--records', 'train.record-?????-of-00002'],
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      );
      assert.equal(code, 0, stderr);
    } finally {
      if (saved.url === undefined) delete process.env.TFOD_MODEL_ZOO_URL;
      else process.env.TFOD_MODEL_ZOO_URL = saved.url;
      if (saved.cache === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.cache;
    }
    assert.equal(
      readFileSync(join(dir, 'label_map.pbtxt'), 'utf8'),
      'item {\n  id: 1\n  name: "cat"\n}\nitem {\n  id: 2\n  name: "bird"\n}\n' +
        'item {\n  id: 4\n  name: "hot \\"dog\\""\n}\n',
    );
    assert.match(stdout, /label_map\.pbtxt: 1 cat, 2 bird, 4 hot "dog" \(from the records\)/);
    assert.match(stdout, /model\.ssd\.num_classes: 90 -> 4/);
    assert.match(stderr, /3 classes \(highest id 4\) in 5 objects of 3 records/);
    const text = readFileSync(join(dir, 'pipeline.config'), 'utf8');
    assert.match(text, /num_classes: 4\n/);
    assert.match(text, /label_map_path: "label_map\.pbtxt"/);
    assert.match(text, /input_path: "train\.record-\?\?\?\?\?-of-00002"/);
    const check = validateText(text, {
      root: PIPELINE_CONFIG,
      path: join(dir, 'pipeline.config'),
      host: new NodeProjectHost([dir]),
      target: { architecture: '2.9.1-gpu' },
    });
    assert.deepEqual(
      check.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    // An id no object names is named class_<id>, and said.
    const unnamed = join(work, 'project-unnamed');
    mkdirSync(unnamed);
    writeRecords(join(unnamed, 'train.record'), [[[1, 'cat'], [2]]]);
    const lines: string[] = [];
    const result = await initZooProject({
      dir: unnamed,
      model: TF2.name,
      records: 'train.record',
      baseUrl: mirror.url,
      cacheDir: join(work, 'xdg-records', 'tfod-sagemaker', 'model-zoo'),
      log: (line) => lines.push(line),
    });
    assert.deepEqual(
      [...(result.recordClasses?.names ?? [])],
      [
        [1, 'cat'],
        [2, 'class_2'],
      ],
    );
    assert.ok(
      lines.some((l) => /ids 2 have no image\/object\/class\/text/.test(l)),
      lines.join('\n'),
    );
    assert.equal(
      labelMapText(
        new Map([
          [2, 'b'],
          [1, 'a'],
        ]),
      ),
      'item {\n  id: 1\n  name: "a"\n}\nitem {\n  id: 2\n  name: "b"\n}\n',
    );
  });

  it('refuses records whose ids and names disagree, lack ids or cannot be read, before downloading', async () => {
    const dir = join(work, 'project-bad-records');
    mkdirSync(dir);
    const refuse = async (records: string, pattern: RegExp, fix: RegExp) => {
      mirror.requests.length = 0;
      await assert.rejects(
        initZooProject({
          dir,
          model: TF2.name,
          records,
          baseUrl: mirror.url,
          cacheDir: join(work, 'cache-bad'),
        }),
        (error: unknown) => {
          assert.ok(error instanceof UserError, String(error));
          assert.match(error.message, pattern);
          assert.match(error.fix ?? '', fix);
          return true;
        },
      );
      assert.equal(mirror.requests.length, 0, 'nothing downloaded');
      assert.ok(!existsSync(join(dir, 'pipeline.config')));
    };
    writeRecords(join(dir, 'two-names.record'), [[[1, 'cat']], [[1, 'dog']]]);
    await refuse(
      'two-names.record',
      /class id 1 is "cat" in .*two-names\.record, record 0 but "dog" in .*two-names\.record, record 1: the records' ids and names disagree/,
      /--label-map/,
    );
    writeRecords(join(dir, 'two-ids.record'), [
      [
        [1, 'cat'],
        [2, 'cat'],
      ],
    ]);
    await refuse(
      'two-ids.record',
      /class "cat" is id 1 in .*record 0 but id 2 in .*record 0/,
      /--label-map/,
    );
    // The writer's default for a missing id is 0 (the background): refused, not counted.
    writeRecords(join(dir, 'no-ids.record'), [[[1, 'cat']], [[undefined, 'dog']]]);
    await refuse(
      'no-ids.record',
      /no-ids\.record, record 1, object 0 has image\/object\/class\/label 0: num_classes cannot be taken from records without class ids/,
      /--label-map/,
    );
    writeFileSync(join(dir, 'garbage.record'), 'this is not a TFRecord file at all');
    await refuse('garbage.record', /cannot read the records .*garbage\.record: /, /not a TFRecord/);
    await refuse(
      'missing-*.record',
      /no file matches the records missing-\*\.record/,
      /relative to the project folder/,
    );
    writeRecords(join(dir, 'shard-00000-of-00002'), [[[1, 'cat']]]);
    await refuse(
      'shard-?????-of-00002',
      /lack 1 shard\(s\), first .*shard-00001-of-00002/,
      /every shard/,
    );
    writeRecords(join(dir, 'empty.record'), [[], []]);
    await refuse('empty.record', /hold no objects \(2 records in 1 file\(s\)\)/, /--label-map/);
    // A label map already in the folder is not overwritten.
    writeRecords(join(dir, 'good.record'), [[[1, 'cat']]]);
    writeFileSync(join(dir, 'label_map.pbtxt'), 'item { id: 7 name: "mine" }\n');
    await refuse('good.record', /label_map\.pbtxt already exists/, /--label-map/);
    assert.equal(
      readFileSync(join(dir, 'label_map.pbtxt'), 'utf8'),
      'item { id: 7 name: "mine" }\n',
    );
  });

  it('tfod init --list prints the catalogue', async () => {
    let stdout = '';
    assert.equal(
      await runCli(['init', '--list', '--tf', '2'], {
        stdout: (t) => (stdout += t),
        stderr: () => {},
      }),
      0,
    );
    assert.match(
      stdout,
      /TF2 {2}ssd_mobilenet_v2_320x320_coco17_tpu-8 {2}\(SSD, 320x320, 19 ms, COCO mAP 20\.2, boxes, suits a CPU\)/,
    );
    assert.doesNotMatch(stdout, /TF1/);
  });
});
