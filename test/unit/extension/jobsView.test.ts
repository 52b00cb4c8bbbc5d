import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  EndpointSummary,
  Target,
  TrainingJobDetails,
  TrainingJobSummary,
} from '../../../src/core/jobs';
import type { TargetKind } from '../../../src/core/target';
import {
  JobsModel,
  shownTargets,
  type JobsViewTargets,
} from '../../../src/extension/views/jobsModel';
import { JobsRefresh, UsedTargets } from '../../../src/extension/views/jobsRefresh';
import {
  endpointContextValue,
  endpointDescription,
  jobContextValue,
  jobDescription,
  jobLook,
  jobTooltip,
  targetGroupDescription,
  targetGroupTooltip,
} from '../../../src/extension/views/presentation';

const created = new Date('2024-01-31T10:00:00Z');
const now = new Date('2024-01-31T10:12:05Z');

function summary(
  name: string,
  status: TrainingJobSummary['status'],
  target: TargetKind = 'sagemaker',
): TrainingJobSummary {
  return {
    target,
    name,
    id: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
    status,
    creationTime: created,
  };
}

function details(
  job: TrainingJobSummary,
  extra: Partial<TrainingJobDetails> = {},
): TrainingJobDetails {
  return {
    ...job,
    hyperparameters: { num_steps: '100' },
    lastMetrics: {},
    statusHistory: [],
    ...extra,
  };
}

