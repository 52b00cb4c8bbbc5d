import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runFlow } from '../../../src/extension/flows/flow';
import {
  sagemakerJobDefaults,
  sagemakerJobFlow,
  sagemakerJobSpec,
  type SageMakerJobMemory,
} from '../../../src/extension/commands/job/startFlow';
import {
  localJobDefaults,
  localJobFlow,
  localJobSpec,
} from '../../../src/extension/commands/job/startFlowLocal';
import { BACK_BUTTON, ENTER, ScriptedUi, type Action } from './scriptedUi';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod-sagemaker:2.9.1-gpu';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecutionRole';
const NOW = new Date('2024-01-31T23:59:59Z');
const MEMORY: SageMakerJobMemory = {
  last: {},
  pushedImage: IMAGE,
  settings: { roleArn: ROLE, s3Prefix: 's3://bucket/data/' },
};

async function sagemaker(script: readonly Action[], memory = MEMORY) {
  const start = sagemakerJobDefaults(memory, NOW);
  const ui = new ScriptedUi(script);
  const answers = await runFlow(
    ui,
    sagemakerJobFlow({ instanceType: start.instanceType, spot: start.spot }),
    start,
  );
  assert.ok(ui.done, 'the whole script was played');
  return { ui, spec: sagemakerJobSpec(answers, memory.last) };
}

const titles = (ui: ScriptedUi) => ui.shown.map((s) => s.title.replace('Start Training Job ', ''));

describe('the Start Training Job flow (SageMaker)', () => {
  it('asks 13 steps with the defaults from the settings and the last push', async () => {
    const { ui, spec } = await sagemaker(Array<Action>(13).fill(ENTER));
    assert.deepEqual(
      titles(ui),
      Array.from({ length: 13 }, (_, i) => `(${i + 1}/13)`),
    );
    assert.equal(ui.shown[0]!.canGoBack, false);
    assert.ok(ui.shown.slice(1).every((s) => s.canGoBack));
    assert.deepEqual(spec, {
      name: 'tfod-20240131-235959',
      image: IMAGE,
      roleArn: ROLE,
      instanceType: 'ml.p3.2xlarge',
      instanceCount: 1,
      volumeSizeGb: 50,
      maxRuntimeSeconds: 86_400,
      outputPath: 's3://bucket/output/',
      hyperparameters: { numSteps: 100, quantize: false, imageSize: 300, inferenceType: 'FLOAT' },
      channels: { training: 's3://bucket/data/' },
    });
  });

  it('asks the spot wait only for spot, counts it, and drops it when going back to on-demand', async () => {
    const { ui, spec } = await sagemaker([
      ...Array<Action>(7).fill(ENTER),
      { pick: 'Managed spot training' },
      ENTER, // the wait: twice the 24 h runtime
      BACK_BUTTON, // at the training channel: back to the wait
      BACK_BUTTON, // back to the capacity, spot active
      { pick: 'On-demand' },
      ...Array<Action>(5).fill(ENTER),
    ]);
    assert.deepEqual(titles(ui), [
      ...Array.from({ length: 8 }, (_, i) => `(${i + 1}/13)`),
      '(9/14)',
      '(10/14)',
      '(9/14)',
      '(8/14)',
      '(9/13)',
      '(10/13)',
      '(11/13)',
      '(12/13)',
      '(13/13)',
    ]);
    assert.equal(ui.shown[8]!.value, '48');
    assert.equal(ui.shown[11]!.value, 'Managed spot training', 'the answer given is active');
    assert.equal(spec.spot, undefined);
    assert.equal(spec.maxWaitSeconds, undefined);
  });

  it('keeps spot with its wait, and the channels typed, through Back', async () => {
    const { spec } = await sagemaker([
      ...Array<Action>(6).fill(ENTER),
      { type: '10' }, // hours
      { pick: 'Managed spot training' },
      { type: '5' }, // under the runtime: refused
      { type: '30' },
      { type: 's3://other/data/' },
      BACK_BUTTON, // at the checkpoint: back to the training channel, as typed
      ENTER,
      ENTER,
      ENTER, // output beside the new training channel
      { type: '500' },
      { pick: 'Also export TensorFlow Lite (QUANTIZED_UINT8)' },
      { type: '320' },
    ]);
    assert.equal(spec.maxRuntimeSeconds, 36_000);
    assert.deepEqual([spec.spot, spec.maxWaitSeconds], [true, 108_000]);
    assert.deepEqual(spec.channels, { training: 's3://other/data/' });
    assert.equal(spec.outputPath, 's3://other/output/');
    assert.deepEqual(spec.hyperparameters, {
      numSteps: 500,
      quantize: true,
      imageSize: 320,
      inferenceType: 'QUANTIZED_UINT8',
    });
  });

  it('lists the last instance type and capacity first, and starts from the last answers', async () => {
    const memory: SageMakerJobMemory = {
      ...MEMORY,
      last: {
        image: IMAGE.replace('gpu', 'cpu'),
        instanceType: 'ml.g5.xlarge',
        spot: true,
        maxRuntimeSeconds: 7200,
        maxWaitSeconds: 36_000,
        outputPath: 's3://bucket/models/',
        hyperparameters: { num_steps: '2000' },
        tensorboardPath: 's3://bucket/tb/',
      },
      uploaded: { training: 's3://bucket/uploaded/', checkpoint: 's3://bucket/uploaded/ckpt/' },
    };
    const { ui, spec } = await sagemaker(Array<Action>(14).fill(ENTER), memory);
    assert.equal(titles(ui)[0], '(1/14)', 'spot last time: the wait is counted from the start');
    assert.equal(ui.shown[3]!.value, 'ml.g5.xlarge');
    assert.equal(ui.shown[7]!.value, 'Managed spot training');
    assert.deepEqual(
      [spec.image, spec.instanceType, spec.maxRuntimeSeconds, spec.maxWaitSeconds],
      [IMAGE.replace('gpu', 'cpu'), 'ml.g5.xlarge', 7200, 36_000],
    );
    assert.deepEqual(spec.channels, {
      training: 's3://bucket/uploaded/',
      checkpoint: 's3://bucket/uploaded/ckpt/',
    });
    assert.equal(spec.outputPath, 's3://bucket/models/');
    assert.equal(spec.hyperparameters.numSteps, 2000);
    assert.equal(spec.tensorboardPath, 's3://bucket/tb/');
  });
});

