import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { requireService } from '../harness/services';
import { failureOf, makeJob, readCalls, testImageContext, trainJs, type Job } from './harness';

// The training contract in a real Docker engine: a test image FROM scratch (no Docker Hub) with
// Node, the bundled `train` and the stand-in for the TF scripts, run as SageMaker runs it:
// `docker run <image> train` with /opt/ml mounted.
const image = `tfod-test-image:${process.pid}`;

async function runContainer(
  docker: Docker,
  job: Job,
  env: string[],
  whileRunning?: (container: Docker.Container) => Promise<void>,
): Promise<{ code: number; logs: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['train'],
    Env: ['TFOD_STANDIN_CALLS=/opt/ml/calls.jsonl', ...env],
    HostConfig: { Binds: [`${job.optMl}:/opt/ml`], NetworkMode: 'none' },
    Labels: { 'org.tfod.test': 'train' },
  });
  try {
    await container.start();
    if (whileRunning) await whileRunning(container);
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { code: StatusCode, logs: logs.toString('latin1') };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

describe('train entrypoint in a real Docker container', () => {
  let docker: Docker;
  let context: string;

  before(async () => {
    requireService('DOCKER');
    assert.ok(existsSync(trainJs), `${trainJs} is missing: run \`npm run build\``);
    docker = connectDocker();
    context = testImageContext();
    execFileSync('docker', ['build', '-q', '-t', image, context], { stdio: 'pipe' });
  });

  after(async () => {
    if (context) rmSync(context, { recursive: true, force: true });
    await docker
      ?.getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('trains with /opt/ml mounted and leaves the model where SageMaker packages it', async () => {
    const job = makeJob({ hyperparameters: { num_steps: '200' } });
    const { code, logs } = await runContainer(docker, job, []);
    assert.equal(code, 0, logs);
    const model = join(job.optMl, 'model');
    assert.ok(existsSync(join(model, 'saved_model', 'saved_model.pb')));
    assert.ok(existsSync(join(model, 'label_map.pbtxt')));
    assert.match(
      readFileSync(join(model, 'pipeline.config'), 'utf8'),
      /fine_tune_checkpoint: "\/opt\/ml\/input\/data\/checkpoint\/ssd_mobilenet_v2\/checkpoint\/ckpt-0"/,
    );
    const calls = readCalls({ ...job, calls: join(job.optMl, 'calls.jsonl') });
    assert.deepEqual(
      calls.map((c) => c.script),
      ['od_api_tf2.py', 'od_api_tf2.py', 'exporter_main_v2.py', 'convert_tfjs.py'],
    );
    assert.match(logs, /#metric step=200 /);
  });

  it('a bad input fails the container with the reason in /opt/ml/output/failure', async () => {
    const job = makeJob({ hyperparameters: { inference_type: 'INT4' } });
    const { code } = await runContainer(docker, job, []);
    assert.equal(code, 1);
    assert.match(
      failureOf(job) ?? '',
      /^Invalid hyperparameter: inference_type must be FLOAT or QUANTIZED_UINT8, got "INT4"/,
    );
  });

  it("docker stop (SIGTERM) stops training well within SageMaker's 120 s", async () => {
    const job = makeJob();
    const started = Date.now();
    const { code, logs } = await runContainer(
      docker,
      job,
      ['TFOD_STANDIN_HANG=od_api_tf2.py'],
      async (container) => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const out = (
            (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer
          ).toString('latin1');
          if (out.includes('per-step time')) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        await container.stop({ t: 30 });
      },
    );
    assert.equal(code, 143, logs);
    assert.match(logs, /stand-in: received SIGTERM/);
    assert.ok(
      Date.now() - started < 30_000,
      'stopped by SIGTERM, not by the kill after the timeout',
    );
    assert.equal(failureOf(job), undefined);
  });
});
