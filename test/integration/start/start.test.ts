import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireService } from '../harness/services';
import { connectDocker } from '../../../src/core/docker/engine';
import { buildTestImage, removeWorkspaceContainers } from '../local/harness';
import { fixtures } from '../serving/fixtures';

// `npm start` (scripts/start.mjs) with the real Docker engine, in a temporary work folder so the
// user's .tfod is never touched: where it stops, and the flow (sample, train, serve, detections)
// with the test image standing in for the CPU image. The whole main job with real TensorFlow is
// in the training layer (test/training/start.test.ts).
const root = join(__dirname, '..', '..', '..');
const script = join(root, 'scripts', 'start.mjs');
const cli = join(root, 'dist', 'cli.js');

function start(
  work: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  runAs: string[] = [],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const command = [
      process.execPath,
      script,
      '--skip-package',
      '--no-open',
      '--work-dir',
      work,
      ...args,
    ];
    const child = spawn(
      runAs[0] ?? command[0],
      [...runAs.slice(1), ...command.slice(runAs.length ? 0 : 1)],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm start (scripts/start.mjs) with Docker', () => {
  const works: string[] = [];
  const work = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfod-start-'));
    works.push(dir);
    return dir;
  };

  before(() => {
    requireService('DOCKER');
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
  });
  after(() => {
    for (const dir of works) rmSync(dir, { recursive: true, force: true });
  });

  it('stops with how to start Docker when the engine does not answer', async () => {
    const dir = work();
    const run = await start(dir, [], { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` });
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /== start: step 2 of 7: the Docker engine/);
    assert.match(
      run.output,
      /start: STOPPED: the Docker engine at unix:\/\/.*no-docker\.sock \(DOCKER_HOST\) does not answer/,
    );
    assert.match(run.output, /start it, or unset DOCKER_HOST .* run this again/);
    assert.doesNotMatch(run.output, /step 3/);
    assert.deepEqual(readdirSync(dir), [], 'nothing may be written before Docker answers');
  });

  it('as a user outside the docker group, prints the exact command that lets them use the engine', async () => {
    // The same run as a user without root and outside the docker group: `docker info` is refused
    // on the socket, and only root could install or start the engine.
    const dir = work();
    chmodSync(dir, 0o777);
    const run = await start(dir, [], { HOME: dir }, [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
    ]);
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /== start: step 2 of 7: the Docker engine/);
    assert.match(
      run.output,
      /start: STOPPED: the Docker engine runs, but this user may not use it \(.*permission denied.*\)\. Run:\n {2}sudo usermod -aG docker "\$USER"\nthen log in again/i,
    );
    assert.doesNotMatch(run.output, /apt-get install/, 'the engine is installed already');
    assert.doesNotMatch(run.output, /step 3/);
  });

  it("with --skip-docker --no-open: says which steps it skipped, in the README's numbers, and nothing else", async () => {
    const dir = work();
    const run = await start(dir, ['--skip-docker']);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /== start: step 1 of 7: install, build and package the extension/);
    assert.match(run.output, /== start: steps 2 to 6 skipped \(--skip-docker\)/);
    assert.match(
      run.output,
      /== start: step 7 skipped \(--no-open\): the extension was not opened/,
    );
    assert.doesNotMatch(run.output, /opening|step [2-6] of 7/);
  });

  it('without Docker Hub builds a stand-in base, and stops with both reasons when that fails too', async () => {
    // Tags of this test's own, so an image that another run left behind changes nothing, and a
    // Debian mirror that does not answer, so the stand-in cannot be made (the training layer runs
    // the path where it can: test/training/start.test.ts).
    const tag = `tfod-start-stop:${process.pid}`;
    const dir = work();
    const run = await start(dir, [], {
      TFOD_START_IMAGE: tag,
      TFOD_TF_BASE_IMAGE: `tfod-start-stop-base:${process.pid}`,
      TFOD_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian',
    });
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, new RegExp(`== start: step 3 of 7: the CPU image ${tag}`));
    assert.match(run.output, /Step \d+\/\d+ : FROM \$\{BASE_IMAGE\}/);
    assert.match(run.output, /building a stand-in for it from Debian and PyPI/);
    assert.match(
      run.output,
      /start: STOPPED: the base image tensorflow\/tensorflow:2\.9\.1 cannot be pulled from Docker Hub: this machine has no access to Docker Hub \(registry-1\.docker\.io\), and the stand-in for it could not be built either \(.*(debootstrap|127\.0\.0\.1:9).*\)/,
    );
    assert.match(run.output, /docker pull tensorflow\/tensorflow:2\.9\.1/);
    assert.match(run.output, /docker load/);
    assert.match(run.output, /--image <tag>/);
    assert.doesNotMatch(run.output, /step 4/);
    assert.equal(existsSync(join(dir, '.tfod', 'sample')), false);
  });

  it('with --image: generates the sample, trains to Completed, serves, prints detections, stops the endpoint', async () => {
    const image = buildTestImage('tfod-start');
    const dir = work();
    try {
      // The sample as the script makes it, plus a stand-in checkpoint where the download goes
      // (download.tensorflow.org is out of reach here); the script then skips both steps.
      const sample = join(dir, '.tfod', 'sample');
      const made = spawnSync(process.execPath, [cli, 'sample', sample, '--num-steps', '20'], {
        encoding: 'utf8',
      });
      assert.equal(made.status, 0, made.stderr);
      const ckpt = join(sample, 'ssd_mobilenet_v2', 'checkpoint');
      mkdirSync(ckpt, { recursive: true });
      writeFileSync(join(ckpt, 'ckpt-0.index'), 'index');
      writeFileSync(join(ckpt, 'ckpt-0.data-00000-of-00001'), 'data');
      const fx = fixtures();
      const run = await start(dir, [
        '--image',
        image.image,
        '--num-steps',
        '20',
        '--model',
        fx.modelDir,
        '--predict',
        fx.photoPath('chelsea'),
      ]);
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /already there/);
      assert.match(run.output, /the pre-trained checkpoint is in .*ssd_mobilenet_v2/);
      assert.match(run.output, /start: training job sample-\d+ Completed/);
      const detections = /detections in .*chelsea\.png \(confidence >= 0\.3\): (\d+)/.exec(
        run.output,
      );
      assert.ok(detections && Number(detections[1]) >= 1, run.output);
      // The COCO model sees the cat in scikit-image's "chelsea" photo; with no label map in the
      // model folder the class is printed by its COCO id (17 = cat).
      assert.match(run.output, /\n {2}class 17 \d+% at \[/);
      assert.match(run.output, /Stopped local endpoint sample-\d+-local\./);
      const left = spawnSync(
        'docker',
        ['ps', '-a', '--filter', 'name=sample-', '--format', '{{.Names}}'],
        {
          encoding: 'utf8',
        },
      );
      assert.doesNotMatch(left.stdout, /-local/, 'the endpoint container is left running');
      assert.ok(existsSync(join(dir, '.tfod', 'jobs')), 'jobs go under the work folder');
    } finally {
      await removeWorkspaceContainers(connectDocker(), dir);
      image.remove();
    }
  });
});