describe('the Start Local Training Job flow', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tfod-flow-'));
  mkdirSync(join(workspace, 'data', 'checkpoint'), { recursive: true });
  mkdirSync(join(workspace, 'other'), { recursive: true });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  async function local(script: readonly Action[], training?: string) {
    const start = localJobDefaults(
      {},
      { workspace, ...(training ? { training } : {}), suggested: join(workspace, 'other') },
      NOW,
    );
    const ui = new ScriptedUi(script);
    const answers = await runFlow(ui, localJobFlow(workspace), start);
    assert.ok(ui.done, 'the whole script was played');
    return { ui, spec: localJobSpec(answers, workspace) };
  }

  it('starts with the Explorer folder as the training channel, its checkpoint/ proposed', async () => {
    const { ui, spec } = await local(Array<Action>(6).fill(ENTER), join(workspace, 'data'));
    assert.deepEqual(
      ui.shown.map((s) => [s.title, s.value]),
      [
        ['Start Local Training Job (1/6)', 'tfod-20240131-235959'],
        ['Start Local Training Job (2/6)', 'tfod-sagemaker:2.9.1'],
        ['Start Local Training Job (3/6)', join(workspace, 'data')],
        ['Start Local Training Job (4/6)', join(workspace, 'data', 'checkpoint')],
        ['Start Local Training Job (5/6)', '100'],
        ['Start Local Training Job (6/6)', 'No TensorFlow Lite export'],
      ],
    );
    assert.deepEqual(ui.shown[2]!.browse, { base: workspace, folders: true, files: false });
    assert.deepEqual(spec.channels, {
      training: join(workspace, 'data'),
      checkpoint: join(workspace, 'data', 'checkpoint'),
    });
  });

  it('offers the image Build Training Image built, unless the last job named a local image', () => {
    const folders = { workspace };
    assert.equal(localJobDefaults({}, folders, NOW).image, 'tfod-sagemaker:2.9.1');
    assert.equal(localJobDefaults({}, folders, NOW, 'mine:2.9.1').image, 'mine:2.9.1');
    assert.equal(
      localJobDefaults({ image: 'other:1' }, folders, NOW, 'mine:2.9.1').image,
      'other:1',
    );
    // A SageMaker job's ECR image does not run here: the built one is offered instead.
    assert.equal(
      localJobDefaults(
        { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/tfod:2.9.1' },
        folders,
        NOW,
        'mine:2.9.1',
      ).image,
      'mine:2.9.1',
    );
  });

  it('takes folders typed relative to the workspace or browsed, and refuses missing ones', async () => {
    const { ui, spec } = await local([
      ENTER,
      ENTER,
      { type: 'missing' },
      { type: 'data' },
      { type: '' }, // no checkpoint
      BACK_BUTTON,
      { browse: join(workspace, 'other') },
      ENTER,
      ENTER,
      ENTER,
    ]);
    assert.deepEqual(ui.shown[2]!.messages, [`${join(workspace, 'missing')} does not exist`]);
    assert.equal(ui.shown[5]!.value, '', 'the empty answer, going back');
    assert.deepEqual(ui.dialogs, [
      { title: 'Start Local Training Job', start: workspace, folders: true, files: false },
    ]);
    assert.deepEqual(spec.channels, {
      training: join(workspace, 'data'),
      checkpoint: join(workspace, 'other'),
    });
  });
});
