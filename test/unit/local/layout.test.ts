import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TrainingJobSpec } from '../../../src/core/jobs';
import {
  defaultLocalOutputPath,
  hostPaths,
  jobPaths,
  layOutJobFolder,
  localPath,
  trainingConfigFiles,
  trainingHosts,
  trainingMounts,
  workspaceHash,
  writeFileAtomic,
} from '../../../src/core/local/layout';
import { modelSourceOf } from '../../../src/core/local';

// The job folder is the /opt/ml tree SageMaker gives a training container; `train`
// (container/src/training) reads these files, so their exact bytes matter.

const spec: TrainingJobSpec = {
  name: 'tfod-20240131-235959',
  image: 'tfod:2.9.1',
  roleArn: '',
  instanceType: 'local',
  instanceCount: 1,
  volumeSizeGb: 30,
  maxRuntimeSeconds: 3600,
  outputPath: '/ws/.tfod/jobs',
  hyperparameters: {
    numSteps: 1500,
    quantize: true,
    imageSize: 320,
    inferenceType: 'QUANTIZED_UINT8',
  },
  channels: { training: '/data/train', checkpoint: 'file:///data/pre%20trained' },
};

describe('local job folder layout', () => {
  it("writes SageMaker's three config files byte for byte (hyperparameters as strings)", () => {
    const files = trainingConfigFiles(spec, 'local');
    assert.equal(
      files.hyperparameters,
      '{"num_steps":"1500","quantize":"true","image_size":"320","inference_type":"QUANTIZED_UINT8"}',
    );
    assert.equal(
      files.inputDataConfig,
      '{"training":{"TrainingInputMode":"File","S3DistributionType":"FullyReplicated","RecordWrapperType":"None"},' +
        '"checkpoint":{"TrainingInputMode":"File","S3DistributionType":"FullyReplicated","RecordWrapperType":"None"}}',
    );
    assert.deepEqual(JSON.parse(files.resourceConfig), {
      current_host: 'algo-1',
      current_instance_type: 'local',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1'],
      instance_groups: [
        { instance_group_name: 'homogeneousCluster', instance_type: 'local', hosts: ['algo-1'] },
      ],
      network_interface_name: 'eth0',
    });
  });

  it('leaves the checkpoint channel out when the spec has none', () => {
    const files = trainingConfigFiles({ ...spec, channels: { training: '/data/train' } }, 'local');
    assert.deepEqual(Object.keys(JSON.parse(files.inputDataConfig)), ['training']);
  });

  it('lays out the tree with empty mount points for the channels', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'tfod-layout-'));
    try {
      const paths = jobPaths(workspace, spec.name);
      assert.equal(paths.root, join(workspace, '.tfod', 'jobs', spec.name));
      await layOutJobFolder(paths, spec, 'local');
      const tree = (dir: string, prefix = ''): string[] =>
        readdirSync(dir)
          .sort()
          .flatMap((name) =>
            statSync(join(dir, name)).isDirectory()
              ? [`${prefix}${name}/`, ...tree(join(dir, name), `${prefix}${name}/`)]
              : [`${prefix}${name}`],
          );
      assert.deepEqual(tree(paths.root), [
        'checkpoints/',
        'input/',
        'input/config/',
        'input/config/hyperparameters.json',
        'input/config/inputdataconfig.json',
        'input/config/resourceconfig.json',
        'input/data/',
        'input/data/checkpoint/',
        'input/data/training/',
        'model/',
        'output/',
      ]);
      assert.equal(
        readFileSync(paths.hyperparameters, 'utf8'),
        trainingConfigFiles(spec, 'local').hyperparameters,
      );
      assert.equal(paths.modelArchive, join(paths.root, 'output', 'model.tar.gz'));
      assert.equal(paths.log, join(paths.root, 'output', 'train.log'));
      assert.equal(paths.failure, join(paths.root, 'output', 'failure'));
      assert.equal(defaultLocalOutputPath(workspace), join(workspace, '.tfod', 'jobs'));
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('gives every other host of a job on several instances its own /opt/ml tree naming it', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'tfod-layout-'));
    try {
      const paths = jobPaths(workspace, spec.name);
      const hosts = trainingHosts(3);
      assert.deepEqual(hosts, ['algo-1', 'algo-2', 'algo-3']);
      await layOutJobFolder(paths, spec, 'local', hosts);
      assert.equal(hostPaths(paths, 'algo-1'), paths);
      for (const host of hosts) {
        const own = hostPaths(paths, host);
        const config = JSON.parse(readFileSync(own.resourceConfig, 'utf8'));
        assert.equal(config.current_host, host);
        assert.deepEqual(config.hosts, hosts);
        assert.equal(
          readFileSync(own.hyperparameters, 'utf8'),
          trainingConfigFiles(spec, 'local').hyperparameters,
        );
        const mounts = trainingMounts(own, { training: '/data/train' });
        assert.equal(
          mounts.find((mount) => mount.Target === '/opt/ml/model')?.Source,
          host === 'algo-1' ? paths.model : join(paths.root, 'hosts', host, 'model'),
        );
        assert.equal(
          mounts.find((mount) => mount.Target === '/opt/ml/input/data/training')?.Source,
          '/data/train',
        );
      }
      assert.deepEqual(readdirSync(join(paths.root, 'hosts')).sort(), ['algo-2', 'algo-3']);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("mounts the job's checkpoints folder at /opt/ml/checkpoints, writable, beside the others", () => {
    const paths = jobPaths('/ws', spec.name);
    const mounts = trainingMounts(paths, {
      training: '/data/train',
      checkpoint: '/data/pre trained',
    });
    assert.deepEqual(
      mounts.map((m) => [m.Target, m.Source, m.ReadOnly, m.Type]),
      [
        ['/opt/ml/input/config', paths.config, true, 'bind'],
        ['/opt/ml/input/data/training', '/data/train', true, 'bind'],
        ['/opt/ml/input/data/checkpoint', '/data/pre trained', true, 'bind'],
        ['/opt/ml/model', paths.model, false, 'bind'],
        ['/opt/ml/output', paths.output, false, 'bind'],
        [
          '/opt/ml/checkpoints',
          join('/ws', '.tfod', 'jobs', spec.name, 'checkpoints'),
          false,
          'bind',
        ],
      ],
    );
  });

  it('writes atomically: no temporary file is left, the content is whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-atomic-'));
    try {
      const file = join(dir, 'status.json');
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          writeFileAtomic(file, JSON.stringify({ i, pad: 'x'.repeat(10_000) })),
        ),
      );
      assert.deepEqual(readdirSync(dir), ['status.json']);
      assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { pad: string }).pad.length, 10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells workspaces apart by a stable hash of their path', () => {
    assert.equal(workspaceHash('/a/ws'), workspaceHash('/a/ws/'));
    assert.notEqual(workspaceHash('/a/ws'), workspaceHash('/b/ws'));
    assert.match(workspaceHash('/a/ws'), /^[0-9a-f]{12}$/);
  });

  it('reads file:// URIs and plain paths as local folders', () => {
    assert.equal(localPath('file:///data/pre%20trained'), '/data/pre trained');
    assert.equal(localPath('/data/x/'), '/data/x');
  });

  it('tells a job name from an archive and a folder to serve', () => {
    assert.deepEqual(modelSourceOf('tfod-20240131-235959'), {
      kind: 'job',
      job: 'tfod-20240131-235959',
    });
    assert.deepEqual(modelSourceOf('/tmp/model.tar.gz'), {
      kind: 'archive',
      path: '/tmp/model.tar.gz',
    });
    assert.deepEqual(modelSourceOf('file:///tmp/m.tgz'), { kind: 'archive', path: '/tmp/m.tgz' });
    assert.deepEqual(modelSourceOf('/tmp/model'), { kind: 'folder', path: '/tmp/model' });
    assert.equal(modelSourceOf('./model').kind, 'folder');
    assert.throws(() => modelSourceOf(''), /nothing to serve/);
  });
});
