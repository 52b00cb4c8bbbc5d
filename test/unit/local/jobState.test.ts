import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FAILURE_REASON_LIMIT,
  finishedStatus,
  isFinal,
  lostStatus,
  MAX_RUNTIME_REASON,
  outcomeOf,
  parseStatusRecord,
  startingStatus,
  stoppingStatus,
  toDetails,
  trainingStarted,
  uploadingStatus,
  type JobRecord,
} from '../../../src/core/local/jobState';

// A local job's status follows SageMaker's: InProgress (Starting, Training, Uploading) then
// Completed, Failed or Stopped (through Stopping), with the same secondary-status history.

const t = (seconds: number) => new Date(Date.UTC(2024, 0, 31, 12, 0, seconds));

const job: JobRecord = {
  name: 'j',
  image: 'tfod:2.9.1',
  instanceType: 'local',
  instanceCount: 1,
  volumeSizeGb: 30,
  maxRuntimeSeconds: 3600,
  outputPath: '/ws/.tfod/jobs',
  hyperparameters: { num_steps: '100' },
  channels: { training: '/data' },
  gpu: false,
  containerName: 'tfod-train-x-j',
  creationTime: t(0).toISOString(),
};

describe('local job status transitions', () => {
  it('Starting -> Training -> Uploading -> Completed, each step closing the one before', () => {
    const starting = startingStatus(t(0));
    assert.equal(starting.status, 'InProgress');
    assert.equal(starting.secondaryStatus, 'Starting');
    const training = trainingStarted(starting, t(2), 'abc');
    assert.equal(training.containerId, 'abc');
    assert.equal(training.trainingStartTime, t(2).toISOString());
    const uploading = uploadingStatus(training, t(10));
    const done = finishedStatus(uploading, { status: 'Completed' }, t(11), {
      exitCode: 0,
      modelArtifacts: '/ws/.tfod/jobs/j/output/model.tar.gz',
      finalMetrics: { total_loss: 0.5 },
    });
    assert.equal(done.status, 'Completed');
    assert.equal(done.trainingEndTime, t(11).toISOString());
    assert.equal(done.lastModifiedTime, t(11).toISOString());
    assert.deepEqual(
      done.statusHistory.map((e) => [e.status, e.startTime, e.endTime]),
      [
        ['Starting', t(0).toISOString(), t(2).toISOString()],
        ['Training', t(2).toISOString(), t(10).toISOString()],
        ['Uploading', t(10).toISOString(), t(11).toISOString()],
        ['Completed', t(11).toISOString(), t(11).toISOString()],
      ],
    );
    assert.ok(isFinal(done));
    assert.ok(!isFinal(uploading));

    const details = toDetails('/ws/.tfod/jobs/j', job, done);
    assert.equal(details.target, 'local');
    assert.equal(details.modelArtifacts, '/ws/.tfod/jobs/j/output/model.tar.gz');
    assert.deepEqual(details.lastMetrics, { total_loss: 0.5 });
    assert.equal(details.statusHistory[1]?.endTime?.getTime(), t(10).getTime());
    assert.equal(details.failureReason, undefined);
  });

  it('Stop: Stopping, then Stopped whatever the exit code', () => {
    const stopping = stoppingStatus(trainingStarted(startingStatus(t(0)), t(1), 'c'), t(5));
    assert.equal(stopping.status, 'Stopping');
    assert.equal(stopping.stopRequested, true);
    for (const exitCode of [0, 1, 143, 137]) {
      const outcome = outcomeOf({ exitCode }, stopping, 'Training was stopped');
      assert.deepEqual(outcome, { status: 'Stopped', secondaryStatus: 'Stopped' });
    }
    const stopped = finishedStatus(
      stopping,
      outcomeOf({ exitCode: 143 }, stopping, undefined),
      t(6),
    );
    assert.equal(stopped.status, 'Stopped');
    assert.equal(stopped.failureReason, undefined);
    assert.deepEqual(
      stopped.statusHistory.map((e) => e.status),
      ['Starting', 'Training', 'Stopping', 'Stopped'],
    );
  });

  it('a job past its maximum runtime ends Stopped / MaxRuntimeExceeded', () => {
    const stopping = stoppingStatus(startingStatus(t(0)), t(5), MAX_RUNTIME_REASON);
    const outcome = outcomeOf({ exitCode: 143 }, stopping, undefined);
    assert.deepEqual(outcome, { status: 'Stopped', secondaryStatus: 'MaxRuntimeExceeded' });
    assert.equal(finishedStatus(stopping, outcome, t(6)).secondaryStatus, 'MaxRuntimeExceeded');
  });

  it('Failed carries the failure file, cut at 1024 characters as SageMaker does', () => {
    const record = startingStatus(t(0));
    assert.deepEqual(outcomeOf({ exitCode: 0 }, record, undefined), { status: 'Completed' });
    assert.deepEqual(outcomeOf({ exitCode: 1 }, record, 'Invalid hyperparameter: x\nmore\n'), {
      status: 'Failed',
      reason: 'Invalid hyperparameter: x\nmore',
    });
    const long = outcomeOf({ exitCode: 1 }, record, 'x'.repeat(5000));
    assert.equal(long.status === 'Failed' && long.reason.length, FAILURE_REASON_LIMIT);
    const failed = finishedStatus(
      record,
      outcomeOf({ exitCode: 1 }, record, 'Boom\ndetails'),
      t(3),
      {
        exitCode: 1,
      },
    );
    assert.equal(failed.failureReason, 'Boom\ndetails');
    assert.equal(failed.exitCode, 1);
    assert.equal(failed.statusHistory.at(-1)?.message, 'Boom');
  });

  it('without a failure file, says what Docker knows and the last log lines', () => {
    const record = startingStatus(t(0));
    const oom = outcomeOf({ exitCode: 137, oomKilled: true }, record, undefined);
    assert.match(oom.status === 'Failed' ? oom.reason : '', /ran out of memory/);
    const plain = outcomeOf({ exitCode: 2 }, record, '  \n', ['a', 'b']);
    assert.equal(
      plain.status === 'Failed' && plain.reason,
      'The training container exited with code 2 and wrote no /opt/ml/output/failure; last log lines: a | b',
    );
  });

  it('a job whose container vanished is Failed and says where its files are', () => {
    const lost = lostStatus(
      trainingStarted(startingStatus(t(0)), t(1), 'c'),
      t(9),
      '/ws/.tfod/jobs/j',
    );
    assert.equal(lost.status, 'Failed');
    assert.match(lost.failureReason ?? '', /container is gone.*\/ws\/\.tfod\/jobs\/j/);
  });

  it('reads status.json leniently and refuses what is not one', () => {
    const record = trainingStarted(startingStatus(t(0)), t(1), 'c');
    assert.deepEqual(parseStatusRecord(JSON.stringify(record)), record);
    assert.equal(parseStatusRecord('{"status": "Running"}'), undefined);
    assert.equal(parseStatusRecord('not json'), undefined);
    assert.equal(parseStatusRecord('null'), undefined);
  });
});
