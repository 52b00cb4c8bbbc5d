import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadDetector } from '../../../src/detection';
import {
  defaultTrainingFiles,
  failureOf,
  makeJob,
  readCalls,
  runTrain,
  trainEnv,
  trainJs,
} from './harness';

// The real `train` entrypoint as a process, against a SageMaker-identical /opt/ml tree, with a
// stand-in for the Object Detection API's Python scripts (TensorFlow cannot run here).
describe('train entrypoint (process)', () => {
  before(() => assert.ok(existsSync(trainJs), `${trainJs} is missing: run \`npm run build\``));

  it('TF2: rewrites the config, trains, evaluates, exports, converts to TFLite and packages /opt/ml/model', async () => {
    const job = makeJob({
      hyperparameters: {
        num_steps: '300',
        quantize: 'true',
        image_size: '320',
        inference_type: 'QUANTIZED_UINT8',
      },
    });
    const result = await runTrain(trainEnv(job));
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(failureOf(job), undefined);

    const data = join(job.optMl, 'input', 'data');
    const calls = readCalls(job);
    assert.deepEqual(
      calls.map((c) => c.script),
      [
        'od_api_tf2.py',
        'od_api_tf2.py',
        'exporter_main_v2.py',
        'convert_tfjs.py',
        'export_tflite_graph_tf2.py',
        'convert_tflite.py',
      ],
    );
    assert.equal(calls[0]?.flags.num_train_steps, '300');
    assert.deepEqual(
      [calls[0]?.flags.mode, calls[1]?.flags.mode],
      ['train', 'evaluate'],
      "tfod runs the API's TF2 loops itself (od_api_tf2.py)",
    );
    assert.equal(
      calls[1]?.flags.model_dir,
      calls[0]?.flags.model_dir,
      'evaluation reads the training checkpoints',
    );
    assert.equal(calls[2]?.flags.output_directory, join(job.optMl, 'model'));
    assert.equal(calls[3]?.flags.output_dir, join(job.optMl, 'model', 'tfjs'));
    assert.equal(calls[5]?.flags.image_size, '320');
    assert.equal(calls[5]?.flags.inference_type, 'QUANTIZED_UINT8');

    const model = join(job.optMl, 'model');
    for (const file of [
      'saved_model/saved_model.pb',
      'label_map.pbtxt',
      'pipeline.config',
      'hyperparameters.json',
      'model.tflite',
    ]) {
      assert.ok(existsSync(join(model, file)), `model/${file}`);
    }
    const config = readFileSync(join(model, 'pipeline.config'), 'utf8');
    assert.match(
      config,
      new RegExp(`fine_tune_checkpoint: "${data}/checkpoint/ssd_mobilenet_v2/checkpoint/ckpt-0"`),
    );
    assert.match(
      config,
      new RegExp(`input_path: "${data}/training/train\\.record-\\?\\?\\?\\?\\?-of-00002"`),
    );
    assert.match(config, new RegExp(`input_path: "${data}/training/validation\\.record"`));
    assert.match(config, /num_steps: 300/);
    // TF2 refuses V1, the default of a config without the field, when it fine-tunes.
    assert.match(config, /fine_tune_checkpoint_version: V2/);
    assert.match(
      result.stdout,
      /pipeline\.config: train_config\.fine_tune_checkpoint_version: \(unset\) -> V2/,
    );
    assert.match(config, /# A small SSD MobileNet V2 pipeline/, 'comments survive');
    assert.deepEqual(JSON.parse(readFileSync(join(model, 'hyperparameters.json'), 'utf8')), {
      num_steps: '300',
      quantize: 'true',
      image_size: '320',
      inference_type: 'QUANTIZED_UINT8',
    });

    assert.match(
      result.stdout,
      /pipeline\.config: train_config\.fine_tune_checkpoint: "checkpoint\/model\.ckpt" -> /,
    );
    assert.match(
      result.stdout,
      /^#metric step=300 classification_loss=0\.00333 total_loss=0\.00667 learning_rate=0\.004$/m,
    );
    assert.match(result.stdout, /^#metric step=300 eval_mAP=0\.412$/m);
  });

  it('TF1: model_main.py, export_inference_graph.py from the newest checkpoint, tflite_convert', async () => {
    const job = makeJob({ tfMajor: 1, hyperparameters: { num_steps: '200', quantize: 'true' } });
    const result = await runTrain(trainEnv(job, 1));
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const calls = readCalls(job);
    assert.deepEqual(
      calls.map((c) => c.script),
      [
        'model_main.py',
        'export_inference_graph.py',
        'export_tflite_ssd_graph.py',
        'tflite_convert',
      ],
    );
    assert.match(calls[1]?.flags.trained_checkpoint_prefix ?? '', /\/model\.ckpt-200$/);
    assert.equal(calls[3]?.flags.input_shapes, '1,300,300,3');
    assert.equal(calls[3]?.flags.inference_type, 'FLOAT');
    assert.equal(
      calls[3]?.flags.mean_values,
      undefined,
      'FLOAT conversion takes no quantization stats',
    );
    assert.match(
      readFileSync(join(job.optMl, 'model', 'pipeline.config'), 'utf8'),
      /ssd_mobilenet_v2\/model\.ckpt"/,
    );
    assert.match(result.stdout, /^#metric step=200 total_loss=0\.01$/m);
    assert.match(result.stdout, /^#metric step=200 eval_mAP=0\.3 total_loss=0\.5$/m);
  });

  const failures: Array<
    [string, Parameters<typeof makeJob>[0], RegExp, ((optMl: string) => void)?]
  > = [
    [
      'a bad hyperparameter',
      { hyperparameters: { num_steps: 'lots' } },
      /^Invalid hyperparameter: num_steps must be a whole number/,
    ],
    [
      'an unknown hyperparameter',
      { hyperparameters: { num_step: '5' } },
      /unknown hyperparameter 'num_step'; did you mean 'num_steps'\?/,
    ],
    [
      'no training channel',
      { channels: { checkpoint: { TrainingInputMode: 'File' } }, training: undefined },
      /^The training job has no 'training' channel \(it has: checkpoint\)/,
    ],
    [
      'Pipe mode',
      { channels: { training: { TrainingInputMode: 'Pipe' } } },
      /^Channel 'training' uses Pipe mode; this image reads its channels in File mode only/,
    ],
    [
      'no TFRecords',
      {
        training: {
          'pipeline.config': defaultTrainingFiles()['pipeline.config'] ?? '',
          'label_map.pbtxt': '',
        },
      },
      /^No TFRecord files for training in the 'training' channel\nFound: label_map\.pbtxt, pipeline\.config\./,
    ],
    [
      'no pipeline.config',
      { training: { 'train.record': 'x' } },
      /^No pipeline\.config in the 'training' channel\nFound: train\.record\./,
    ],
    [
      'a missing shard',
      {
        training: {
          ...defaultTrainingFiles(),
          'train.record-00001-of-00002': undefined as unknown as string,
        },
      },
      /^TFRecord shards are missing: train\.record-\?\?\?\?\?-of-00002 announces 2 shards, shard 1 not found/,
    ],
    [
      'an invalid pipeline.config',
      {
        training: {
          ...defaultTrainingFiles(),
          'pipeline.config': 'train_config {\n  num_steps: 5\n',
        },
      },
      /^pipeline\.config is not a valid pipeline config: line \d+: /,
    ],
    [
      'a TF1 checkpoint in a TF2 image',
      { checkpoint: 'tf1' },
      /^The checkpoint ssd_mobilenet_v2\/model\.ckpt is a TF1 checkpoint but this image trains with TF2\nUse a TF2 pre-trained model/,
    ],
  ];
  for (const [what, options, expected] of failures) {
    it(`fails with a clear reason in /opt/ml/output/failure for ${what}`, async () => {
      const training = options?.training
        ? Object.fromEntries(Object.entries(options.training).filter(([, v]) => v !== undefined))
        : options?.training;
      const job = makeJob({ ...options, training });
      const result = await runTrain(trainEnv(job));
      assert.equal(result.code, 1, result.stdout);
      const failure = failureOf(job);
      assert.ok(failure, 'failure file written');
      assert.match(failure, expected);
      assert.ok(
        failure.split('\n')[0]!.length < 1024,
        'the first line fits SageMaker FailureReason',
      );
      assert.match(result.stderr, /\[tfod\] training failed: /);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('a failing script is quoted in the failure file', async () => {
    const job = makeJob();
    const result = await runTrain(trainEnv(job, 2, { TFOD_STANDIN_FAIL: 'exporter_main_v2.py' }));
    assert.equal(result.code, 1);
    assert.match(
      failureOf(job) ?? '',
      /^The export step failed \(exit code 1\): ValueError: stand-in failure requested by the test \(TFOD_STANDIN_FAIL\)\nLast output:/,
    );
  });

  it('TF1: QUANTIZED_UINT8 without quantization-aware training fails before training, not after', async () => {
    const hyperparameters = { quantize: 'true', inference_type: 'QUANTIZED_UINT8' };
    const job = makeJob({ tfMajor: 1, hyperparameters });
    const result = await runTrain(trainEnv(job, 1));
    assert.equal(result.code, 1);
    assert.match(
      failureOf(job) ?? '',
      /^inference_type QUANTIZED_UINT8 needs quantization-aware training, and pipeline\.config has no graph_rewriter/,
    );
    assert.deepEqual(readCalls(job), [], 'no script ran: nothing was paid for');

    const aware = makeJob({
      tfMajor: 1,
      hyperparameters,
      training: {
        ...defaultTrainingFiles(),
        'pipeline.config': `${defaultTrainingFiles()['pipeline.config'] ?? ''}\ngraph_rewriter {\n  quantization {\n    delay: 10\n  }\n}\n`,
      },
    });
    const trained = await runTrain(trainEnv(aware, 1));
    assert.equal(trained.code, 0, `${trained.stdout}\n${trained.stderr}`);
    assert.equal(readCalls(aware).at(-1)?.flags.inference_type, 'QUANTIZED_UINT8');
  });

  it('TF1 without evaluation records evaluates on the training records instead of failing at the end', async () => {
    const training: Record<string, string> = { ...defaultTrainingFiles() };
    delete training['validation.record'];
    const job = makeJob({ tfMajor: 1, training });
    const result = await runTrain(trainEnv(job, 1));
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stdout,
      /warning: no evaluation TFRecords .* evaluates on the training records/,
    );
    const config = readFileSync(join(job.optMl, 'model', 'pipeline.config'), 'utf8');
    const evalReader = config.slice(config.indexOf('eval_input_reader'));
    assert.match(evalReader, /input_path: "[^"]*\/train\.record-\?\?\?\?\?-of-00002"/);
    assert.doesNotMatch(evalReader, /PATH_TO_BE_CONFIGURED/);
  });

  it('a failed TF.js conversion leaves the job Completed with the SavedModel and a warning', async () => {
    const job = makeJob();
    const result = await runTrain(trainEnv(job, 2, { TFOD_STANDIN_FAIL: 'convert_tfjs.py' }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(failureOf(job), undefined);
    assert.match(
      result.stdout,
      /warning: the TF\.js conversion failed \(The TF\.js conversion step failed \(exit code 1\): ValueError: stand-in failure.*\), so the model is exported as a SavedModel only/,
    );
    assert.ok(existsSync(join(job.optMl, 'model', 'saved_model', 'saved_model.pb')));
  });

  it('an op TF.js lacks is named in the warning and in the model folder, which tfod then quotes', async () => {
    const job = makeJob();
    const result = await runTrain(trainEnv(job, 2, { TFOD_STANDIN_TFJS_UNSUPPORTED: 'Lgamma' }));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(failureOf(job), undefined);
    assert.match(
      result.stdout,
      /warning: the TF\.js conversion failed \(TensorFlow\.js has no kernel for Lgamma \(1 node\)\), so the model is exported as a SavedModel only: it serves in this image/,
    );
    const model = join(job.optMl, 'model');
    assert.ok(!existsSync(join(model, 'tfjs', 'model.json')));
    const report = JSON.parse(readFileSync(join(model, 'tfjs_conversion.json'), 'utf8')) as {
      unsupportedOps: string[];
    };
    assert.deepEqual(report.unsupportedOps, ['Lgamma']);
    await assert.rejects(
      loadDetector(model, { backend: 'wasm' }),
      /TensorFlow\.js has no kernel for the op Lgamma, which this model uses/,
    );
  });

  it("without a checkpoint channel, trains from scratch: the config's fine_tune_checkpoint is removed, with a warning", async () => {
    const job = makeJob({ checkpoint: 'none' });
    const result = await runTrain(trainEnv(job));
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const config = readFileSync(join(job.optMl, 'model', 'pipeline.config'), 'utf8');
    assert.doesNotMatch(config, /fine_tune_checkpoint:/);
    assert.doesNotMatch(config, /fine_tune_checkpoint_version/, 'no version without a checkpoint');
    assert.match(result.stdout, /train_config\.fine_tune_checkpoint: "[^"]+" -> \(removed\)/);
    assert.match(
      result.stdout,
      /warning: the job has no checkpoint channel, so it trains from scratch/,
    );
  });

  it("uses the project's config and the model folder inside the training channel, not that folder's own config", async () => {
    const rest: Record<string, string> = { ...defaultTrainingFiles() };
    const project = rest['pipeline.config'] ?? '';
    delete rest['pipeline.config'];
    const job = makeJob({
      training: {
        ...rest,
        'my.config': project,
        'ssd_mobilenet_v2/pipeline.config': 'model { ssd { num_classes: 90 } }\n',
        'ssd_mobilenet_v2/checkpoint/ckpt-0.index': 'index',
        'ssd_mobilenet_v2/checkpoint/ckpt-0.data-00000-of-00001': 'data',
      },
      checkpoint: 'none',
    });
    const result = await runTrain(trainEnv(job));
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const config = readFileSync(join(job.optMl, 'model', 'pipeline.config'), 'utf8');
    assert.doesNotMatch(config, /num_classes: 90/);
    assert.match(config, /num_classes: 2/);
    // Without a checkpoint channel, the model folder inside the training channel is the start.
    assert.match(
      config,
      /fine_tune_checkpoint: "[^"]*\/input\/data\/training\/ssd_mobilenet_v2\/checkpoint\/ckpt-0"/,
    );
    assert.doesNotMatch(result.stdout, /trains from scratch/);
  });

  it('a missing Object Detection API is a clear failure', async () => {
    const job = makeJob();
    const result = await runTrain(trainEnv(job, 2, { TFOD_PYTHON: '/nonexistent/python3' }));
    assert.equal(result.code, 1);
    assert.match(
      failureOf(job) ?? '',
      /^The training step could not start: \/nonexistent\/python3 was not found/,
    );
  });

  it('SIGTERM stops the running script and exits 143 quickly, writing no failure', async () => {
    const job = makeJob();
    const started = Date.now();
    let sent = false;
    const result = await runTrain(
      trainEnv(job, 2, { TFOD_STANDIN_HANG: 'od_api_tf2.py' }),
      (stdout, kill) => {
        if (!sent && stdout.includes('Step 100 per-step time')) {
          sent = true;
          kill('SIGTERM');
        }
      },
    );
    assert.ok(sent, 'training started');
    assert.equal(result.code, 143, result.stdout);
    assert.match(result.stdout, /SIGTERM: stopping training/);
    assert.match(result.stdout, /stand-in: received SIGTERM/, 'the script was told to stop');
    assert.ok(Date.now() - started < 20_000);
    assert.equal(failureOf(job), undefined, 'a stopped job is not a failed job');
  });

  it('survives a missing hyperparameters.json by using the defaults', async () => {
    const job = makeJob();
    rmSync(join(job.optMl, 'input', 'config', 'hyperparameters.json'));
    const result = await runTrain(trainEnv(job));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readCalls(job)[0]?.flags.num_train_steps, '100');
  });

  it('rejects hyperparameters.json that is not JSON', async () => {
    const job = makeJob();
    writeFileSync(join(job.optMl, 'input', 'config', 'hyperparameters.json'), '{num_steps: 5');
    const result = await runTrain(trainEnv(job));
    assert.equal(result.code, 1);
    assert.match(failureOf(job) ?? '', /^hyperparameters\.json \(.*\) is not valid JSON: /);
  });
});
