import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import { rmSync } from 'node:fs';
import { CancelledError, UserError } from '../../core/errors';
import {
  buildReport,
  CocoResultsFile,
  evaluateRecords,
  reportJson,
  type RecordsEvaluation,
} from '../../core/evaluation';
import {
  labelMapNames,
  sagemakerSource,
  urlSource,
  type PredictionSource,
} from '../../core/preview/sources';
import { DEFAULT_TARGET, parseTarget, type TargetKind } from '../../core/target';
import { expandRecordPath } from '../../core/records';
import {
  DEFAULT_SCORE_THRESHOLD,
  isThreshold,
  type BackendChoice,
  type Prediction,
  type RgbaImage,
} from '../../detection';
import { SUMMARY_KEYS } from '../../detection/evaluation';
import { register as registerCompare } from './evaluateCompare';
import { backendOption, loadModelArgument } from './predict';
import { integer, interruptible, openTarget, output, table } from './targetOptions';

interface EvaluateOptions {
  readonly model?: string;
  readonly endpoint?: string;
  readonly target: TargetKind;
  readonly awsProfile?: string;
  readonly region?: string;
  readonly concurrency?: number;
  readonly data?: string[];
  readonly json?: boolean;
  readonly detectionsOut?: string;
  readonly threshold: number;
  readonly labelMap?: string;
  readonly backend?: BackendChoice;
}

/** pycocotools' summary lines, in its order and words. */
const SUMMARY_LINES: Record<(typeof SUMMARY_KEYS)[number], string> = {
  AP: 'Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  AP50: 'Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]',
  AP75: 'Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]',
  APs: 'Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  APm: 'Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  APl: 'Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
  AR1: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]',
  AR10: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]',
  AR100: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  ARs: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  ARm: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  ARl: 'Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
};

/** The most problems printed one by one; the rest are counted. */
const MAX_PROBLEM_LINES = 20;

/**
 * `tfod evaluate --model <dir|model.tar.gz> | --endpoint <name|url> --data <records...>`: the model
 * run in this process (or an endpoint, several images in flight) over validation TFRecords, the COCO metrics (pycocotools' numbers), per class, PR curves and a
 * confusion matrix at --threshold.
 */
