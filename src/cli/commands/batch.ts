import { Option, type Command } from 'commander';
import {
  formatSummary,
  runLocalBatch,
  PARTIAL_RESULTS_FILE,
  type BatchSummary,
} from '../../core/batch';
import { CancelledError, UserError } from '../../core/errors';
import { labelMapNames } from '../../core/preview/sources';
import { createS3Client } from '../../core/s3';
import { runTransformBatch, SageMakerTarget } from '../../core/sagemaker';
import { DEFAULT_TARGET, parseTarget, type TargetKind } from '../../core/target';
import { DEFAULT_SCORE_THRESHOLD, type BackendChoice } from '../../detection';
import { backendOption, loadModelArgument, parseThreshold } from './predict';
import { awsSession, integer, interruptible, output } from './targetOptions';

interface BatchFlags {
  readonly input: string;
  readonly output: string;
  readonly target?: TargetKind;
  readonly awsProfile?: string;
  readonly region?: string;
  readonly instanceType: string;
  readonly threshold: number;
  readonly recursive?: boolean;
  readonly labelMap?: string;
  readonly json?: boolean;
  readonly backend?: BackendChoice;
  readonly poll: number;
}

/** The default instance of a transform job: CPU, like the endpoints' default. */
export const DEFAULT_TRANSFORM_INSTANCE_TYPE = 'ml.m5.large';

/**
 * `tfod batch <job|model> --input <folder|s3-prefix> --output <folder|s3-prefix>`: every image
 * through the model, one JSON line each in results.jsonl and the counts in summary.json; on this
 * machine by default, as a SageMaker transform job with --target sagemaker or an s3:// input.
 */
export function register(program: Command): void {
  program
    .command('batch')
    .description(
      'Detect objects in many images: a folder on this machine (the model runs here), or an S3 prefix through a SageMaker transform job',
    )
    .argument(
      '<job|model>',
      "a training job's name on --target, or (on this machine) a model folder, model.tar.gz or its s3:// URI",
    )
    .requiredOption('-i, --input <folder|s3-prefix>', 'the images (JPEG, PNG)')
    .requiredOption(
      '-o, --output <folder|s3-prefix>',
      'where results.jsonl and summary.json go (a transform job also writes <image>.out there)',
    )
    .addOption(
      new Option(
        '-t, --target <target>',
        'local: the model runs here; sagemaker: a transform job (default: sagemaker for an s3:// input, else local)',
      ).argParser((value: string) => parseTarget(value, '--target')),
    )
    .option('--aws-profile <name>', 'AWS profile (default: the SDK chain, AWS_PROFILE)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile’s)')
    .option(
      '--instance-type <type>',
      'transform job instance type (sagemaker)',
      DEFAULT_TRANSFORM_INSTANCE_TYPE,
    )
    .option(
      '--threshold <n>',
      `minimum confidence, 0 to 1 (a transform job: at least the serve's ${DEFAULT_SCORE_THRESHOLD})`,
      parseThreshold,
      DEFAULT_SCORE_THRESHOLD,
    )
    .option('-r, --recursive', 'also the images in subfolders (a local folder)')
    .option('--label-map <file>', 'class names for the summary (default: the model’s own)')
    .option('--json', 'print the summary as JSON')
    .option('--poll <seconds>', 'seconds between transform job checks', integer('--poll'), 15)
    .addOption(backendOption(program))
    .action(async (model: string, flags: BatchFlags, command: Command) => {
      const { out, err } = output(command);
      const target = flags.target ?? (/^s3:\/\//i.test(flags.input) ? 'sagemaker' : DEFAULT_TARGET);
      const summary =
        target === 'sagemaker'
          ? await onSageMaker(model, flags, err)
          : await onThisMachine(model, flags, err);
      out(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
      if (summary.failed > 0)
        throw new UserError(
          `${summary.failed} of ${summary.images} images could not be used`,
          'Their lines in results.jsonl say why',
        );
    });
}

async function onThisMachine(
  model: string,
  flags: BatchFlags,
  err: (text: string) => void,
): Promise<BatchSummary> {
  if (/^s3:\/\//i.test(flags.input) || /^s3:\/\//i.test(flags.output))
    throw new UserError(
      'on this machine (--target local) the input and output are folders',
      'Use --target sagemaker for S3 prefixes, or download the images first',
    );
  const { detector, close } = await loadModelArgument(model, {
    target: 'local',
    ...(flags.awsProfile ? { awsProfile: flags.awsProfile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.backend ? { backend: flags.backend } : {}),
  });
  try {
    const labelMap = flags.labelMap ?? detector.folder.labelMapPath;
    const names = labelMap ? await labelMapNames(labelMap) : undefined;
    let lastProgress = 0;
    const result = await interruptible(async (signal) => {
      try {
        return await runLocalBatch({
          input: flags.input,
          output: flags.output,
          recursive: flags.recursive ?? false,
          model,
          threshold: flags.threshold,
          detect: (image) => detector.detect(image, { threshold: flags.threshold }),
          ...(names ? { names } : {}),
          signal,
          onProgress: (done, total, failed) => {
            // At most a line a second: a batch of thousands should not scroll its summary away.
            if (done < total && Date.now() - lastProgress < 1000) return;
            lastProgress = Date.now();
            err(`${done} of ${total} images${failed ? ` (${failed} failed)` : ''}\n`);
          },
        });
      } catch (error) {
        if (signal.aborted || error instanceof CancelledError)
          err(`tfod: what was done is kept as ${PARTIAL_RESULTS_FILE}; it is not complete\n`);
        throw error;
      }
    });
    err(`Results: ${result.resultsPath}\n`);
    return result.summary;
  } finally {
    close();
  }
}

async function onSageMaker(
  job: string,
  flags: BatchFlags,
  err: (text: string) => void,
): Promise<BatchSummary> {
  if (!/^s3:\/\//i.test(flags.input) || !/^s3:\/\//i.test(flags.output))
    throw new UserError(
      'a transform job reads its images from S3 and writes its results there: --input and --output must be s3:// prefixes',
      'Upload the images to S3 first, or run on this machine with --target local',
    );
  const session = awsSession(flags);
  const target = new SageMakerTarget({ session });
  const s3 = createS3Client(session);
  try {
    const details = await target.describeTrainingJob(job);
    const names = flags.labelMap ? await labelMapNames(flags.labelMap) : undefined;
    const result = await interruptible((signal) =>
      runTransformBatch(
        { sagemaker: target.clients.sagemaker, s3 },
        details,
        {
          input: flags.input,
          output: flags.output,
          instanceType: flags.instanceType,
          threshold: flags.threshold,
        },
        {
          signal,
          pollIntervalMs: flags.poll * 1000,
          ...(names ? { names } : {}),
          onProgress: (p) => err(`${p.message}\n`),
        },
      ),
    );
    err(`Results: ${result.resultsUri}\n`);
    if (result.status !== 'Completed')
      err(
        `tfod: transform job ${result.transformJob} ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''}\n`,
      );
    return result.summary;
  } finally {
    s3.destroy();
    target.dispose();
  }
}
