import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeJob } from '../../../src/cli/commands/jobs';
import { formatJobTimeCost, jobTimeCost } from '../../../src/core/jobs';
import { SageMakerTarget } from '../../../src/core/sagemaker/target';
import { jobDescription, jobTooltip } from '../../../src/extension/views/presentation';
import { StubClient } from './stubs';

// SageMaker reports the seconds a job's instances trained and the seconds it bills; with managed
// spot the gap is the saving. The job details, `tfod jobs <job>` and the jobs view show them.
const describeOutput = {
  TrainingJobName: 'pets-spot',
  TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/pets-spot',
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  CreationTime: new Date('2024-02-01T10:00:00Z'),
  TrainingStartTime: new Date('2024-02-01T10:05:00Z'),
  TrainingEndTime: new Date('2024-02-01T10:45:00Z'),
  ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
  OutputDataConfig: { S3OutputPath: 's3://my-bucket/output/' },
  StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
  EnableManagedSpotTraining: true,
  CheckpointConfig: {
    S3Uri: 's3://my-bucket/output/pets-spot/checkpoints/',
    LocalPath: '/opt/ml/checkpoints',
  },
  TensorBoardOutputConfig: {
    S3OutputPath: 's3://my-bucket/output/pets-spot/tensorboard/',
    LocalPath: '/opt/ml/output/tensorboard',
  },
  TrainingTimeInSeconds: 2400,
  BillableTimeInSeconds: 720,
  HyperParameters: { num_steps: '500' },
  AlgorithmSpecification: { TrainingImage: 'img', TrainingInputMode: 'File' },
  RoleArn: 'arn:aws:iam::123456789012:role/R',
};

async function describedSpotJob() {
  const sagemaker = new StubClient({ DescribeTrainingJob: () => describeOutput });
  const target = new SageMakerTarget({
    clients: {
      sagemaker: sagemaker.asSageMaker(),
      logs: new StubClient({}).asLogs(),
      runtime: new StubClient({}) as never,
      autoscaling: new StubClient({}).asAutoscaling(),
    },
  });
  return target.describeTrainingJob('pets-spot');
}

describe('billable vs training seconds', () => {
  it('the SageMaker target carries both times, spot, max wait, checkpoints and TensorBoard', async () => {
    const details = await describedSpotJob();
    assert.equal(details.trainingSeconds, 2400);
    assert.equal(details.billableSeconds, 720);
    assert.equal(details.spot, true);
    assert.equal(details.maxWaitSeconds, 7200);
    assert.equal(details.checkpointsPath, 's3://my-bucket/output/pets-spot/checkpoints/');
    assert.equal(details.tensorboardPath, 's3://my-bucket/output/pets-spot/tensorboard/');
  });

  it('computes spot savings as SageMaker does: (1 - billable / training) x 100', () => {
    assert.deepEqual(jobTimeCost({ trainingSeconds: 2400, billableSeconds: 720, spot: true }), {
      trainingSeconds: 2400,
      billableSeconds: 720,
      spotSavingsPercent: 70,
    });
    assert.deepEqual(jobTimeCost({ trainingSeconds: 100, billableSeconds: 100 }), {
      trainingSeconds: 100,
      billableSeconds: 100,
    });
    assert.equal(jobTimeCost({ trainingSeconds: 100 }), undefined, 'still running');
    assert.equal(
      jobTimeCost({ trainingSeconds: 0, billableSeconds: 0, spot: true })?.spotSavingsPercent,
      undefined,
      'no division by zero',
    );
    assert.equal(
      formatJobTimeCost({ trainingSeconds: 2400, billableSeconds: 720, spotSavingsPercent: 70 }),
      'billable 12m 00s of 40m 00s training (managed spot: 70% saved)',
    );
  });

  it('`tfod jobs <job>` prints the times, the cost line and where checkpoints and events went', async () => {
    const text = describeJob(await describedSpotJob(), new Date('2024-02-01T11:00:00Z'));
    const lines = text.trimEnd().split('\n');
    const value = (label: string) =>
      lines
        .find((line) => line.startsWith(`${label}:`))
        ?.slice(label.length + 1)
        .trim();
    assert.equal(value('Capacity'), 'managed spot');
    assert.equal(value('Max wait'), '2h 00m');
    assert.equal(value('Training time'), '2400 s');
    assert.equal(value('Billable time'), '720 s');
    assert.equal(value('Cost'), 'billable 12m 00s of 40m 00s training (managed spot: 70% saved)');
    assert.equal(value('Checkpoints'), 's3://my-bucket/output/pets-spot/checkpoints/');
    assert.equal(value('TensorBoard'), 's3://my-bucket/output/pets-spot/tensorboard/');
    assert.equal(
      lines.some((line) => line.startsWith('Failure:')),
      false,
    );
  });

  it('the jobs view: the savings in the description, both times in the tooltip', async () => {
    const details = await describedSpotJob();
    const now = new Date('2024-02-01T11:00:00Z');
    assert.match(jobDescription(details, details, now), / · spot −70%$/);
    const tooltip = jobTooltip(details, details, now);
    assert.match(tooltip, /Capacity: managed spot {2}\n/);
    assert.match(tooltip, /Training time: 40m 00s {2}\n/);
    assert.match(tooltip, /Billable time: 12m 00s \(managed spot: 70% saved\) {2}\n/);
    const onDemand = { ...details, spot: false, billableSeconds: 2400 };
    assert.doesNotMatch(jobDescription(onDemand, onDemand, now), /spot/);
    assert.match(jobTooltip(onDemand, onDemand, now), /Billable time: 40m 00s {2}\n/);
  });
});
