import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { LABELS, LocalTarget, workspaceHash, writeModelArchive } from '../../../src/core/local';
import { createS3Client } from '../../../src/core/s3';
import { requireService, useMoto } from '../harness/services';
import { postImage } from '../serving/client';
import { COCO, fixtures } from '../serving/fixtures';
import {
  buildTestImage,
  localSpec,
  makeWorkspace,
  removeWorkspaceContainers,
  until,
} from './harness';

// `tfod serve --target local <job|model.tar.gz|dir|s3://…>` as users run it: the bundled binary in
// their project folder, the image's `serve` (the test image: bundled serve.js on tfjs wasm) in a
// real Docker engine, serving the real COCO SSD model; the printed URL answers /invocations.
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

function tfod(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `tfod serve …` in the foreground; resolves with the URL it prints. */
function serveInForeground(
  cwd: string,
  args: string[],
): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [cli, 'serve', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Serving" line:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /^Serving .* at (http:\/\/127\.0\.0\.1:\d+):/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

function printedUrl(stdout: string): string {
  const match = /^Serving .* at (http:\/\/127\.0\.0\.1:\d+):/m.exec(stdout);
  assert.ok(match, stdout);
  return match[1]!;
}

describe('tfod serve --target local (Docker)', () => {
  let docker: Docker;
  let image: ReturnType<typeof buildTestImage>;
  let ws: ReturnType<typeof makeWorkspace>;
  let target: LocalTarget;

  const workspaceContainers = () =>
    docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.workspace}=${workspaceHash(ws.workspace)}`, LABELS.endpoint] },
    });

  before(() => {
    requireService('DOCKER');
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
    fixtures();
    docker = connectDocker();
    image = buildTestImage('tfod-cli-serve');
    ws = makeWorkspace();
    target = new LocalTarget({ workspace: ws.workspace, docker });
  });

  after(async () => {
    if (ws) await removeWorkspaceContainers(docker, ws.workspace);
    image?.remove();
    if (ws) rmSync(ws.workspace, { recursive: true, force: true });
  });

  it('serves a model folder, prints the URL, detects the cat on chelsea, and Ctrl+C stops it', async () => {
    const run = serveInForeground(ws.workspace, [
      '--target',
      'local',
      fixtures().modelDir,
      '--image',
      image.image,
      '--name',
      'coco-cli',
      '--workers',
      '1',
      '--timeout',
      '30',
    ]);
    try {
      const url = await run.url;
      assert.match(run.output(), /local endpoint coco-cli at http:\/\/127\.0\.0\.1:\d+: POST /);
      const answer = await postImage(url, fixtures().photo('chelsea'));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [classId, confidence] = answer.body.prediction?.[0] ?? [];
      assert.equal(classId, COCO.cat);
      assert.ok((confidence ?? 0) > 0.8, `cat confidence ${confidence}`);

      // The container runs the image's serve with the settings given, found by its labels.
      const [info] = await workspaceContainers();
      assert.ok(info, 'the endpoint container');
      assert.equal(info.Labels[LABELS.endpoint], 'coco-cli');
      const env = (await docker.getContainer(info.Id).inspect()).Config.Env;
      assert.ok(env.includes('MODEL_SERVER_WORKERS=1'), env.join(' '));
      assert.ok(env.includes('MODEL_SERVER_TIMEOUT=30'), env.join(' '));

      // Another process sees it with its URL.
      const listed = tfod(ws.workspace, ['endpoints']);
      assert.equal(listed.code, 0, listed.stderr);
      // Its capacity: one container of the local "instance type", never scaled.
      assert.match(
        listed.stdout,
        new RegExp(`^coco-cli\\s+InService\\s+\\S+\\s+1 × local, fixed\\s+${url}$`, 'm'),
      );

      const exited = new Promise<number | null>((resolve) => run.child.on('exit', resolve));
      run.child.kill('SIGINT');
      assert.equal(await exited, 0, run.output());
      assert.match(run.output(), /Stopped local endpoint coco-cli\./);
      assert.deepEqual(await workspaceContainers(), []);
      assert.deepEqual(await target.listEndpoints(), []);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('serves a local job by name and its model.tar.gz (detached), then --stop removes them', async () => {
    // A real local job (the stand-in trains it); its model/ and model.tar.gz then hold the COCO
    // GraphModel, as a job of a TF.js-exporting image would leave them.
    await target.startTrainingJob(localSpec(ws, image.image, 'served-job', 100));
    await until(
      'the job to complete',
      async () => {
        const job = await target.describeTrainingJob('served-job');
        assert.notEqual(job.status, 'Failed', job.failureReason);
        return job.status === 'Completed' ? job : undefined;
      },
      60_000,
    );
    const paths = target.jobPaths('served-job');
    rmSync(paths.model, { recursive: true, force: true });
    cpSync(fixtures().modelDir, paths.model, { recursive: true });
    const archive = join(paths.root, 'output', 'model.tar.gz');
    assert.ok(existsSync(archive), 'the job packaged its model');
    await writeModelArchive(fixtures().modelDir, archive);

    // By job name: the image defaults to the job's.
    const byName = tfod(ws.workspace, ['serve', '--target', 'local', 'served-job', '--detach']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /as local endpoint served-job-local at /);
    assert.match(byName.stdout, /tfod serve --stop served-job-local stops it/);
    const cat = await postImage(printedUrl(byName.stdout), fixtures().photo('chelsea'));
    assert.equal(cat.body.prediction?.[0]?.[0], COCO.cat);

    // Its model.tar.gz, by a relative path: unpacked under .tfod/endpoints/<name>/model.
    const byArchive = tfod(ws.workspace, [
      'serve',
      '--target',
      'local',
      './.tfod/jobs/served-job/output/model.tar.gz',
      '--image',
      image.image,
      '--name',
      'archive',
      '--detach',
    ]);
    assert.equal(byArchive.code, 0, byArchive.stderr);
    const cup = await postImage(printedUrl(byArchive.stdout), fixtures().photo('coffee'));
    assert.ok(
      cup.body.prediction?.some(([classId]) => classId === COCO.cup),
      JSON.stringify(cup.body),
    );
    assert.deepEqual(
      readdirSync(join(target.endpointsFolder, 'archive', 'model')).sort(),
      readdirSync(fixtures().modelDir).sort(),
    );
    assert.equal((await workspaceContainers()).length, 2);

    for (const name of ['served-job-local', 'archive']) {
      const stopped = tfod(ws.workspace, ['serve', '--stop', name]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal(stopped.stdout, `Stopped local endpoint ${name}.\n`);
    }
    assert.deepEqual(await workspaceContainers(), []);
  });

  it('serves a model.tar.gz from S3 (moto), downloaded first', async (t) => {
    // The AWS SDK's standard variables point at moto, for this process and the CLI's.
    const moto = useMoto();
    t.after(() => moto.restore());
    const env = { ...process.env };
    const archive = join(ws.workspace, 'from-s3.tar.gz');
    await writeModelArchive(fixtures().modelDir, archive);
    const bucket = `tfod-serve-${process.pid}`;
    const s3 = createS3Client({ region: 'us-east-1' });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'output/sm-job-1/output/model.tar.gz',
          Body: readFileSync(archive),
        }),
      );
    } finally {
      s3.destroy();
    }
    const served = tfod(
      ws.workspace,
      [
        'serve',
        '--target',
        'local',
        `s3://${bucket}/output/sm-job-1/output/model.tar.gz`,
        '--image',
        image.image,
        '--detach',
      ],
      env,
    );
    assert.equal(served.code, 0, served.stderr);
    assert.match(served.stderr, /Downloading s3:\/\//);
    assert.match(served.stdout, /as local endpoint sm-job-1-local at /);
    const answer = await postImage(printedUrl(served.stdout), fixtures().photo('chelsea'));
    assert.equal(answer.body.prediction?.[0]?.[0], COCO.cat);
    assert.equal(tfod(ws.workspace, ['serve', '--stop', 'sm-job-1-local']).code, 0);
  });

  it('a model that never loads times out with a clear message and the container log', async () => {
    // A weight file that is a FIFO: reading it blocks forever, so /ping keeps answering 503.
    const stuck = join(ws.workspace, 'stuck-model');
    mkdirSync(stuck, { recursive: true });
    cpSync(fixtures().modelDir, stuck, { recursive: true });
    const shard = readdirSync(stuck).find((f) => f.includes('shard'));
    assert.ok(shard);
    rmSync(join(stuck, shard));
    execFileSync('mkfifo', [join(stuck, shard)]);
    const started = Date.now();
    const result = tfod(ws.workspace, [
      'serve',
      '--target',
      'local',
      './stuck-model',
      '--image',
      image.image,
      '--wait',
      '3',
    ]);
    assert.equal(result.code, 1, result.stdout);
    assert.ok(Date.now() - started < 60_000);
    assert.match(
      result.stderr,
      /^tfod: error: local endpoint 'stuck-model-local' did not answer http:\/\/127\.0\.0\.1:\d+\/ping within 3 s; its last log lines: .*listening on/m,
    );
    assert.match(result.stderr, /A large model can take minutes to load/);
    assert.doesNotMatch(result.stdout, /^Serving/m);
    const listed = tfod(ws.workspace, ['endpoints', '--json']);
    const endpoints = JSON.parse(listed.stdout) as Array<{ name: string; status: string }>;
    assert.equal(endpoints.find((e) => e.name === 'stuck-model-local')?.status, 'Failed');
    assert.equal(tfod(ws.workspace, ['serve', '--stop', 'stuck-model-local']).code, 0);
    assert.deepEqual(await workspaceContainers(), []);
  });

  it('refuses the sagemaker target, a missing model and in-process-only flags in one line each', () => {
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--target', 'sagemaker', 'job'], /SageMaker endpoints are made by tfod deploy/],
      [['serve', '--target', 'local'], /nothing to serve was given/],
      [['serve'], /nothing to serve was given.*--model <dir>/],
      [
        ['serve', '--target', 'local', '.', '--backend', 'wasm'],
        /--backend applies to the in-process server/,
      ],
      [['serve', '--target', 'local', 'no-such-job', '--image', image.image], /no-such-job/],
    ];
    for (const [args, message] of cases) {
      const result = tfod(ws.workspace, args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      // One error line (progress lines may come before it), and nothing on stdout.
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('tfod: error:'));
      assert.equal(errors.length, 1, result.stderr);
      assert.match(errors[0]!, message, args.join(' '));
      assert.equal(result.stdout, '');
    }
  });
});
