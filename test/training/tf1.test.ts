import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  pythonInImage,
  directJobFolder,
  removeWorkspace,
  runTrainDirectly,
  sampleWorkspace,
  TF1_NODE_VERSION,
  tfod,
  unpackModelArchive,
  waitForJob,
} from './harness';

// The seed's TF1 family with real TensorFlow 1.15 and the API's TF1 scripts (model_main.py,
// export_inference_graph.py, export_tflite_ssd_graph.py, tflite_convert): the production image
// built for ARCHITECTURE 1.15.0 on the stand-in for tensorflow/tensorflow:1.15.0-py3 (Ubuntu
// 18.04, Python 3.6), then `tfod sample --tf 1` and `tfod train` on the local target. From
// scratch, as the TF2 layer: the zoo's checkpoints are out of reach.

const NUM_STEPS = 40;

describe('training with real TensorFlow 1.15 in the production image (TF1)', () => {
  let image: string;
  let workspace: string;
  let log = '';

  before(async () => {
    ({ image, workspace } = await sampleWorkspace('tfod-tf1-', 1));
  });

  after(() => {
    if (workspace) removeWorkspace(image, workspace);
  });

  it('builds the production Dockerfile for 1.15.0: the TF1 API from PyPI, pycocotools compiled', () => {
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
          'python3 --version',
          'python3 -m pip show tf-object-detection | grep ^Version',
          'python3 -c "import tensorflow as tf; print(\\"tf\\", tf.__version__)" 2>/dev/null',
          'python3 -c "from nets.mobilenet import mobilenet_v2; import pycocotools.coco; print(\\"imports ok\\")" 2>/dev/null',
          'node --version',
        ].join('; '),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    const text = probe.stdout;
    assert.match(text, /^TFOD_TF_MAJOR=1$/m);
    assert.match(text, /^TFOD_OD_API_DIR=\/usr\/local\/lib\/python3\.6\/dist-packages$/m);
    assert.match(text, /^Python 3\.6\.\d+$/m);
    assert.match(text, /^Version: 0\.0\.3$/m);
    assert.match(text, /^tf 1\.15\.0$/m);
    assert.match(text, /^imports ok$/m, 'the slim nets and the compiled pycocotools import');
    assert.match(text, new RegExp(`^v${TF1_NODE_VERSION.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('writes a TF1 sample that `tfod validate` accepts for the 1.15 images', () => {
    const config = readFileSync(join(workspace, 'sample', 'pipeline.config'), 'utf8');
    assert.match(config, /type: "ssd_mobilenet_v2"\n/);
    assert.doesNotMatch(config, /fine_tune_checkpoint_version/);
    const validate = tfod(
      workspace,
      'validate',
      'sample/pipeline.config',
      '--architecture',
      '1.15.0',
    );
    assert.equal(validate.code, 0, `${validate.stdout}${validate.stderr}`);
  });

  it(`trains ${NUM_STEPS} steps from scratch with model_main.py, evaluates, exports a SavedModel and TFLite, and Completes`, async () => {
    const started = tfod(
      workspace,
      'train',
      '--name',
      'tf1',
      '--image',
      image,
      '--training',
      'sample',
      '--num-steps',
      String(NUM_STEPS),
      '--quantize',
    );
    assert.equal(started.code, 0, started.stderr);
    const status = await waitForJob(workspace, 'tf1', 1_200_000);
    log = tfod(workspace, 'logs', 'tf1').stdout;
    assert.equal(status.status, 'Completed', `${status.failureReason ?? ''}\n${log.slice(-3000)}`);
    // The Estimator's own lines: the last step's checkpoint, the COCO evaluation, the export.
    assert.match(
      log,
      new RegExp(`Saving checkpoints for ${NUM_STEPS} into /opt/ml/checkpoints/model\\.ckpt`),
    );
    assert.match(
      log,
      /Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \]/,
    );
    assert.match(log, /export_inference_graph/);
    assert.match(
      log,
      new RegExp(
        `\\[tfod\\] newest checkpoint: \\S+model\\.ckpt-${NUM_STEPS} \\(step ${NUM_STEPS}\\)`,
      ),
    );
  });

  it('packages model.tar.gz: a SavedModel TF1 serves with the API signature, and a .tflite that loads', () => {
    const unpacked = unpackModelArchive(workspace, 'tf1', [
      'saved_model/saved_model.pb',
      'label_map.pbtxt',
      'pipeline.config',
      'hyperparameters.json',
      'model.tflite',
    ]);
    const saved = pythonInImage(
      image,
      unpacked,
      [
        'import json, numpy as np, tensorflow as tf',
        'with tf.Session(graph=tf.Graph()) as s:',
        "  m = tf.saved_model.loader.load(s, ['serve'], '/data/saved_model')",
        "  sig = m.signature_def['serving_default']",
        '  names = {k: v.name for k, v in sig.outputs.items()}',
        "  out = s.run(names, {sig.inputs['inputs'].name: np.zeros([1, 300, 300, 3], np.uint8)})",
        "  print(json.dumps({'outputs': sorted(names), 'boxes': list(out['detection_boxes'].shape)}))",
        "i = tf.lite.Interpreter(model_path='/data/model.tflite')",
        'i.allocate_tensors()',
        "print(json.dumps({'tflite_input': i.get_input_details()[0]['shape'].tolist()}))",
      ].join('\n'),
    );
    assert.equal(saved.code, 0, saved.stderr.slice(-2000));
    const lines = saved.stdout.trim().split('\n');
    const model = JSON.parse(lines.at(-2) ?? '{}') as { outputs: string[]; boxes: number[] };
    for (const key of [
      'detection_boxes',
      'detection_classes',
      'detection_scores',
      'num_detections',
    ])
      assert.ok(
        model.outputs.includes(key),
        `${key} in the SavedModel's outputs: ${model.outputs.join(', ')}`,
      );
    assert.deepEqual(model.boxes, [1, 100, 4], 'max_total_detections boxes for the one image');
    const tflite = JSON.parse(lines.at(-1) ?? '{}') as { tflite_input: number[] };
    assert.deepEqual(tflite.tflite_input, [1, 300, 300, 3]);
  });

  it('resumes from /opt/ml/checkpoints as a restarted spot job does, and ends at num_steps', () => {
    // As the TF2 layer's restart: the completed job's checkpoints in a fresh container, the same
    // training folder, and twice the steps; model_main's Estimator picks the newest one up.
    const restart = directJobFolder(workspace, 'restart', 'tf1', {
      num_steps: String(2 * NUM_STEPS),
      quantize: 'false',
      image_size: '300',
    });
    const copy = spawnSync(
      'docker',
      [
        'run',
        '--rm',
        '-v',
        `${workspace}:/w`,
        image,
        'cp',
        '-a',
        '/w/.tfod/jobs/tf1/checkpoints/.',
        '/w/.tfod/restart/checkpoints/',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(copy.status, 0, copy.stderr);
    const { code, output } = runTrainDirectly(image, restart, join(workspace, 'sample'));
    assert.equal(code, 0, output.slice(-3000));
    assert.match(
      output,
      new RegExp(
        `\\[tfod\\] resuming from checkpoint /opt/ml/checkpoints/model\\.ckpt-${NUM_STEPS} \\(step ${NUM_STEPS}\\)`,
      ),
    );
    // The Estimator restored step NUM_STEPS and saved only later steps.
    assert.doesNotMatch(output, /Saving checkpoints for (?:0|1) into/);
    assert.match(output, new RegExp(`Saving checkpoints for ${2 * NUM_STEPS} into`));
    assert.match(
      output,
      new RegExp(
        `\\[tfod\\] newest checkpoint: \\S+model\\.ckpt-${2 * NUM_STEPS} \\(step ${2 * NUM_STEPS}\\)`,
      ),
    );
    assert.ok(existsSync(join(restart, 'model', 'saved_model', 'saved_model.pb')));
  });

  it("trains on two replicas as on a 2-GPU instance: the API's legacy trainer with two clones, then one evaluation", () => {
    // TFOD_CPU_REPLICAS runs the multi-GPU path on the CPU: the legacy trainer deploys one clone
    // of the model per replica and sums their gradients, each clone taking half of batch_size.
    const folder = directJobFolder(workspace, 'clones', 'tf1', {
      num_steps: '20',
      quantize: 'false',
      image_size: '300',
    });
    const { code, output } = runTrainDirectly(image, folder, join(workspace, 'sample'), {
      TFOD_CPU_REPLICAS: '2',
    });
    assert.equal(code, 0, output.slice(-3000));
    assert.match(
      output,
      /\[tfod\] 2 replicas on the CPU \(TFOD_CPU_REPLICAS\): the API's legacy trainer/,
    );
    assert.match(output, /object_detection\/legacy\/train\.py/);
    // model_deploy's clone scopes: the graph the trainer saved holds two copies of the model.
    const graph = readFileSync(join(folder, 'checkpoints', 'graph.pbtxt'), 'utf8');
    assert.match(graph, /name: "clone_1\//);
    assert.match(output, /global step 20:/);
    assert.match(output, /Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all/);
    assert.match(output, /\[tfod\] newest checkpoint: \S+model\.ckpt-20 \(step 20\)/);
    assert.ok(existsSync(join(folder, 'model', 'saved_model', 'saved_model.pb')));
  });
});
