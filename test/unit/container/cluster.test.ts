import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  clusterProblem,
  countGpus,
  hostReplicas,
  describeCluster,
  readCluster,
} from '../../../container/src/training/cluster';
import { trainingPaths, type TrainingPaths } from '../../../container/src/training/environment';
import { TrainingFailure } from '../../../container/src/training/failure';
import { trainingConfigFiles } from '../../../src/core/local/layout';
import type { TrainingJobSpec } from '../../../src/core/jobs/types';

// `train` on several hosts: TF_CONFIG from SageMaker's resourceconfig.json (the file the local
// target writes byte for byte as SageMaker does), the chief, and the jobs that cannot train there.
describe('train: the hosts of a job and TF_CONFIG', () => {
  let root: string;
  let paths: TrainingPaths;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tfod-cluster-'));
    paths = trainingPaths(root);
    mkdirSync(dirname(paths.resourceConfig), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const spec = {
    name: 'job',
    hyperparameters: { numSteps: 100, quantize: false, imageSize: 300, inferenceType: 'FLOAT' },
    channels: { training: '/data' },
  } as unknown as TrainingJobSpec;
  const hosts = Array.from({ length: 10 }, (_, i) => `algo-${i + 1}`);

  it('is one chief without TF_CONFIG when the file is missing or names one host', () => {
    assert.deepEqual(readCluster(paths), {
      hosts: ['algo-1'],
      currentHost: 'algo-1',
      index: 0,
      chief: true,
    });
    writeFileSync(paths.resourceConfig, trainingConfigFiles(spec, 'local').resourceConfig);
    const one = readCluster(paths);
    assert.equal(one.tfConfig, undefined);
    assert.equal(one.chief, true);
    assert.match(describeCluster(one), /one host/);
  });

  it('numbers the workers in host order (algo-10 after algo-9) from the file the local target writes', () => {
    writeFileSync(
      paths.resourceConfig,
      trainingConfigFiles(spec, 'local', 'algo-10', [...hosts].reverse()).resourceConfig,
    );
    const cluster = readCluster(paths);
    assert.deepEqual(cluster.hosts, hosts);
    assert.equal(cluster.index, 9);
    assert.equal(cluster.chief, false);
    assert.deepEqual(JSON.parse(cluster.tfConfig ?? '{}'), {
      cluster: { worker: hosts.map((host) => `${host}:2222`) },
      task: { type: 'worker', index: 9 },
    });
    assert.match(describeCluster(cluster), /worker 10 of 10 .*the chief \(algo-1\) evaluates/);

    writeFileSync(
      paths.resourceConfig,
      trainingConfigFiles(spec, 'local', 'algo-1', hosts.slice(0, 2)).resourceConfig,
    );
    const chief = readCluster(paths, 3000);
    assert.equal(chief.chief, true);
    assert.deepEqual(JSON.parse(chief.tfConfig ?? '{}').task, { type: 'worker', index: 0 });
    assert.deepEqual(JSON.parse(chief.tfConfig ?? '{}').cluster.worker, [
      'algo-1:3000',
      'algo-2:3000',
    ]);
  });

  it('fails clearly on a damaged file, a missing field, or a current host not in hosts', () => {
    const failure = (text: string): string => {
      writeFileSync(paths.resourceConfig, text);
      try {
        readCluster(paths);
      } catch (error) {
        assert.ok(error instanceof TrainingFailure);
        return error.message;
      }
      return 'no failure';
    };
    assert.match(failure('{"hosts": ['), /resourceconfig\.json is not valid JSON/);
    assert.match(failure('{"hosts": ["algo-1"]}'), /has no current_host/);
    assert.match(failure('{"current_host": "algo-1", "hosts": []}'), /has no hosts/);
    assert.match(
      failure('{"current_host": "algo-3", "hosts": ["algo-1", "algo-2"]}'),
      /current_host 'algo-3' is not one of its hosts \(algo-1, algo-2\)/,
    );
  });

  it('refuses what cannot train on several hosts: TF1, fewer record files than hosts, an uneven batch', () => {
    writeFileSync(
      paths.resourceConfig,
      trainingConfigFiles(spec, 'local', 'algo-2', hosts.slice(0, 3)).resourceConfig,
    );
    const cluster = readCluster(paths);
    assert.match(clusterProblem(cluster, 1, 10, 6)?.message ?? '', /TF1 image trains on one host/);
    const files = clusterProblem(cluster, 2, 2, 6);
    assert.match(
      files?.message ?? '',
      /2 TFRecord file\(s\) and the job 3 hosts.*algo-3 would have no data/,
    );
    assert.match(files?.details.join(' ') ?? '', /--shards 3/);
    assert.match(
      clusterProblem(cluster, 2, 3, 8)?.message ?? '',
      /batch_size 8 cannot be split evenly between 3 hosts/,
    );
    assert.equal(clusterProblem(cluster, 2, 3, 9), undefined);
    assert.equal(clusterProblem(cluster, 2, 3, undefined), undefined);
    assert.equal(clusterProblem(readClusterOf(1), 1, 1, 7), undefined);
  });

  it('counts GPUs from nvidia-smi -L and splits the batch between every replica', () => {
    const listing =
      'GPU 0: NVIDIA A10G (UUID: GPU-1)\nGPU 1: NVIDIA A10G (UUID: GPU-2)\n  MIG 1g.5gb Device 0: (UUID: MIG-1)\n';
    assert.equal(
      countGpus(() => listing),
      2,
    );
    assert.equal(
      countGpus(() => undefined),
      0,
    );
    const one = readClusterOf(1);
    const twoGpus = { count: 2, onCpu: false };
    assert.match(
      clusterProblem(one, 2, 1, 3, twoGpus)?.message ?? '',
      /batch_size 3 cannot be split evenly between this instance's 2 GPUs/,
    );
    assert.equal(clusterProblem(one, 2, 1, 4, twoGpus), undefined);
    // TF1's legacy trainer splits the batch between its clones too.
    assert.match(
      clusterProblem(one, 1, 1, 3, twoGpus)?.message ?? '',
      /batch_size 3 cannot be split evenly between this instance's 2 GPUs/,
    );
    assert.match(
      clusterProblem(readClusterOf(2), 2, 2, 6, twoGpus)?.message ?? '',
      /between 4 replicas \(2 hosts x 2 GPUs\)/,
    );
    const cpu = clusterProblem(one, 2, 1, 3, { count: 2, onCpu: true });
    assert.match(cpu?.message ?? '', /this instance's 2 CPU replicas/);
    assert.match(cpu?.details.join(' ') ?? '', /TFOD_CPU_REPLICAS/);
  });

  it('trains on one replica per GPU, or on TFOD_CPU_REPLICAS replicas of the CPU on one host', () => {
    assert.deepEqual(hostReplicas(4, '2', 1), { count: 4, onCpu: false }, 'GPUs win');
    assert.deepEqual(hostReplicas(0, undefined, 1), { count: 1, onCpu: true });
    assert.deepEqual(hostReplicas(0, ' ', 3), { count: 1, onCpu: true });
    assert.deepEqual(hostReplicas(0, '3', 1), { count: 3, onCpu: true });
    for (const bad of ['0', '-1', '2.5', 'two', '17']) {
      const failure = hostReplicas(0, bad, 1);
      assert.ok(failure instanceof TrainingFailure, bad);
      assert.match(
        failure.message,
        new RegExp(
          `TFOD_CPU_REPLICAS is '${bad.replace('.', '\\.')}', not a whole number from 1 to 16`,
        ),
      );
    }
    const hostsFailure = hostReplicas(0, '2', 2);
    assert.ok(hostsFailure instanceof TrainingFailure);
    assert.match(
      hostsFailure.message,
      /TFOD_CPU_REPLICAS=2 is for a job on one host, and this job has 2/,
    );
  });

  function readClusterOf(count: number) {
    writeFileSync(
      paths.resourceConfig,
      trainingConfigFiles(spec, 'local', 'algo-1', hosts.slice(0, count)).resourceConfig,
    );
    return readCluster(paths);
  }
});