export function register(program: Command): void {
  const evaluate = program
    .command('evaluate')
    .description(
      'Run a model (here, or through an endpoint) over validation TFRecords and print the COCO metrics (as pycocotools computes them), per class, and a confusion matrix',
    )
    .option(
      '-m, --model <dir|model.tar.gz|job|s3-uri>',
      "model folder (model.json or tfjs/model.json for TensorFlow.js, saved_model.pb), a training job's model.tar.gz or its s3:// URI (downloaded), or a training job's name on --target",
    )
    // Required, but checked in the action: commander checks an ancestor's required options for
    // its subcommands too, and `evaluate compare` reads no records.
    .option(
      '-d, --data <records...>',
      'TFRecord files of tf.Example records with the Object Detection API keys; shard names and globs are expanded',
    )
    .option(
      '--json',
      'print JSON: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl, per class, curves, confusion',
    )
    .option('--detections-out <file>', 'also write every detection as a COCO results file (pixels)')
    .option(
      '-t, --threshold <n>',
      'score a detection needs to count in the confusion matrix, 0 to 1',
      parseThreshold,
      DEFAULT_SCORE_THRESHOLD,
    )
    .option(
      '-e, --endpoint <name|url>',
      'an endpoint instead of --model: http://127.0.0.1:<port> of a local one, or a name on --target',
    )
    .addOption(
      new Option('--target <target>', 'where a named endpoint runs (local or sagemaker)')
        .default(DEFAULT_TARGET)
        .argParser((value: string) => parseTarget(value, '--target')),
    )
    .option('--aws-profile <name>', 'AWS profile for a SageMaker endpoint')
    .option('--region <region>', 'AWS region for a SageMaker endpoint')
    .option(
      '-c, --concurrency <n>',
      'images in flight at once (default: 4 through an endpoint, 1 for a model run here)',
      integer('--concurrency'),
    )
    .option('--label-map <file>', "classes evaluated and their names (default: the model folder's)")
    .addOption(backendOption(program))
    .action(async (options: EvaluateOptions, command: Command) => {
      const { out, err } = output(command);
      if (!options.data)
        command.error("error: required option '-d, --data <records...>' not specified", {
          code: 'commander.missingMandatoryOptionValue',
        });
      if (Boolean(options.model) === Boolean(options.endpoint))
        throw new UserError(
          'give either --model <dir|model.tar.gz> or --endpoint <name|url>',
          'A model runs in this process; an endpoint is asked over HTTP or InvokeEndpoint',
        );
      const files = await recordFiles(options.data);
      const source = options.model ?? options.endpoint ?? '';
      let problems = 0;
      let done = 0;
      let total = 0;
      const progress = process.stderr.isTTY === true && !options.json;
      try {
        const runner = options.model
          ? await modelRunner(options.model, options)
          : await endpointRunner(options.endpoint ?? '', options);
        try {
          const names = runner.names;
          const results = options.detectionsOut
            ? await CocoResultsFile.create(options.detectionsOut)
            : undefined;
          const started = performance.now();
          let evaluation: RecordsEvaluation;
          try {
            evaluation = await interruptible((signal) =>
              evaluateRecords({
                files,
                detect: runner.detect,
                concurrency: options.concurrency ?? (options.model ? 1 : 4),
                ...(names ? { categoryIds: names.keys() } : {}),
                threshold: options.threshold,
                signal,
                onProgress: (n, of) => {
                  done = n;
                  total = of;
                  if (progress) err(`\revaluating: ${n} of ${of} images`);
                },
                ...(results ? { onImage: (image) => results.add(image) } : {}),
                onProblem: (message) => {
                  if (++problems <= MAX_PROBLEM_LINES) err(`tfod: warning: ${message}\n`);
                },
              }),
            );
          } catch (error) {
            if (results) {
              await results.close().catch(() => undefined);
              rmSync(results.path, { force: true });
            }
            throw error;
          }
          await results?.close();
          if (progress) err('\n');
          if (problems > MAX_PROBLEM_LINES)
            err(`tfod: warning: ${problems - MAX_PROBLEM_LINES} more problems not shown\n`);
          const seconds = (performance.now() - started) / 1000;
          out(
            options.json
              ? reportJson(
                  buildReport(evaluation, {
                    model: source,
                    records: files,
                    threshold: options.threshold,
                    names,
                  }),
                )
              : formatReport(evaluation, names, source, seconds),
          );
          if (evaluation.skipped > 0)
            throw new UserError(
              `${evaluation.skipped} records could not be used and are left out of the metrics`,
              'See the warnings above',
            );
        } finally {
          runner.close();
        }
      } catch (error) {
        if (error instanceof CancelledError) {
          if (progress) err('\n');
          err(`tfod: evaluation cancelled after ${done} of ${total || '?'} images\n`);
          throw new CommanderError(130, 'tfod.cancelled', 'cancelled');
        }
        throw error;
      }
    });
  registerCompare(evaluate);
}

/** What evaluation runs: detections for a decoded image (or its file, for an endpoint). */
interface Runner {
  readonly detect: (
    image: RgbaImage,
    signal: AbortSignal,
    encoded: Uint8Array,
  ) => Promise<Prediction[]>;
  readonly names: ReadonlyMap<number, string> | undefined;
  readonly close: () => void;
}

