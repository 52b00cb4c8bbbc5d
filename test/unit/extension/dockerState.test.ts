import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  connectDocker,
  describeDockerEngine,
  DockerUnreachableError,
} from '../../../src/core/docker/engine';
import type { Target } from '../../../src/core/jobs';
import { LocalTarget } from '../../../src/core/local';
import { dockerState, JobsModel, shownTargets } from '../../../src/extension/views/jobsModel';
import { JobsRefresh } from '../../../src/extension/views/jobsRefresh';
import { listingErrorRow, targetGroupDescription } from '../../../src/extension/views/presentation';

// The jobs view with no Docker engine (issue [installed-extension], item 3): a state of the view
// ("Docker is not running", with Retry, from the welcome content and `tfod:docker`), not a
// truncated "Cannot list jobs" row with "0 training jobs" beside it; and the reason in the log.
// The local target here is the real one, talking to a socket where no engine listens.
describe('the jobs view when Docker is not running', () => {
  let dir: string;
  let local: LocalTarget;
  const socket = (): string => join(dir, 'no-engine.sock');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfod-no-docker-'));
    local = new LocalTarget({ workspace: dir, docker: connectDocker(`unix://${socket()}`) });
  });
  after(() => {
    local.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the unreachable engine as its own error, with what to do', async () => {
    await assert.rejects(
      describeDockerEngine(connectDocker(`unix://${socket()}`), `unix://${socket()}`),
      (e: unknown) =>
        e instanceof DockerUnreachableError &&
        e.message.includes(socket()) &&
        /Start Docker/.test(e.fix ?? ''),
    );
    await assert.rejects(local.listEndpoints(), DockerUnreachableError);
  });

  it('shows no rows, so the welcome content says Docker is not running', async () => {
    const model = new JobsModel();
    model.show(shownTargets('local', 'selected'));
    await model.refreshTarget('local', local);
    const snapshot = model.snapshot('local');
    assert.equal(snapshot?.dockerUnreachable, true);
    assert.match(snapshot?.error ?? '', /cannot reach the Docker engine/);
    assert.deepEqual(model.groups(), []);
    assert.equal(dockerState(snapshot), 'notRunning');
  });

  it('keeps a row for another failure, labelled by its reason, and never counts 0 jobs', async () => {
    const broken = {
      listTrainingJobs: async () => Promise.reject(new Error('permission denied on .tfod/jobs')),
      listEndpoints: async () => [],
    } as unknown as Target;
    const model = new JobsModel();
    model.show(shownTargets('local', 'selected'));
    await model.refreshTarget('local', broken);
    const [group] = model.groups();
    assert.equal(group?.kind, 'local');
    assert.equal(dockerState(group?.snapshot), undefined);
    assert.equal(targetGroupDescription(group!), 'selected · not listed');
    assert.equal(listingErrorRow(group!.snapshot!).label, 'Cannot list jobs');
    assert.match(listingErrorRow(group!.snapshot!).tooltip, /permission denied.*\nRetry/s);
    const docker = listingErrorRow({ error: 'cannot reach', dockerUnreachable: true });
    assert.equal(docker.label, 'Docker is not running');
  });

  it('logs the failure of the selected target once per reason, and says running once it lists', async () => {
    const model = new JobsModel();
    const logged: string[] = [];
    let target: Target = local;
    const refresh = new JobsRefresh(model, {
      shown: () => shownTargets('local', 'selected'),
      target: () => target,
      onDidChange: () => undefined,
      keepPolling: () => false,
      intervalMs: 60_000,
      onSelectedError: (kind, message) => logged.push(`${kind}: ${message}`),
    });
    try {
      const settle = async (n: number) => {
        const before = logged.length;
        refresh.kick();
        await until(() => model.snapshot('local') !== undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return logged.length - before === n;
      };
      assert.ok(await settle(1), 'the first failure is logged');
      assert.ok(await settle(0), 'the same failure again is not');
      assert.match(logged[0] ?? '', /^local: cannot reach the Docker engine at unix:\/\//);
      target = {
        listTrainingJobs: async () => [],
        listEndpoints: async () => [],
      } as unknown as Target;
      refresh.kick();
      await until(() => dockerState(model.snapshot('local')) === 'running');
      target = local;
      assert.ok(await settle(1), 'failing again after a success is logged again');
    } finally {
      refresh.dispose();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
