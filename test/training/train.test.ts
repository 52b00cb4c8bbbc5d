import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METRIC_DEFINITIONS, parseMetricLine } from '../../src/core/training/metrics';
import {
  openFile,
  openWorkbench,
  previewFrame,
  runCommand,
  waitForValue,
} from '../e2e/harness/workbench';
import {
  BASE_IMAGE,
  sampleWorkspace,
  jobFolder,
  pythonInImage,
  readStatus,
  removeWorkspace,
  runTrainDirectly,
  startTrainDirectly,
  directJobFolder,
  tfod,
  unpackModelArchive,
  waitForJob,
} from './harness';

// The product's main job with real TensorFlow 2.9 and the real Object Detection API: the
// production image built on the stand-in base, then `tfod train` on the local target with the
// generated sample, as a user runs them. From scratch: no model zoo checkpoint can be downloaded
// here (download.tensorflow.org is out of reach).

const NUM_STEPS = 100;

describe('training with real TensorFlow in the production image', () => {
  let image: string;
  let workspace: string;
  let log = '';

  before(async () => {
    ({ image, workspace } = await sampleWorkspace('tfod-training-'));
  });

  after(() => {
    if (workspace) removeWorkspace(image, workspace);
  });

  it('builds the production Dockerfile with the Object Detection API from PyPI and Node.js from npm', () => {
    // Read from the image, not the build log: a build from Docker's cache prints no RUN output.
    const probe = spawnSync(
      'docker',
      [
        'run',
        '--rm',
        image,
        'bash',
        '-c',
        [
          'cat /opt/tfod/od_api.env',
          'python3 -m pip show tf-object-detection-api | grep ^Version',
          'node --version',
          'ls /opt/tfod/node_modules/@tensorflow 2>/dev/null || echo "no native binding"',
          'ls /usr/local/share/ca-certificates/tfod/',
          'ls /etc/apt/sources.list.d/',
        ].join('; '),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    const text = probe.stdout;
    assert.match(text, /^TFOD_TF_MAJOR=2$/m);
    assert.match(text, /^TFOD_OD_API_DIR=\/usr\/local\/lib\/python3\.\d+\/dist-packages$/m);
    assert.match(text, /^Version: 0\.1$/m, 'the pinned PyPI distribution');
    assert.match(text, /^v20\.\d+\.\d+$/m, 'Node.js (from the npm registry)');
    assert.match(text, /^no native binding$/m, 'TFJS_NATIVE=none: serve runs on wasm');
    // This network intercepts TLS: pip and npm reached their registries through the CA given.
    assert.match(text, /^tfod-extra-0-ca-certificates\.crt$/m);
    // The stand-in base, as the CUDA images, lists an apt source that fails `apt-get update`;
    // the build got past it because install.sh leaves NVIDIA's lists out (and removes them).
    const list = spawnSync(
      'docker',
      ['run', '--rm', BASE_IMAGE, 'cat', '/etc/apt/sources.list.d/cuda.list'],
      { encoding: 'utf8' },
    );
    assert.match(list.stdout, /tfod-no-such-cuda-repo/);
    assert.doesNotMatch(text, /cuda\.list/);
  });

  it(`trains ${NUM_STEPS} steps from scratch, evaluates once, exports a SavedModel and TFLite, and Completes`, async () => {
    const started = tfod(
      workspace,
      'train',
      '--name',
      'real',
      '--image',
      image,
      '--training',
      'sample',
      '--num-steps',
      String(NUM_STEPS),
      '--quantize',
    );
    assert.equal(started.code, 0, started.stderr);
    const status = await waitForJob(workspace, 'real', 1_200_000);
    log = tfod(workspace, 'logs', 'real').stdout;
    assert.equal(status.status, 'Completed', `${status.failureReason ?? ''}\n${log.slice(-3000)}`);

    // The API's own training loop, step lines and export.
    assert.match(log, /model_lib_v2\.py:\d+\] Step 25 per-step time/);
    assert.match(log, /model_lib_v2\.py:\d+\] Step 100 per-step time/);
    assert.match(log, /exporter_main_v2/);
    assert.match(log, /trains from scratch \(fine_tune_checkpoint removed\)/);
  });

  it('exports the last step: the newest checkpoint is at num_steps, not at step 0', () => {
    assert.match(
      log,
      new RegExp(`\\[tfod\\] newest checkpoint: \\S+ckpt-\\d+ \\(step ${NUM_STEPS}\\)`),
    );
    // The evaluation saw that checkpoint and returned, without waiting for newer ones.
    assert.match(log, /Eval metrics at step 100/);
    assert.doesNotMatch(
      log,
      /Waiting for new checkpoint[^\n]*\n(?:[^\n]*\n){0,3}[^\n]*Timed-out waiting/,
    );
  });

  it('keeps its checkpoints in the job folder and its TensorBoard event files in output/tensorboard', () => {
    const real = jobFolder(workspace, 'real');
    assert.match(log, /\[tfod\] model_dir \/opt\/ml\/checkpoints: checkpoints are kept there/);
    assert.ok(existsSync(join(real, 'checkpoints', 'checkpoint')), 'the TF checkpoint state file');
    // TF2's loop writes train/ and eval/ (eval/<input name>/ when the eval input is named).
    const eventFiles = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
            /(^|\/)events\.out\.tfevents\./.test(name),
          )
        : [];
    const board = join(real, 'output', 'tensorboard');
    assert.ok(eventFiles(join(board, 'train')).length > 0, "the training loop's event files");
    assert.ok(eventFiles(join(board, 'eval')).length > 0, "the evaluation's event files");
  });

  it('resumes an interrupted job from its newest checkpoint, as SageMaker restarts a spot job, and ends at num_steps', async () => {
    // A spot interruption: the container is killed mid-training. SageMaker starts a fresh one
    // with the same channels and the checkpoints it synced back into /opt/ml/checkpoints; here
    // the same folder, mounted again.
    const folder = directJobFolder(workspace, 'interrupted', 'real', {
      num_steps: String(NUM_STEPS),
      quantize: 'false',
      image_size: '300',
      inference_type: 'FLOAT',
    });
    const container = `tfod-test-interrupted-${process.pid}`;
    startTrainDirectly(image, folder, join(workspace, 'sample'), container);
    try {
      // The first checkpoint is the untrained model's; a second one means steps were saved.
      const second = join(folder, 'checkpoints', 'ckpt-2.index');
      for (let waited = 0; !existsSync(second); waited += 1) {
        assert.ok(waited < 600, 'a second checkpoint within 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      spawnSync('docker', ['kill', container]);
      spawnSync('docker', ['rm', '-f', container]);
    }
    assert.ok(!existsSync(join(folder, 'model', 'saved_model')), 'killed before the export');
    const { code, output } = runTrainDirectly(image, folder, join(workspace, 'sample'));
    assert.equal(code, 0, output.slice(-3000));
    const resumed =
      /\[tfod\] resuming from checkpoint \/opt\/ml\/checkpoints\/ckpt-\d+ \(step (\d+)\)/.exec(
        output,
      );
    assert.ok(resumed, output.slice(0, 3000));
    const step = Number(resumed[1]);
    assert.ok(step > 0 && step < NUM_STEPS, `resumed past step 0 and before the end: step ${step}`);
    // It went on from there: no loss line at or before that step, and it ends at num_steps.
    const steps = [...output.matchAll(/model_lib_v2\.py:\d+\] Step (\d+) per-step time/g)].map(
      (match) => Number(match[1]),
    );
    assert.ok(
      steps.length > 0 && steps.every((s) => s > step),
      `loss lines at ${steps.join(', ')}`,
    );
    assert.match(
      output,
      new RegExp(`\\[tfod\\] newest checkpoint: \\S+ckpt-\\d+ \\(step ${NUM_STEPS}\\)`),
    );
    assert.ok(existsSync(join(folder, 'model', 'saved_model', 'saved_model.pb')));
  });

  it('trains on two replicas as on a 2-GPU instance: MirroredStrategy over two CPU devices', () => {
    // TFOD_CPU_REPLICAS runs the multi-GPU path where there is no GPU: the runner splits the CPU
    // into logical devices and mirrors the model across them, each taking half of batch_size.
    const folder = directJobFolder(workspace, 'replicas', 'real', {
      num_steps: '20',
      quantize: 'false',
      image_size: '300',
      inference_type: 'FLOAT',
    });
    const { code, output } = runTrainDirectly(image, folder, join(workspace, 'sample'), {
      TFOD_CPU_REPLICAS: '2',
    });
    assert.equal(code, 0, output.slice(-3000));
    assert.match(output, /\[tfod\] 2 replicas on the CPU \(TFOD_CPU_REPLICAS\): MirroredStrategy/);
    assert.match(
      output,
      /\[tfod\] MirroredStrategy: 2 replica\(s\) in sync \(\S+device:CPU:0, \S+device:CPU:1\)/,
    );
    assert.match(output, /\[tfod\] newest checkpoint: \S+ckpt-\d+ \(step 20\)/);
    assert.ok(existsSync(join(folder, 'model', 'saved_model', 'saved_model.pb')));
  });

  it('reports #metric lines that match every MetricDefinition, once each, and the loss went down', () => {
    const samples = log
      .split('\n')
      .map((line) => parseMetricLine(line))
      .filter((s) => s !== undefined);
    // Training's loss dictionaries carry the learning rate; the evaluation's losses do not.
    const losses = samples.filter(
      (s) => s.values.total_loss !== undefined && s.values.learning_rate !== undefined,
    );
    const steps = losses.map((s) => s.step);
    assert.deepEqual(steps, [...new Set(steps)], 'each step reported once');
    assert.ok(losses.length >= 4, `loss at several steps: ${steps.join(', ')}`);
    const first = losses[0]!.values.total_loss!;
    const last = losses[losses.length - 1]!.values.total_loss!;
    assert.ok(last < first, `total_loss went down: ${first} -> ${last}`);
    const lines = log.split('\n').filter((line) => line.startsWith('#metric'));
    for (const definition of METRIC_DEFINITIONS) {
      const regex = new RegExp(definition.Regex);
      const value = lines.map((line) => regex.exec(line)?.[1]).find((v) => v !== undefined);
      assert.ok(
        value !== undefined && Number.isFinite(Number(value)),
        `${definition.Name} is reported`,
      );
    }
  });

  it('packages model.tar.gz in the layout serve reads, with a .tflite that TensorFlow Lite loads', () => {
    const unpacked = unpackModelArchive(workspace, 'real', [
      'saved_model/saved_model.pb',
      'saved_model/variables/variables.index',
      'label_map.pbtxt',
      'pipeline.config',
      'hyperparameters.json',
      'model.tflite',
    ]);
    const tflite = pythonInImage(
      image,
      unpacked,
      [
        'import json, numpy as np, tensorflow as tf',
        "i = tf.lite.Interpreter(model_path='/data/model.tflite')",
        'i.allocate_tensors()',
        'd = i.get_input_details()[0]',
        "i.set_tensor(d['index'], np.zeros(d['shape'], d['dtype']))",
        'i.invoke()',
        "print(json.dumps({'input': d['shape'].tolist(), 'outputs': len(i.get_output_details())}))",
      ].join('\n'),
    );
    assert.equal(tflite.code, 0, tflite.stderr.slice(-2000));
    const details = JSON.parse(tflite.stdout.trim().split('\n').pop() ?? '{}') as {
      input: number[];
      outputs: number;
    };
    assert.deepEqual(details.input, [1, 300, 300, 3]);
    assert.equal(details.outputs, 4, 'boxes, classes, scores, count');
    const saved = pythonInImage(
      image,
      unpacked,
      [
        'import json, tensorflow as tf',
        "m = tf.saved_model.load('/data/saved_model')",
        "f = m.signatures['serving_default']",
        'out = f(input_tensor=tf.zeros([1, 300, 300, 3], tf.uint8))',
        'print(json.dumps(sorted(out.keys())))',
      ].join('\n'),
    );
    assert.equal(saved.code, 0, saved.stderr.slice(-2000));
    const keys = JSON.parse(saved.stdout.trim().split('\n').pop() ?? '[]') as string[];
    for (const key of [
      'detection_boxes',
      'detection_classes',
      'detection_scores',
      'num_detections',
    ])
      assert.ok(keys.includes(key), `${key} in the SavedModel's outputs: ${keys.join(', ')}`);
  });

  it("runs in-process from its TF.js conversion (tfod predict, wasm) with TensorFlow's own detections", () => {
    const unpacked = join(jobFolder(workspace, 'real'), 'unpacked');
    assert.ok(existsSync(join(unpacked, 'tfjs', 'model.json')), 'train wrote tfjs/model.json');
    writeFileSync(
      join(unpacked, 'probe.jpg'),
      readFileSync(join(workspace, 'sample', 'images', 'validation-000.jpg')),
    );
    // A PNG of the decoded photo, so both sides see the same pixels whatever their JPEG decoder.
    const reference = pythonInImage(
      image,
      unpacked,
      [
        'import json, tensorflow as tf',
        "image = tf.io.decode_jpeg(tf.io.read_file('/data/probe.jpg'), channels=3)",
        "tf.io.write_file('/data/probe.png', tf.io.encode_png(image))",
        "f = tf.saved_model.load('/data/saved_model').signatures['serving_default']",
        'out = f(input_tensor=image[None])',
        'n = int(out["num_detections"][0])',
        "print(json.dumps({'count': n, 'scores': out['detection_scores'][0][:n].numpy().tolist(),",
        "  'classes': out['detection_classes'][0][:n].numpy().tolist(),",
        "  'boxes': out['detection_boxes'][0][:n].numpy().tolist()}))",
      ].join('\n'),
      { writable: true },
    );
    assert.equal(reference.code, 0, reference.stderr.slice(-2000));
    const tf = JSON.parse(reference.stdout.trim().split('\n').pop() ?? '{}') as {
      count: number;
      scores: number[];
      classes: number[];
      boxes: number[][];
    };
    assert.ok(tf.count > 0, 'TensorFlow finds boxes (at its own 1e-8 score threshold)');
    const predicted = tfod(
      workspace,
      'predict',
      '--model',
      join(jobFolder(workspace, 'real'), 'output', 'model.tar.gz'),
      '--threshold',
      '0',
      '--json',
      join(unpacked, 'probe.png'),
    );
    assert.equal(predicted.code, 0, predicted.stderr);
    const [result] = JSON.parse(predicted.stdout) as Array<{ prediction: number[][] }>;
    const ours = result?.prediction ?? [];
    assert.equal(ours.length, tf.count, 'as many detections as TensorFlow');
    // The scores, strongest first, within 1e-3 all the way down.
    for (let i = 0; i < tf.count; i++)
      assert.ok(
        Math.abs((ours[i]?.[1] ?? NaN) - (tf.scores[i] ?? NaN)) <= 1e-3,
        `score ${i}: ${ours[i]?.[1]} vs ${tf.scores[i]}`,
      );
    // Every TensorFlow detection whose score no other one shares has its twin: same class, score
    // and box within 1e-3. A barely trained model scores neighbouring anchors alike (0.492619 and
    // 0.492619), and which of two such overlapping boxes NMS keeps turns on the last float bit,
    // which TensorFlow's and the wasm backend's kernels round differently: those are not compared.
    const tied = (i: number) =>
      tf.scores.some((other, k) => k !== i && Math.abs(other - (tf.scores[i] ?? NaN)) <= 1e-5);
    const compared = tf.scores.map((_, i) => i).filter((i) => !tied(i));
    // How many are untied varies from one training run to the next (9 to well over 10 seen):
    // five is enough for the comparison to mean something.
    assert.ok(compared.length >= 5, `enough untied detections to compare: ${compared.length}`);
    const unused = new Set(ours.keys());
    const close = (a: number | undefined, b: number | undefined) =>
      Math.abs((a ?? NaN) - (b ?? NaN)) <= 1e-3;
    for (const i of compared) {
      const [tymin, txmin, tymax, txmax] = tf.boxes[i] ?? [];
      const twin = [...unused].find((j) => {
        const [classId, score, xmin, ymin, xmax, ymax] = ours[j] ?? [];
        return (
          classId === tf.classes[i] &&
          close(score, tf.scores[i]) &&
          close(xmin, txmin) &&
          close(ymin, tymin) &&
          close(xmax, txmax) &&
          close(ymax, tymax)
        );
      });
      assert.ok(
        twin !== undefined,
        `TensorFlow's detection ${i} (class ${tf.classes[i]}, ${tf.scores[i]}, box ${tf.boxes[i]?.join(', ')}) has no twin`,
      );
      unused.delete(twin);
    }
  });

  it('shows its detections in the preview of a real VS Code, from its model.tar.gz', async () => {
    // The job's model.tar.gz and a validation photo in a workspace of a real VS Code (code-server):
    // the preview runs the trained model in the extension host (TF.js conversion, wasm) and shows
    // what `tfod predict` finds, named from the label map the job packed with the model.
    const archive = join(jobFolder(workspace, 'real'), 'output', 'model.tar.gz');
    const photo = join(jobFolder(workspace, 'real'), 'unpacked', 'probe.png');
    assert.ok(existsSync(photo), 'the TF.js test wrote probe.png');
    const predicted = tfod(workspace, 'predict', '--model', archive, '--json', '-t', '0', photo);
    assert.equal(predicted.code, 0, predicted.stderr);
    const expected = (JSON.parse(predicted.stdout) as Array<{ prediction: number[][] }>)[0]
      ?.prediction;
    assert.ok(expected && expected.length > 0);
    const workbench = await openWorkbench('sample-project');
    try {
      const ws = workbench.workspace;
      mkdirSync(join(ws, 'trained'), { recursive: true });
      writeFileSync(join(ws, 'trained', 'model.tar.gz'), readFileSync(archive));
      writeFileSync(join(ws, 'probe.png'), readFileSync(photo));
      const { page } = workbench;
      await openFile(page, 'probe.png');
      await runCommand(page, 'Object Detection: Preview Detections');
      const row = page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'trained/model.tar.gz' })
        .first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click();
      const frame = await previewFrame(page);
      const card = frame.locator('section.image[data-path$="probe.png"]');
      const raw = card.locator('.raw pre');
      await raw.waitFor({ state: 'attached', timeout: 180_000 });
      const shown = await waitForValue(
        'the raw answer of the trained model',
        async () => {
          const text = (await raw.textContent()) ?? '';
          return text.includes('prediction')
            ? (JSON.parse(text) as { prediction: number[][] }).prediction
            : undefined;
        },
        (value) => value !== undefined,
        180_000,
      );
      assert.ok(shown);
      // The preview asks at its floor: every detection it got is one tfod predict found, in order.
      assert.ok(shown.length > 0, 'the preview got detections');
      shown.forEach((p, i) =>
        p.forEach((v, k) =>
          assert.ok(
            Math.abs(v - (expected[i]?.[k] ?? NaN)) <= 1e-4,
            `detection ${i} value ${k}: ${v} vs ${expected[i]?.[k]}`,
          ),
        ),
      );
      assert.match(
        (await frame.locator('.labels-note').textContent()) ?? '',
        /from the model's label map/,
      );
    } finally {
      await workbench.close();
    }
  });

  it('fails a config TensorFlow rejects with the failure file, quoting the API', async () => {
    const broken = join(workspace, 'broken');
    mkdirSync(broken);
    for (const file of [
      'label_map.pbtxt',
      'train.record-00000-of-00002',
      'train.record-00001-of-00002',
    ])
      writeFileSync(join(broken, file), readFileSync(join(workspace, 'sample', file)));
    const config = readFileSync(join(workspace, 'sample', 'pipeline.config'), 'utf8');
    const unknown = config.replace(
      /type: "ssd_mobilenet_v2(_keras)?"/,
      'type: "ssd_mobilenet_v9_keras"',
    );
    assert.notEqual(unknown, config, 'the sample names its feature extractor');
    writeFileSync(join(broken, 'pipeline.config'), unknown);
    const started = tfod(
      workspace,
      'train',
      '--name',
      'broken',
      '--image',
      image,
      '--training',
      'broken',
    );
    assert.equal(started.code, 0, started.stderr);
    const status = await waitForJob(workspace, 'broken', 600_000);
    assert.equal(status.status, 'Failed');
    const failure = readFileSync(join(jobFolder(workspace, 'broken'), 'output', 'failure'), 'utf8');
    assert.match(failure, /training step failed/);
    assert.match(failure, /ssd_mobilenet_v9/);
  });

  it("stops within SageMaker's limit on SIGTERM mid-training, by itself (not killed)", async () => {
    const started = tfod(
      workspace,
      'train',
      '--name',
      'stopped',
      '--image',
      image,
      '--training',
      'sample',
      '--num-steps',
      '2000',
    );
    assert.equal(started.code, 0, started.stderr);
    const deadline = Date.now() + 600_000;
    while (!/Step \d+ per-step time/.test(tfod(workspace, 'logs', 'stopped').stdout)) {
      assert.ok(Date.now() < deadline, 'training reached its first step line');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const stop = tfod(workspace, 'stop', 'stopped');
    assert.equal(stop.code, 0, stop.stderr);
    const status = await waitForJob(workspace, 'stopped', 300_000);
    assert.equal(status.status, 'Stopped');
    const stopped = readStatus(workspace, 'stopped') as unknown as { exitCode?: number };
    assert.equal(stopped.exitCode, 143, 'train ended on SIGTERM by itself, before the kill (137)');
  });
});
