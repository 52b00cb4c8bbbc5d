import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { UserError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/jobs';
import { LABELS, LocalTarget, workspaceHash } from '../../../src/core/local';
import { requireService } from '../harness/services';
import { trainJs } from '../training/harness';
import {
  buildTestImage,
  localSpec,
  makeWorkspace,
  removeWorkspaceContainers,
  until,
} from './harness';

// The local target against a real Docker engine, with the test image (the real `train`
// entrypoint; a stand-in for the TF scripts, steered by TFOD_STANDIN_FAIL / TFOD_STANDIN_HANG).
// "Restarting the extension" is a new LocalTarget on the same workspace.

const EXPECTED_MODEL_ENTRIES = [
  'checkpoint/',
  'checkpoint/ckpt-0.index',
  'hyperparameters.json',
  'label_map.pbtxt',
  'pipeline.config',
  'saved_model/',
  'saved_model/saved_model.pb',
  'saved_model/variables/',
  'saved_model/variables/variables.index',
  'tfjs/',
  'tfjs/model.json',
  'tfjs_conversion.json',
];

async function collect(events: AsyncIterable<LogEvent>): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('local training jobs in a real Docker engine', () => {
  let docker: Docker;
  let image: { image: string; remove: () => void };
  let ws: ReturnType<typeof makeWorkspace>;
  let target: LocalTarget;

  before(() => {
    requireService('DOCKER');
    assert.ok(existsSync(trainJs), `${trainJs} is missing: run \`node scripts/build.mjs\``);
    docker = connectDocker();
    image = buildTestImage('tfod-local-train-test');
    ws = makeWorkspace();
    target = new LocalTarget({ workspace: ws.workspace, docker, stopTimeoutSeconds: 20 });
  });

  after(async () => {
    if (ws) {
      await removeWorkspaceContainers(docker, ws.workspace);
      rmSync(ws.workspace, { recursive: true, force: true });
    }
    image?.remove();
  });

  it('runs a job to Completed: SageMaker layout, log, metrics, model.tar.gz', async () => {
    const started = await target.startTrainingJob(localSpec(ws, image.image, 'job-complete', 300));
    assert.equal(started.status, 'InProgress');
    assert.equal(started.secondaryStatus, 'Training');
    const paths = target.jobPaths('job-complete');
    assert.equal(started.id, paths.root);
    assert.equal(
      readFileSync(paths.hyperparameters, 'utf8'),
      '{"num_steps":"300","quantize":"false","image_size":"300","inference_type":"FLOAT"}',
    );

    const events = await collect(target.tailLogs('job-complete', { follow: true }));
    const messages = events.map((e) => e.message);
    assert.ok(
      messages.some((m) => m.startsWith('#metric step=300 ')),
      messages.join('\n'),
    );
    assert.ok(events.every((e) => e.stream === 'job-complete/algo-1' && e.timestamp > 0));

    const job = await target.describeTrainingJob('job-complete');
    assert.equal(job.status, 'Completed', job.failureReason);
    assert.deepEqual(
      job.statusHistory.map((t) => t.status),
      ['Starting', 'Training', 'Uploading', 'Completed'],
    );
    assert.equal(job.modelArtifacts, paths.modelArchive);
    assert.equal(job.hyperparameters.num_steps, '300');
    assert.ok((job.lastMetrics.total_loss ?? 0) > 0, JSON.stringify(job.lastMetrics));
    assert.ok(
      job.trainingEndTime && job.trainingStartTime && job.trainingEndTime >= job.trainingStartTime,
    );

    const listing = execFileSync('tar', ['-tzf', paths.modelArchive], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    assert.deepEqual(listing, EXPECTED_MODEL_ENTRIES);
    const config = execFileSync('tar', ['-xzOf', paths.modelArchive, 'pipeline.config'], {
      encoding: 'utf8',
    });
    assert.match(
      config,
      /fine_tune_checkpoint: "\/opt\/ml\/input\/data\/checkpoint\/ssd_mobilenet_v2\/checkpoint\/ckpt-0"/,
    );

    assert.match(readFileSync(paths.log, 'utf8'), /^\S+Z #metric step=300 /m);
    const metrics = await target.metrics('job-complete');
    const total = metrics.series.find((s) => s.name === 'total_loss');
    assert.deepEqual(
      total?.points.map((p) => p.step),
      [100, 200, 300],
    );
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.job}=job-complete`] },
    });
    assert.equal(left.length, 0, 'the finished container is removed');
  });

  it('runs a job on two hosts as SageMaker does: algo-1 and algo-2 on one network, the chief exports', async () => {
    const spec = { ...localSpec(ws, image.image, 'job-hosts', 200), instanceCount: 2 };
    const started = await target.startTrainingJob(spec);
    assert.equal(started.status, 'InProgress');
    const paths = target.jobPaths('job-hosts');
    const running = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.job}=job-hosts`] },
    });
    assert.deepEqual(running.map((c) => c.Labels[LABELS.host] ?? 'algo-1').sort(), [
      'algo-1',
      'algo-2',
    ]);
    const network = `${target.jobs.containerName('job-hosts')}-network`;
    for (const info of running) assert.ok(info.NetworkSettings.Networks[network], info.Names[0]);
    for (const [folder, host] of [
      [paths.root, 'algo-1'],
      [join(paths.root, 'hosts', 'algo-2'), 'algo-2'],
    ] as const) {
      const config = JSON.parse(
        readFileSync(join(folder, 'input', 'config', 'resourceconfig.json'), 'utf8'),
      );
      assert.equal(config.current_host, host);
      assert.deepEqual(config.hosts, ['algo-1', 'algo-2']);
    }

    const job = await until('the two-host job to end', async () => {
      const details = await target.describeTrainingJob('job-hosts');
      return ['Completed', 'Failed', 'Stopped'].includes(details.status) ? details : undefined;
    });
    const log = readFileSync(paths.log, 'utf8');
    assert.equal(job.status, 'Completed', `${job.failureReason}\n${log.slice(-3000)}`);
    assert.equal(job.instanceCount, 2);
    // Each reached the other by its SageMaker host name, through TF_CONFIG.
    assert.match(log, /stand-in: worker 1 of 2 \(algo-1\) reached algo-2/);
    assert.match(log, /\[algo-2\] stand-in: worker 2 of 2 \(algo-2\) reached algo-1/);
    assert.match(log, /\[algo-2\] \[tfod\] done on algo-2: the chief \(algo-1\) exports the model/);
    assert.match(log, /\[tfod\] host algo-1, worker 1 of 2 .*the chief/);
    const listing = execFileSync('tar', ['-tzf', paths.modelArchive], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    assert.deepEqual(listing, EXPECTED_MODEL_ENTRIES);
    assert.deepEqual(readdirSync(join(paths.root, 'hosts', 'algo-2', 'model')), []);
    assert.ok(existsSync(join(paths.checkpoints, 'ckpt-1.index')));
    assert.ok(!existsSync(join(paths.root, 'hosts', 'algo-2', 'checkpoints', 'ckpt-1.index')));
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.job}=job-hosts`] },
    });
    assert.equal(left.length, 0, 'both containers are removed');
    assert.deepEqual(await docker.listNetworks({ filters: { name: [network] } }), []);
  });

  it('a host that fails fails the job with its reason and ends the chief waiting for it', async () => {
    await target.startLocalTrainingJob(
      { ...localSpec(ws, image.image, 'job-host-fails', 200), instanceCount: 2 },
      { environment: { TFOD_STANDIN_FAIL_HOST: 'algo-2' } },
    );
    const job = await until(
      'the job with a failed host to end',
      async () => {
        const details = await target.describeTrainingJob('job-host-fails');
        return ['Completed', 'Failed', 'Stopped'].includes(details.status) ? details : undefined;
      },
      90_000,
    );
    assert.equal(job.status, 'Failed');
    assert.match(
      job.failureReason ?? '',
      /^host algo-2: The training step failed \(exit code 1\): ValueError: stand-in failure requested by the test on algo-2/,
    );
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.job}=job-host-fails`] },
    });
    assert.equal(left.length, 0);
  });

  it('a failing job is Failed with the text of /opt/ml/output/failure', async () => {
    await target.startLocalTrainingJob(localSpec(ws, image.image, 'job-fail'), {
      environment: { TFOD_STANDIN_FAIL: 'od_api_tf2.py' },
    });
    // It ends while no target looks; a new instance (a restarted window) records the result.
    execFileSync('docker', ['wait', target.jobs.containerName('job-fail')], { stdio: 'pipe' });
    const job = await new LocalTarget({ workspace: ws.workspace, docker }).describeTrainingJob(
      'job-fail',
    );
    assert.equal(job.status, 'Failed');
    const failure = readFileSync(target.jobPaths('job-fail').failure, 'utf8').trim();
    assert.match(
      failure,
      /^The training step failed \(exit code 1\): ValueError: stand-in failure/,
    );
    assert.equal(job.failureReason, failure);
    assert.equal(job.modelArtifacts, undefined);
    assert.ok(!existsSync(target.jobPaths('job-fail').modelArchive));
  });

  it('Stop stops a running job; a new instance (a restart) sees it running, then Stopped', async () => {
    await target.startLocalTrainingJob(localSpec(ws, image.image, 'job-hang'), {
      environment: { TFOD_STANDIN_HANG: 'od_api_tf2.py' },
    });
    await until('the hanging job to train', async () => {
      const events = await collect(target.tailLogs('job-hang'));
      return events.some((e) => e.message.includes('per-step time')) ? true : undefined;
    });

    // Following a running job's log ends, without an error, when the caller aborts.
    const controller = new AbortController();
    const followed: string[] = [];
    for await (const event of target.tailLogs('job-hang', {
      follow: true,
      signal: controller.signal,
    })) {
      followed.push(event.message);
      if (event.message.includes('per-step time')) controller.abort();
    }
    assert.ok(followed.some((m) => m.includes('per-step time')));

    const restarted = new LocalTarget({ workspace: ws.workspace, docker, stopTimeoutSeconds: 20 });
    const running = await restarted.describeTrainingJob('job-hang');
    assert.equal(running.status, 'InProgress');
    assert.equal(running.secondaryStatus, 'Training');
    const listed = await restarted.listTrainingJobs();
    assert.equal(listed.find((j) => j.name === 'job-hang')?.status, 'InProgress');

    const [container] = await docker.listContainers({
      filters: {
        label: [`${LABELS.job}=job-hang`, `${LABELS.workspace}=${workspaceHash(ws.workspace)}`],
      },
    });
    assert.ok(container, 'found by its labels');
    const mounts = (await docker.getContainer(container.Id).inspect()).Mounts;
    const mount = (dest: string) => mounts.find((m) => m.Destination === dest);
    assert.equal(mount('/opt/ml/input/data/training')?.RW, false);
    assert.equal(mount('/opt/ml/input/data/training')?.Source, ws.training);
    assert.equal(mount('/opt/ml/input/data/checkpoint')?.RW, false);
    assert.equal(mount('/opt/ml/model')?.RW, true);
    assert.equal(mount('/opt/ml/checkpoints')?.RW, true);
    assert.equal(mount('/opt/ml/checkpoints')?.Source, target.jobPaths('job-hang').checkpoints);

    const began = Date.now();
    await restarted.stopTrainingJob('job-hang');
    assert.ok(Date.now() - began < 15_000, 'SIGTERM stopped it, not the kill after the timeout');
    const stopped = await new LocalTarget({ workspace: ws.workspace, docker }).describeTrainingJob(
      'job-hang',
    );
    assert.equal(stopped.status, 'Stopped');
    assert.deepEqual(
      stopped.statusHistory.map((t) => t.status),
      ['Starting', 'Training', 'Stopping', 'Stopped'],
    );
    assert.match(
      readFileSync(target.jobPaths('job-hang').log, 'utf8'),
      /stand-in: received SIGTERM/,
    );
    await assert.rejects(target.stopTrainingJob('job-hang'), /cannot be stopped: it is Stopped/);
  });

  it('Stop kills a job that ignores SIGTERM once the stop timeout has passed', async () => {
    // A preload (through the read-only checkpoint channel) that makes every node process in the
    // container ignore SIGTERM and never exit: only Docker's kill after the timeout ends it.
    writeFileSync(
      join(ws.checkpoint, 'ignore-sigterm.js'),
      'process.exit = () => undefined; setInterval(() => undefined, 1000);\n',
    );
    const impatient = new LocalTarget({ workspace: ws.workspace, docker, stopTimeoutSeconds: 2 });
    await impatient.startLocalTrainingJob(localSpec(ws, image.image, 'job-stubborn'), {
      environment: {
        TFOD_STANDIN_HANG: 'od_api_tf2.py',
        NODE_OPTIONS: '--require /opt/ml/input/data/checkpoint/ignore-sigterm.js',
      },
    });
    try {
      await until('the stubborn job to train', async () => {
        const events = await collect(impatient.tailLogs('job-stubborn'));
        return events.some((e) => e.message.includes('per-step time')) ? true : undefined;
      });
      const began = Date.now();
      await impatient.stopTrainingJob('job-stubborn');
      const took = Date.now() - began;
      assert.ok(took >= 1_900 && took < 15_000, `stopped after ${took} ms`);
      const job = await impatient.describeTrainingJob('job-stubborn');
      assert.equal(job.status, 'Stopped');
      const status = JSON.parse(
        readFileSync(impatient.jobPaths('job-stubborn').statusFile, 'utf8'),
      );
      assert.equal(status.exitCode, 137, 'killed');
    } finally {
      rmSync(join(ws.checkpoint, 'ignore-sigterm.js'), { force: true });
    }
  });

  it('a job whose container vanished while nobody watched is Failed with the reason', async () => {
    await target.startLocalTrainingJob(localSpec(ws, image.image, 'job-lost'), {
      environment: { TFOD_STANDIN_HANG: 'od_api_tf2.py' },
    });
    execFileSync('docker', ['rm', '-f', target.jobs.containerName('job-lost')], { stdio: 'pipe' });
    const job = await new LocalTarget({ workspace: ws.workspace, docker }).describeTrainingJob(
      'job-lost',
    );
    assert.equal(job.status, 'Failed');
    assert.match(job.failureReason ?? '', /training container is gone/);
  });

  it('two jobs side by side keep their own logs, folders and models', async () => {
    const [a, b] = ['side-a', 'side-b'];
    await Promise.all([
      target.startTrainingJob(localSpec(ws, image.image, a, 400)),
      target.startTrainingJob(localSpec(ws, image.image, b, 700)),
    ]);
    const [logA, logB] = await Promise.all([
      collect(target.tailLogs(a, { follow: true })),
      collect(target.tailLogs(b, { follow: true })),
    ]);
    const steps = (events: LogEvent[]) =>
      events.flatMap((e) => /^#metric step=(\d+) /.exec(e.message)?.[1] ?? []).map(Number);
    assert.equal(Math.max(...steps(logA)), 400);
    assert.equal(Math.max(...steps(logB)), 700);
    const jobs = await target.listTrainingJobs();
    assert.equal(jobs.find((j) => j.name === a)?.status, 'Completed');
    assert.equal(jobs.find((j) => j.name === b)?.status, 'Completed');
    const savedA = readFileSync(target.jobPaths(a).log, 'utf8');
    const savedB = readFileSync(target.jobPaths(b).log, 'utf8');
    assert.match(savedA, /"numSteps":400/);
    assert.doesNotMatch(savedA, /"numSteps":700/);
    assert.match(savedB, /"numSteps":700/);
    assert.doesNotMatch(savedB, /"numSteps":400/);
    const hp = (job: string) =>
      execFileSync('tar', ['-xzOf', target.jobPaths(job).modelArchive, 'hyperparameters.json'], {
        encoding: 'utf8',
      });
    assert.match(hp(a), /"num_steps": "400"/);
    assert.match(hp(b), /"num_steps": "700"/);
    assert.deepEqual(
      readdirSync(target.jobsFolder)
        .filter((n) => n.startsWith('side-'))
        .sort(),
      [a, b],
    );
  });

  it('refuses what cannot run, with the fix, and leaves no job behind', async () => {
    await assert.rejects(
      target.startTrainingJob(localSpec(ws, image.image, 'job-complete')),
      (error: unknown) =>
        error instanceof UserError && /already exists in this workspace/.test(error.message),
    );
    const gpuImage = image.image.replace(/:cpu-/, ':gpu-');
    execFileSync('docker', ['tag', image.image, gpuImage]);
    try {
      await assert.rejects(
        target.startTrainingJob(localSpec(ws, gpuImage, 'job-gpu')),
        (error: unknown) =>
          error instanceof UserError &&
          /GPU build/.test(error.message) &&
          /NVIDIA Container Toolkit/.test(error.fix ?? '') &&
          /CPU image/.test(error.fix ?? ''),
      );
    } finally {
      execFileSync('docker', ['rmi', gpuImage], { stdio: 'pipe' });
    }
    await assert.rejects(
      target.startTrainingJob(localSpec(ws, 'tfod-local-no-such-image:1', 'job-noimage')),
      /is not on this machine's Docker engine/,
    );
    await assert.rejects(
      target.startTrainingJob({
        ...localSpec(ws, image.image, 'job-nodata'),
        channels: { training: join(ws.workspace, 'missing') },
      }),
      /'training' channel .*missing does not exist/,
    );
    for (const name of ['job-gpu', 'job-noimage', 'job-nodata'])
      assert.ok(!existsSync(target.jobPaths(name).root), `${name} left no folder`);
  });
  it("serves a job's model/ read-only with the job's image; a job without a model is refused", async () => {
    await assert.rejects(
      target.serve({ endpointName: 'from-job', model: { kind: 'job', job: 'job-fail' } }),
      /cannot serve training job 'job-fail': it is Failed and has no model/,
    );
    // The stand-in's models are placeholders (a SavedModel needs the TensorFlow backend, which the
    // test image lacks; its tfjs/model.json is not a real graph): the container starts from the
    // job's model/ and says what it could not load there.
    await assert.rejects(
      target.deploy(
        {
          job: 'job-complete',
          endpointName: 'from-job',
          instanceType: 'local',
          instanceCount: 1,
          environment: { MODEL_SERVER_WORKERS: '1' },
        },
        { timeoutMs: 30_000 },
      ),
      /did not start: the serving container exited with code 1; .*model failed to load: \/opt\/ml\/model\/tfjs\/model\.json/,
    );
    const [info] = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.endpoint}=from-job`] },
    });
    assert.equal(info?.Image, image.image);
    const model = info?.Mounts.find((m) => m.Destination === '/opt/ml/model');
    assert.equal(model?.Source, target.jobPaths('job-complete').model);
    assert.equal(model?.RW, false);
    await target.deleteEndpoint('from-job');
  });
});