async function modelRunner(model: string, options: EvaluateOptions): Promise<Runner> {
  const { detector, close } = await loadModelArgument(model, options);
  try {
    const labelMap = options.labelMap ?? detector.folder.labelMapPath;
    return {
      // Every detection down to score 0: AP needs the weak ones.
      detect: (image, signal) =>
        detector.detect(image, { threshold: 0, maxDetections: 100, signal }),
      names: labelMap ? await labelMapNames(labelMap) : undefined,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** An endpoint asked for every detection (threshold 0), as the model run here gives them. */
async function endpointRunner(endpoint: string, options: EvaluateOptions): Promise<Runner> {
  const names = options.labelMap ? await labelMapNames(options.labelMap) : undefined;
  const fromSource = (source: PredictionSource, close: () => void): Runner => ({
    detect: async (image, signal, encoded) => (await source(encoded, image, signal)).predictions,
    names,
    close,
  });
  if (/^https?:\/\//i.test(endpoint))
    return fromSource(urlSource(endpoint, undefined, 0), () => undefined);
  const target = openTarget({
    target: options.target,
    ...(options.awsProfile ? { awsProfile: options.awsProfile } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  if (options.target === 'sagemaker')
    return fromSource(sagemakerSource(target, endpoint, 0), () => target.dispose());
  const described = await target.describeEndpoint(endpoint);
  target.dispose();
  if (!described.url)
    throw new UserError(
      `local endpoint ${endpoint} has no URL (it is ${described.status})`,
      'Serve it again with `tfod serve --target local`',
    );
  return fromSource(urlSource(described.url, undefined, 0), () => undefined);
}

async function recordFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const set = await expandRecordPath(path).catch((error: Error) => {
      throw new UserError(`cannot list the records ${path}: ${error.message}`);
    });
    if (set.missing.length > 0)
      throw new UserError(
        `${path}: ${set.missing.length} shards are missing (${set.missing.slice(0, 3).join(', ')}${set.missing.length > 3 ? ', ...' : ''})`,
        'Copy every shard of the set, or name the files you have',
      );
    if (set.files.length === 0) throw new UserError(`${path} matches no file`);
    files.push(...set.files);
  }
  return files;
}

const fixed = (value: number) => (value < 0 ? '-1' : value.toFixed(3));

export function formatReport(
  evaluation: RecordsEvaluation,
  names: ReadonlyMap<number, string> | undefined,
  model: string,
  seconds: number,
): string {
  const { coco, confusion } = evaluation;
  const lines = [
    `${model}: ${evaluation.images} images evaluated in ${seconds.toFixed(1)} s${evaluation.skipped ? ` (${evaluation.skipped} records left out)` : ''}`,
    '',
    ...SUMMARY_KEYS.map((key) => ` ${SUMMARY_LINES[key]} = ${fixed(coco.summary[key])}`),
    '',
  ];
  const classes = coco.classes.filter((c) => c.groundTruth > 0);
  const unmeasured = coco.classes.filter((c) => c.groundTruth === 0 && c.detections > 0);
  lines.push(
    table([
      ['class', 'name', 'objects', 'detections', 'AP', 'AP50', 'AP75', 'AR100'],
      ...classes.map((c) => [
        String(c.categoryId),
        names?.get(c.categoryId) ?? '',
        String(c.groundTruth),
        String(c.detections),
        fixed(c.AP),
        fixed(c.AP50),
        fixed(c.AP75),
        fixed(c.AR100),
      ]),
    ]).trimEnd(),
  );
  if (unmeasured.length > 0)
    lines.push(
      `(detected, but without ground truth, so not measured: ${unmeasured.map((c) => names?.get(c.categoryId) ?? c.categoryId).join(', ')})`,
    );
  const errors = confusion.images.reduce(
    (sum, e) => ({
      correct: sum.correct + e.correct,
      wrongClass: sum.wrongClass + e.wrongClass,
      misses: sum.misses + e.misses,
      falsePositives: sum.falsePositives + e.falsePositives,
    }),
    { correct: 0, wrongClass: 0, misses: 0, falsePositives: 0 },
  );
  lines.push(
    '',
    `at score >= ${confusion.scoreThreshold} and IoU >= ${confusion.iouThreshold}: ${errors.correct} right, ${errors.wrongClass} wrong class, ${errors.misses} missed, ${errors.falsePositives} false detections (--json has the confusion matrix)`,
  );
  return `${lines.join('\n')}\n`;
}

function parseThreshold(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !isThreshold(number))
    throw new InvalidArgumentError('must be a number from 0 to 1.');
  return number;
}
