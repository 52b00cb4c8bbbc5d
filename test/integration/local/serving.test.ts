import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { UserError } from '../../../src/core/errors';
import type { DeployProgress } from '../../../src/core/jobs';
import { LABELS, LocalTarget, workspaceHash, writeModelArchive } from '../../../src/core/local';
import { requireService } from '../harness/services';
import { COCO, fixtures } from '../serving/fixtures';
import { serveJs } from '../training/harness';
import { buildTestImage, removeWorkspaceContainers } from './harness';

// Local endpoints in a real Docker engine: the image's `serve` (bundled serve.js on the tfjs wasm
// backend in the FROM scratch test image) with the real COCO SSD model mounted at /opt/ml/model.

type Prediction = { prediction: number[][] };

describe('local endpoints in a real Docker engine', () => {
  let docker: Docker;
  let image: { image: string; remove: () => void };
  let workspace: string;
  let scratch: string;
  let target: LocalTarget;

  before(() => {
    requireService('DOCKER');
    assert.ok(existsSync(serveJs), `${serveJs} is missing: run \`node scripts/build.mjs\``);
    fixtures();
    docker = connectDocker();
    image = buildTestImage('tfod-local-serve-test');
    workspace = mkdtempSync(join(tmpdir(), 'tfod-local-serve-ws-'));
    scratch = mkdtempSync(join(tmpdir(), 'tfod-local-serve-models-'));
    target = new LocalTarget({ workspace, docker });
  });

  after(async () => {
    if (workspace) {
      await removeWorkspaceContainers(docker, workspace);
      rmSync(workspace, { recursive: true, force: true });
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    image?.remove();
  });

  it('serves a model folder on 127.0.0.1 and detects the cat on chelsea', async () => {
    const progress: DeployProgress[] = [];
    const result = await target.serve(
      {
        endpointName: 'coco',
        model: { kind: 'folder', path: fixtures().modelDir },
        image: image.image,
        workers: 2,
        timeoutSeconds: 30,
      },
      { onProgress: (p) => progress.push(p), timeoutMs: 60_000 },
    );
    assert.equal(result.updated, false);
    assert.equal(result.endpoint.status, 'InService');
    assert.match(result.endpoint.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(progress.some((p) => p.phase === 'create'));

    const answer = await target.invokeEndpoint(
      'coco',
      JSON.stringify({ image: fixtures().photo('chelsea').toString('base64') }),
      'application/json',
    );
    assert.match(answer.contentType ?? '', /json/);
    const { prediction } = JSON.parse(Buffer.from(answer.body).toString('utf8')) as Prediction;
    const [classId, confidence] = prediction[0] ?? [];
    assert.equal(classId, COCO.cat);
    assert.ok((confidence ?? 0) > 0.8, `cat confidence ${confidence}`);

    // The mapped port answers directly too, with a raw PNG.
    const raw = await fetch(`${result.endpoint.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: fixtures().photo('astronaut'),
    });
    assert.equal(((await raw.json()) as Prediction).prediction[0]?.[0], COCO.person);

    const [info] = await docker.listContainers({
      filters: {
        label: [`${LABELS.endpoint}=coco`, `${LABELS.workspace}=${workspaceHash(workspace)}`],
      },
    });
    assert.ok(info);
    const inspected = await docker.getContainer(info.Id).inspect();
    assert.ok(inspected.Config.Env.includes('MODEL_SERVER_WORKERS=2'));
    assert.ok(inspected.Config.Env.includes('MODEL_SERVER_TIMEOUT=30'));
    assert.equal(inspected.Mounts.find((m) => m.Destination === '/opt/ml/model')?.RW, false);
    assert.equal(inspected.HostConfig.PortBindings?.['8080/tcp']?.[0]?.HostIp, '127.0.0.1');
  });

  it('a new instance (a restart) finds the endpoint again, InService at the same URL', async () => {
    const before = await target.describeEndpoint('coco');
    const restarted = new LocalTarget({ workspace, docker });
    const [listed] = (await restarted.listEndpoints()).filter((e) => e.name === 'coco');
    assert.equal(listed?.status, 'InService');
    assert.equal(listed?.url, before.url);
    assert.equal(listed?.target, 'local');
    const bad = restarted.invokeEndpoint('coco', 'not an image', 'image/png');
    await assert.rejects(
      bad,
      (error: unknown) => error instanceof UserError && /answered 400/.test(error.message),
    );
  });

  it('serves a model.tar.gz, unpacked under .tfod/endpoints/<name>/model', async () => {
    const archive = join(scratch, 'model.tar.gz');
    await writeModelArchive(fixtures().modelDir, archive);
    const result = await target.deploy(
      {
        job: archive,
        endpointName: 'coco-archive',
        instanceType: 'local',
        instanceCount: 1,
        image: image.image,
        environment: { MODEL_SERVER_WORKERS: '1' },
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(result.endpoint.status, 'InService');
    const unpacked = join(target.endpointsFolder, 'coco-archive', 'model');
    assert.deepEqual(readdirSync(unpacked).sort(), readdirSync(fixtures().modelDir).sort());
    const answer = await target.invokeEndpoint(
      'coco-archive',
      fixtures().photo('chelsea'),
      'image/png',
    );
    const { prediction } = JSON.parse(Buffer.from(answer.body).toString('utf8')) as Prediction;
    assert.equal(prediction[0]?.[0], COCO.cat);
    await target.deleteEndpoint('coco-archive');
    assert.ok(!existsSync(join(target.endpointsFolder, 'coco-archive')));
  });

  it('a model that cannot load fails the wait at once with the container log', async () => {
    const broken = join(scratch, 'broken');
    cpSync(fixtures().modelDir, broken, { recursive: true });
    writeFileSync(join(broken, 'model.json'), '{"modelTopology": ');
    const started = Date.now();
    await assert.rejects(
      target.serve(
        {
          endpointName: 'broken',
          model: { kind: 'folder', path: broken },
          image: image.image,
          workers: 1,
        },
        { timeoutMs: 60_000 },
      ),
      (error: unknown) =>
        error instanceof UserError &&
        /did not start: the serving container exited with code 1/.test(error.message) &&
        /its last log lines: .*model\.json/.test(error.message),
    );
    assert.ok(Date.now() - started < 30_000, 'did not wait for the timeout');
    const endpoint = await target.describeEndpoint('broken');
    assert.equal(endpoint.status, 'Failed');
    assert.match(endpoint.failureReason ?? '', /exited with code 1/);
  });

  it('the health wait times out with a clear message when the model never loads', async () => {
    // A weight file that is a FIFO: reading it blocks forever, so /ping keeps answering 503.
    const stuck = join(scratch, 'stuck');
    cpSync(fixtures().modelDir, stuck, { recursive: true });
    const shard = readdirSync(stuck).find((f) => f.includes('shard'));
    assert.ok(shard);
    rmSync(join(stuck, shard));
    execFileSync('mkfifo', [join(stuck, shard)]);
    await assert.rejects(
      target.serve(
        {
          endpointName: 'stuck',
          model: { kind: 'folder', path: stuck },
          image: image.image,
          workers: 1,
        },
        { timeoutMs: 3_000, pollIntervalMs: 250 },
      ),
      (error: unknown) =>
        error instanceof UserError &&
        /did not answer http:\/\/127\.0\.0\.1:\d+\/ping within 3 s/.test(error.message) &&
        /its last log lines: .*listening on/.test(error.message) &&
        /A large model can take minutes to load/.test(error.fix ?? ''),
    );
    assert.equal((await target.describeEndpoint('stuck')).status, 'Failed');
  });

  it('delete stops and removes the container; the endpoint is gone', async () => {
    await target.deleteEndpoint('coco');
    await target.deleteEndpoint('broken');
    await target.deleteEndpoint('stuck');
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.workspace}=${workspaceHash(workspace)}`] },
    });
    assert.deepEqual(left, []);
    assert.deepEqual(await target.listEndpoints(), []);
    await assert.rejects(target.describeEndpoint('coco'), /local endpoint 'coco' was not found/);
  });
});
