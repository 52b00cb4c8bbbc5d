import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { connectDocker } from '../../../src/core/docker/engine';
import { requireService } from '../harness/services';
import { buildTestImage, makeWorkspace, removeWorkspaceContainers, until } from './harness';

// `tfod train|jobs|logs --target local` as users run them: the bundled binary, in their project
// folder, with Docker on this machine (the default target).
const cli = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

function tfod(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tfod CLI on the local target', () => {
  let docker: Docker;
  let image: ReturnType<typeof buildTestImage>;
  let ws: ReturnType<typeof makeWorkspace>;

  before(() => {
    requireService('DOCKER');
    assert.ok(existsSync(cli), `${cli} is missing: run \`npm run build\``);
    docker = connectDocker();
    image = buildTestImage('tfod-cli-local');
    ws = makeWorkspace();
  });

  after(async () => {
    if (ws) await removeWorkspaceContainers(docker, ws.workspace);
    image?.remove();
    if (ws) rmSync(ws.workspace, { recursive: true, force: true });
  });

  it('train (default target local) with relative folders, then jobs and logs show it Completed', async () => {
    const started = tfod(
      ws.workspace,
      'train',
      '--name',
      'cli-local-1',
      '--image',
      image.image,
      '--training',
      'data',
      '--checkpoint',
      'pretrained',
      '--num-steps',
      '300',
    );
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^Started training job cli-local-1 on local/);

    await until(
      'the job to complete',
      async () => {
        const jobs = tfod(ws.workspace, 'jobs', '--json');
        assert.equal(jobs.code, 0, jobs.stderr);
        const list = JSON.parse(jobs.stdout) as Array<{ name: string; status: string }>;
        const job = list.find((j) => j.name === 'cli-local-1');
        assert.ok(job, jobs.stdout);
        assert.notEqual(job.status, 'Failed', jobs.stdout);
        return job.status === 'Completed' ? job : undefined;
      },
      60_000,
    );

    const table = tfod(ws.workspace, 'jobs');
    assert.match(table.stdout, /^NAME\s+STATUS/m);
    assert.match(table.stdout, /^cli-local-1\s+Completed/m);
    const logs = tfod(ws.workspace, 'logs', 'cli-local-1');
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /#metric step=300 /);
    assert.ok(
      existsSync(join(ws.workspace, '.tfod', 'jobs', 'cli-local-1', 'output', 'model.tar.gz')),
    );
  });

  it('a missing training folder is one clear line and exit 1', () => {
    const result = tfod(
      ws.workspace,
      'train',
      '--image',
      image.image,
      '--training',
      'no-such-folder',
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^tfod: error: .*no-such-folder/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });
});
