import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evalCommand,
  trainCommand,
  type CommandPaths,
} from '../../../container/src/training/commands';
import type { ObjectDetectionApi } from '../../../container/src/training/environment';
import type { TrainingHyperparameters } from '../../../src/core/training/hyperparameters';

// The API's scripts and flags `train` runs for one host's replicas. The training layer runs them
// with real TensorFlow (tf1.test.ts, train.test.ts); here every combination's command line.

const paths: CommandPaths = {
  pipelineConfig: '/opt/ml/work/pipeline.config',
  modelDir: '/opt/ml/checkpoints',
  exportDir: '/opt/ml/model',
  tfliteDir: '/opt/ml/work/tflite',
  trainRecordsGlob: '/opt/ml/input/data/training/train.record-*',
};
const h: TrainingHyperparameters = {
  numSteps: 40,
  quantize: false,
  imageSize: 300,
  inferenceType: 'FLOAT',
};
const api = (tfMajor: 1 | 2): ObjectDetectionApi => ({
  tfMajor,
  researchDir: '/usr/local/lib/python3.6/dist-packages',
  python: 'python3',
});

describe('train: the training and evaluation command for the replicas of one host', () => {
  it('TF1 on one replica: model_main.py trains and evaluates; nothing runs after it', () => {
    const train = trainCommand(api(1), paths, h);
    assert.equal(
      train.argv[1],
      '/usr/local/lib/python3.6/dist-packages/object_detection/model_main.py',
    );
    assert.ok(train.argv.includes('--num_train_steps=40'));
    assert.equal(evalCommand(api(1), paths, h), undefined);
  });

  it('TF1 on several GPUs: the legacy trainer with a clone per GPU, then model_main.py evaluates the last checkpoint once', () => {
    const gpus = { count: 4, onCpu: false };
    const train = trainCommand(api(1), paths, h, undefined, gpus);
    assert.deepEqual(train.argv, [
      'python3',
      '/usr/local/lib/python3.6/dist-packages/object_detection/legacy/train.py',
      '--pipeline_config_path=/opt/ml/work/pipeline.config',
      '--train_dir=/opt/ml/checkpoints',
      '--num_clones=4',
      '--alsologtostderr',
    ]);
    const evaluation = evalCommand(api(1), paths, h, gpus);
    assert.deepEqual(evaluation?.argv.slice(1), [
      '/usr/local/lib/python3.6/dist-packages/object_detection/model_main.py',
      '--pipeline_config_path=/opt/ml/work/pipeline.config',
      '--model_dir=/opt/ml/checkpoints',
      '--checkpoint_dir=/opt/ml/checkpoints',
      '--run_once',
      '--sample_1_of_n_eval_examples=1',
      '--alsologtostderr',
    ]);
    const cpu = trainCommand(api(1), paths, h, undefined, { count: 2, onCpu: true });
    assert.ok(cpu.argv.includes('--num_clones=2') && cpu.argv.includes('--clone_on_cpu'));
  });

  it('TF2: the same runner on any number of GPUs; replicas of the CPU only when asked', () => {
    const plain = trainCommand(api(2), paths, h, undefined, { count: 1, onCpu: true });
    const gpus = trainCommand(api(2), paths, h, undefined, { count: 8, onCpu: false });
    assert.deepEqual(plain.argv, gpus.argv, 'MirroredStrategy finds the GPUs itself');
    assert.ok(!plain.argv.some((arg) => arg.startsWith('--cpu_replicas')));
    const cpu = trainCommand(api(2), paths, h, undefined, { count: 3, onCpu: true });
    assert.ok(cpu.argv.includes('--cpu_replicas=3'));
    assert.ok(evalCommand(api(2), paths, h)?.argv.includes('--mode=evaluate'));
  });
});