/** A Target that answers from lists and counts the calls (only what the view uses). */
function fakeTarget(
  jobs: TrainingJobSummary[],
  endpoints: EndpointSummary[],
  more: Record<string, Partial<TrainingJobDetails>> = {},
) {
  const calls = { list: 0, describe: [] as string[] };
  const target = {
    kind: 'sagemaker',
    listTrainingJobs: async () => (calls.list++, jobs),
    listEndpoints: async () => endpoints,
    describeTrainingJob: async (name: string) => {
      calls.describe.push(name);
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no ${name}`);
      return details(job, more[name]);
    },
  } as unknown as Target;
  return { target, calls };
}

/** The same target, its listing failing as it does without AWS credentials. */
function failing(target: Target): Target {
  return {
    ...target,
    listTrainingJobs: async () => Promise.reject(new Error('no AWS credentials found')),
  } as Target;
}

/** Shows `targets` and lists each (what the view's pollers do, all at once). */
async function listAll(
  model: JobsModel,
  targets: ReadonlyArray<{ kind: TargetKind; target: Target; selected?: boolean }>,
): Promise<boolean> {
  model.show(targets.map(({ kind, selected }, i) => ({ kind, selected: selected ?? i === 0 })));
  const active = await Promise.all(
    targets.map(({ kind, target }) => model.refreshTarget(kind, target)),
  );
  return active.some(Boolean);
}

const kinds = (model: JobsModel) => model.groups().map((g) => `${g.kind}${g.selected ? '*' : ''}`);

describe('the jobs view model', () => {
  it('says a job is in progress (so the view polls) and stops once everything has settled', async () => {
    const running = summary('a', 'InProgress');
    const { target, calls } = fakeTarget([running, summary('b', 'Completed')], []);
    const model = new JobsModel();
    assert.equal(await listAll(model, [{ kind: 'sagemaker', target }]), true);
    assert.equal(model.groups().length, 1);
    assert.deepEqual(
      model.jobs('sagemaker').map((j) => j.details?.status),
      ['InProgress', 'Completed'],
    );
    // An ended job is described once and kept; a running one every time.
    await listAll(model, [{ kind: 'sagemaker', target }]);
    assert.deepEqual(calls.describe.sort(), ['a', 'a', 'b']);
    const settled = fakeTarget(
      [summary('b', 'Completed')],
      [{ target: 'sagemaker', name: 'ep', id: 'arn:ep', status: 'InService' }],
    );
    assert.equal(await listAll(model, [{ kind: 'sagemaker', target: settled.target }]), false);
  });

  it('polls while an endpoint is Creating', async () => {
    const { target } = fakeTarget(
      [],
      [{ target: 'sagemaker', name: 'ep', id: 'arn:ep', status: 'Creating' }],
    );
    assert.equal(await listAll(new JobsModel(), [{ kind: 'sagemaker', target }]), true);
  });

  it('shows nothing when no target has jobs or endpoints (the welcome content stays)', async () => {
    const model = new JobsModel();
    await listAll(model, [
      { kind: 'local', target: fakeTarget([], []).target },
      { kind: 'sagemaker', target: fakeTarget([], []).target },
    ]);
    assert.deepEqual(model.groups(), []);
  });

  it('keeps the last lists and records the error when a refresh fails', async () => {
    const { target } = fakeTarget([summary('a', 'Completed')], []);
    const model = new JobsModel();
    await listAll(model, [{ kind: 'sagemaker', target }]);
    assert.equal(await listAll(model, [{ kind: 'sagemaker', target: failing(target) }]), false);
    const snapshot = model.snapshot('sagemaker');
    assert.equal(snapshot?.error, 'no AWS credentials found');
    assert.equal(snapshot?.jobs.length, 1);
  });

  it('forgets a target that is no longer shown, and drops a listing that settles after', async () => {
    const { target } = fakeTarget([summary('a', 'Completed')], []);
    const model = new JobsModel();
    await listAll(model, [{ kind: 'sagemaker', target }]);
    model.show([{ kind: 'local', selected: true }]);
    assert.deepEqual(model.groups(), []);
    assert.equal(model.snapshot('sagemaker'), undefined);
    assert.equal(await model.refreshTarget('sagemaker', target), false);
    assert.equal(model.snapshot('sagemaker'), undefined);
  });
});

describe('the jobs view grouped by target', () => {
  const localJob = summary('train-local', 'Completed', 'local');
  const cloudJob = summary('train-cloud', 'Completed');

  it('lists the selected target first, then the others, or only the selected one', () => {
    assert.deepEqual(shownTargets('local', 'all'), [
      { kind: 'local', selected: true },
      { kind: 'sagemaker', selected: false },
    ]);
    assert.deepEqual(shownTargets('sagemaker', 'all'), [
      { kind: 'sagemaker', selected: true },
      { kind: 'local', selected: false },
    ]);
    assert.deepEqual(shownTargets('sagemaker', 'selected'), [
      { kind: 'sagemaker', selected: true },
    ]);
  });

  it('lists another target only when it is listable (SageMaker once used in the workspace)', () => {
    assert.deepEqual(shownTargets('local', 'all', ['local']), [{ kind: 'local', selected: true }]);
    assert.deepEqual(shownTargets('local', 'all', ['local', 'sagemaker']), [
      { kind: 'local', selected: true },
      { kind: 'sagemaker', selected: false },
    ]);
    // The selected target is listed whatever the list says.
    assert.deepEqual(shownTargets('sagemaker', 'all', ['local']), [
      { kind: 'sagemaker', selected: true },
      { kind: 'local', selected: false },
    ]);
  });

  it('shows both groups, the selected one first, when both targets have jobs', async () => {
    const local = fakeTarget([localJob], []).target;
    const sagemaker = fakeTarget([cloudJob], []).target;
    const model = new JobsModel();
    // The order of the listings settling does not matter; the selection does.
    await listAll(model, [
      { kind: 'local', target: local, selected: false },
      { kind: 'sagemaker', target: sagemaker, selected: true },
    ]);
    assert.deepEqual(kinds(model), ['sagemaker*', 'local']);
    assert.deepEqual(
      model.jobs('local').map((j) => j.summary.name),
      ['train-local'],
    );
    await listAll(model, [
      { kind: 'local', target: local, selected: true },
      { kind: 'sagemaker', target: sagemaker, selected: false },
    ]);
    assert.deepEqual(kinds(model), ['local*', 'sagemaker']);
  });

  it('hides another target with nothing on it', async () => {
    const model = new JobsModel();
    await listAll(model, [
      { kind: 'local', target: fakeTarget([localJob], []).target },
      { kind: 'sagemaker', target: fakeTarget([], []).target },
    ]);
    assert.deepEqual(kinds(model), ['local*']);
  });

  it('shows the selected group first even when only another target has something', async () => {
    const model = new JobsModel();
    const endpoint: EndpointSummary = {
      target: 'local',
      name: 'served',
      id: '/ws/.tfod/endpoints/served',
      status: 'InService',
      url: 'http://127.0.0.1:8080',
    };
    await listAll(model, [
      { kind: 'sagemaker', target: fakeTarget([], []).target },
      { kind: 'local', target: fakeTarget([], [endpoint]).target },
    ]);
    assert.deepEqual(kinds(model), ['sagemaker*', 'local']);
    const [selected, other] = model.groups();
    assert.ok(selected && other);
    assert.equal(targetGroupDescription(selected), 'selected · 0 training jobs');
    assert.equal(targetGroupDescription(other), '0 training jobs');
    assert.equal(model.snapshot('local')?.endpoints[0]?.url, 'http://127.0.0.1:8080');
  });

  it("never shows another target's error (no AWS credentials), and shows the selected one's", async () => {
    const sagemaker = failing(fakeTarget([], []).target);
    const model = new JobsModel();
    await listAll(model, [
      { kind: 'local', target: fakeTarget([], []).target },
      { kind: 'sagemaker', target: sagemaker },
    ]);
    assert.deepEqual(model.groups(), []);
    assert.equal(model.snapshot('sagemaker')?.error, 'no AWS credentials found');
    await listAll(model, [
      { kind: 'local', target: fakeTarget([localJob], []).target },
      { kind: 'sagemaker', target: sagemaker },
    ]);
    assert.deepEqual(kinds(model), ['local*']);
    // Selected, the same failure is the group's "Cannot list jobs" row, as with one target.
    await listAll(model, [
      { kind: 'sagemaker', target: sagemaker },
      { kind: 'local', target: fakeTarget([localJob], []).target },
    ]);
    assert.deepEqual(kinds(model), ['sagemaker*', 'local']);
    assert.equal(model.groups()[0]?.snapshot?.error, 'no AWS credentials found');
  });

  it('keeps showing another target whose jobs it listed before, with the error beside them', async () => {
    const { target } = fakeTarget([cloudJob], []);
    const model = new JobsModel();
    const local = fakeTarget([localJob], []).target;
    await listAll(model, [
      { kind: 'local', target: local },
      { kind: 'sagemaker', target },
    ]);
    await listAll(model, [
      { kind: 'local', target: local },
      { kind: 'sagemaker', target: failing(target) },
    ]);
    assert.deepEqual(kinds(model), ['local*', 'sagemaker']);
    assert.equal(model.snapshot('sagemaker')?.jobs.length, 1);
    assert.equal(model.snapshot('sagemaker')?.error, 'no AWS credentials found');
  });

  it('has nothing to show for a target that is not there (local without a workspace folder)', async () => {
    const model = new JobsModel();
    model.show(shownTargets('local', 'all'));
    assert.equal(await model.refreshTarget('local', undefined), false);
    await model.refreshTarget('sagemaker', fakeTarget([cloudJob], []).target);
    assert.deepEqual(kinds(model), ['local*', 'sagemaker']);
    assert.equal(model.snapshot('local')?.error, undefined);
  });
});

/** A target whose listing waits until `release()` (SageMaker resolving credentials). */
function slowTarget(jobs: TrainingJobSummary[]) {
  const fake = fakeTarget(jobs, []);
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const target = {
    ...fake.target,
    listTrainingJobs: async () => {
      await gate;
      return fake.target.listTrainingJobs({});
    },
  } as Target;
  return { target, calls: fake.calls, release };
}

async function until(what: string, check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('refreshing the jobs view target by target', () => {
  function setup(
    mode: JobsViewTargets,
    targets: Partial<Record<TargetKind, Target>>,
    intervalMs = 60_000,
  ) {
    const model = new JobsModel();
    const built: TargetKind[] = [];
    const unselectedErrors: string[] = [];
    let renders = 0;
    const refresh = new JobsRefresh(model, {
      shown: () => shownTargets('local', mode),
      target: (kind) => (built.push(kind), targets[kind]),
      onDidChange: () => renders++,
      keepPolling: () => true,
      intervalMs,
      onUnselectedError: (kind, message) => unselectedErrors.push(`${kind}: ${message}`),
    });
    return { model, refresh, built, unselectedErrors, renders: () => renders };
  }

  it('renders the selected group without waiting for a slow other target, even on a later kick', async () => {
    let localJobs = [summary('first', 'Completed', 'local')];
    const local = {
      ...fakeTarget([], []).target,
      listTrainingJobs: async () => localJobs,
      describeTrainingJob: async (name: string) =>
        details(localJobs.find((j) => j.name === name) ?? summary(name, 'Completed', 'local')),
    } as Target;
    const sagemaker = slowTarget([summary('cloud', 'Completed')]);
    const { model, refresh } = setup('all', { local, sagemaker: sagemaker.target });
    try {
      refresh.kick();
      await until('the local group', () => model.jobs('local').length === 1);
      assert.deepEqual(kinds(model), ['local*']);
      assert.equal(model.snapshot('sagemaker'), undefined, 'SageMaker is still listing');
      // A job started locally while SageMaker is still in flight shows at once.
      localJobs = [summary('second', 'InProgress', 'local'), ...localJobs];
      refresh.kick();
      await until('the second local job', () => model.jobs('local').length === 2);
      assert.equal(model.snapshot('sagemaker'), undefined, 'SageMaker is still listing');
      sagemaker.release();
      await until('the SageMaker group', () => model.groups().length === 2);
      assert.deepEqual(kinds(model), ['local*', 'sagemaker']);
    } finally {
      refresh.dispose();
    }
  });

  it('with `selected`, never builds or lists another target', async () => {
    const sagemaker = fakeTarget([summary('cloud', 'Completed')], []);
    const { model, refresh, built } = setup('selected', {
      local: fakeTarget([summary('a', 'Completed', 'local')], []).target,
      sagemaker: sagemaker.target,
    });
    try {
      refresh.kick();
      await until('the local group', () => model.groups().length === 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(built, ['local']);
      assert.equal(sagemaker.calls.list, 0);
      assert.deepEqual(kinds(model), ['local*']);
    } finally {
      refresh.dispose();
    }
  });

  it('hides a group at once when the setting narrows the view', async () => {
    let mode: JobsViewTargets = 'all';
    const model = new JobsModel();
    const refresh = new JobsRefresh(model, {
      shown: () => shownTargets('local', mode),
      target: (kind) =>
        kind === 'local'
          ? fakeTarget([summary('a', 'Completed', 'local')], []).target
          : slowTarget([]).target,
      onDidChange: () => undefined,
      keepPolling: () => true,
      intervalMs: 60_000,
    });
    try {
      const sagemaker = fakeTarget([summary('cloud', 'Completed')], []).target;
      model.show(shownTargets('local', 'all'));
      await model.refreshTarget('sagemaker', sagemaker);
      refresh.kick();
      await until('the local group', () => model.jobs('local').length === 1);
      assert.deepEqual(kinds(model), ['local*', 'sagemaker']);
      mode = 'selected';
      refresh.kick();
      assert.deepEqual(kinds(model), ['local*'], 'before any listing settles');
    } finally {
      refresh.dispose();
    }
  });

  it('polls only the target with something in progress, and logs only the unselected failure', async () => {
    const local = fakeTarget([summary('done', 'Completed', 'local')], []);
    const sagemaker = fakeTarget([summary('running', 'InProgress')], []);
    const { refresh, unselectedErrors } = setup(
      'all',
      { local: local.target, sagemaker: sagemaker.target },
      1,
    );
    try {
      refresh.kick();
      await until('three SageMaker polls', () => sagemaker.calls.list >= 3);
      assert.equal(local.calls.list, 1, 'the settled local target is listed once');
      assert.deepEqual(unselectedErrors, []);
    } finally {
      refresh.dispose();
    }
    const failingSetup = setup('all', {
      local: failing(local.target),
      sagemaker: failing(sagemaker.target),
    });
    try {
      failingSetup.refresh.kick();
      await until(
        'the selected target failing',
        () => failingSetup.model.snapshot('local')?.error !== undefined,
      );
      await until('the SageMaker failure', () => failingSetup.unselectedErrors.length === 1);
      assert.deepEqual(failingSetup.unselectedErrors, ['sagemaker: no AWS credentials found']);
      assert.deepEqual(kinds(failingSetup.model), ['local*']);
      assert.ok(failingSetup.renders() >= 3, 'a render per kick and per settled listing');
    } finally {
      failingSetup.refresh.dispose();
    }
  });
});

describe('what a job and an endpoint look like in the tree', () => {
  it('describes a job by secondary status, elapsed time and its loss', () => {
    const job = { ...summary('a', 'InProgress'), secondaryStatus: 'Training' };
    assert.equal(jobDescription(job, undefined, now), 'Training · 12m 05s');
    const withMetrics = details(job, {
      lastMetrics: { learning_rate: 0.004, total_loss: 0.41234 },
    });
    assert.equal(jobDescription(job, withMetrics, now), 'Training · 12m 05s · total_loss 0.4123');
  });

  it("marks the selected target's group, counts its jobs, and says why another group shows", () => {
    const snapshot = { kind: 'local' as const, jobs: [], endpoints: [] };
    assert.equal(targetGroupDescription({ kind: 'local', selected: true }), 'selected · listing…');
    assert.equal(
      targetGroupDescription({
        kind: 'local',
        selected: true,
        snapshot: { ...snapshot, jobs: [{ summary: summary('a', 'Completed', 'local') }] },
      }),
      'selected · 1 training job',
    );
    assert.equal(
      targetGroupDescription({ kind: 'sagemaker', selected: false, snapshot }),
      '0 training jobs',
    );
    assert.match(
      targetGroupTooltip({ kind: 'local', selected: true }),
      /^Local \(Docker\): the selected target/,
    );
    assert.match(
      targetGroupTooltip({ kind: 'sagemaker', selected: false }),
      /^Amazon SageMaker: not the selected target.*tfod\.jobs\.targets/,
    );
  });

  it('gives every status its own icon, spinning while it runs', () => {
    assert.equal(jobLook('InProgress').icon, 'sync~spin');
    assert.equal(jobLook('Completed').icon, 'pass');
    assert.equal(jobLook('Failed').icon, 'error');
    assert.equal(jobLook('Stopped').icon, 'circle-slash');
    assert.notEqual(jobLook('Completed').color, jobLook('Failed').color);
  });

  it('puts the failure reason and model in the tooltip', () => {
    const failed = summary('f', 'Failed');
    const text = jobTooltip(
      failed,
      details(failed, { failureReason: 'AlgorithmError: no TFRecords' }),
      now,
    );
    assert.match(text, /\*\*Failure:\*\* AlgorithmError: no TFRecords/);
    assert.match(text, /training-job\/f/);
  });

  it('sets the flags the menus match: stop only while running, deploy only when completed', () => {
    assert.equal(jobContextValue(summary('a', 'InProgress')), 'job sagemaker active stoppable');
    const done = summary('b', 'Completed');
    assert.equal(
      jobContextValue(
        done,
        details(done, { modelArtifacts: 's3://my-bucket/output/model.tar.gz' }),
      ),
      'job sagemaker ended completed hasModel',
    );
    const menu = /^job\b.*\bstoppable\b/;
    assert.ok(menu.test(jobContextValue(summary('a', 'InProgress'))));
    assert.ok(!menu.test(jobContextValue(done)));
    const endpoint: EndpointSummary = {
      target: 'sagemaker',
      name: 'ep',
      id: 'arn',
      status: 'Deleting',
    };
    assert.equal(endpointContextValue(endpoint), 'endpoint sagemaker active');
    assert.equal(
      endpointDescription({
        ...endpoint,
        status: 'InService',
        instanceType: 'ml.m5.large',
        instanceCount: 2,
      }),
      'InService · 2 × ml.m5.large',
    );
  });
});

describe('the targets a workspace has used (jobs view)', () => {
  /** A workspaceState in memory, counting its writes. */
  function memory(initial: Record<string, unknown> = {}) {
    const values = new Map(Object.entries(initial));
    let writes = 0;
    return {
      get: <T>(key: string, fallback: T): T =>
        values.has(key) ? (values.get(key) as T) : fallback,
      update: async (key: string, value: unknown) => {
        writes++;
        values.set(key, value);
      },
      values,
      writes: () => writes,
    };
  }

  it('lists only local beside a local selection until SageMaker has been selected here', () => {
    const state = memory();
    const used = new UsedTargets(state);
    assert.deepEqual(used.listable('local'), ['local']);
    assert.deepEqual(used.listable('sagemaker'), ['local', 'sagemaker']);
    // Back on local, SageMaker stays listed: this workspace has used it.
    assert.deepEqual(used.listable('local'), ['local', 'sagemaker']);
    assert.deepEqual(state.values.get(UsedTargets.KEY), ['local', 'sagemaker']);
    assert.equal(state.writes(), 2, 'written when something new is remembered only');
  });

  it('remembers across windows, and ignores what is not a target', () => {
    const state = memory({ [UsedTargets.KEY]: ['sagemaker', 'azure', 7] });
    assert.deepEqual(new UsedTargets(state).listable('local'), ['local', 'sagemaker']);
    assert.deepEqual(new UsedTargets(memory({ [UsedTargets.KEY]: 'junk' })).listable('local'), [
      'local',
    ]);
  });
});
