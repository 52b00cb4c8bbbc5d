import { InvalidArgumentError, Option, type Command } from 'commander';
import { rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import {
  DEFAULT_SCORE_THRESHOLD,
  decodeImage,
  drawPredictions,
  encodePng,
  ImageDecodeError,
  isThreshold,
  labelFor,
  loadDetector,
  ModelFolderError,
  type BackendChoice,
  type Detector,
  type RgbaImage,
  type Prediction,
} from '../../detection';
import { boxToPixels } from '../../detection/draw';
import { errorMessage, UserError } from '../../core/errors';
import {
  labelMapNames,
  sagemakerSource,
  urlSource,
  type PredictionSource,
} from '../../core/preview/sources';
import { DEFAULT_TARGET, parseTarget, type TargetKind } from '../../core/target';
import { isModelArchive, unpackModelArchive } from '../../core/local/modelArchive';
import { resolveModelArgument, type ModelArgumentOptions } from '../../core/modelArgument';
import { createS3Client, downloadModelArtifact } from '../../core/s3';
import { openTarget } from './targetOptions';

interface PredictOptions {
  readonly model?: string;
  readonly endpoint?: string;
  readonly target: TargetKind;
  readonly awsProfile?: string;
  readonly region?: string;
  readonly labelMap?: string;
  readonly threshold: number;
  readonly json?: boolean;
  readonly out?: string;
  readonly backend?: BackendChoice;
}

interface ImageResult {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly prediction: Prediction[];
  readonly ms: number;
  readonly annotated?: string;
}

/** Detections for one decoded image, from a model in this process or from an endpoint. */
interface Predictor {
  readonly predict: (bytes: Uint8Array, image: RgbaImage) => Promise<Prediction[]>;
  readonly labels: ReadonlyMap<number, string> | undefined;
  readonly close: () => void;
}

/**
 * `tfod predict <image...> --model <dir>`: the serving code's detections, without a server;
 * `--endpoint <name|url>`: the same images through a local or SageMaker endpoint.
 */
export function register(program: Command): void {
  program
    .command('predict')
    .description(
      'Print what a model detects in images: a model folder run on this machine (no Docker, no server), or an endpoint',
    )
    .argument('<image...>', 'JPEG or PNG files')
    .option(
      '-m, --model <dir|model.tar.gz|job|s3-uri>',
      "model folder as the endpoint gets it (model.json or tfjs/model.json for TensorFlow.js, saved_model.pb), a training job's model.tar.gz or its s3:// URI (downloaded), or a training job's name on --target",
    )
    .option(
      '-e, --endpoint <name|url>',
      'an endpoint instead: http://127.0.0.1:<port> of a local one, or a name on --target',
    )
    .addOption(
      new Option('--target <target>', 'where a named job or endpoint runs (local or sagemaker)')
        .default(DEFAULT_TARGET)
        .argParser((value: string) => parseTarget(value, '--target')),
    )
    .option('--aws-profile <name>', 'AWS profile for a SageMaker job, endpoint or S3 model')
    .option('--region <region>', 'AWS region for a SageMaker job, endpoint or S3 model')
    .option('--label-map <file>', 'class names for an endpoint (default: ids)')
    .option(
      '-t, --threshold <n>',
      'minimum confidence, 0 to 1',
      parseThreshold,
      DEFAULT_SCORE_THRESHOLD,
    )
    .option('--json', 'print JSON: one entry per image with the prediction list')
    .option('-o, --out <dir>', 'also write each image with its boxes drawn, as <name>.png, here')
    .addOption(backendOption(program))
    .action(async (images: string[], options: PredictOptions, command: Command) => {
      const output = command.configureOutput();
      const writeOut = (text: string) => output.writeOut?.(text);
      const writeErr = (text: string) => output.writeErr?.(text);
      if (Boolean(options.model) === Boolean(options.endpoint))
        throw new UserError(
          'give either --model <dir> or --endpoint <name|url>',
          'A model folder runs here; an endpoint is asked over HTTP or InvokeEndpoint',
        );
      const predictor = options.model
        ? await modelPredictor(options.model, options)
        : await endpointPredictor(options.endpoint ?? '', options);
      try {
        const results: ImageResult[] = [];
        const failures: string[] = [];
        const taken = new Set<string>();
        for (const path of images) {
          try {
            results.push(await predictOne(predictor, path, options, taken));
          } catch (error) {
            // A model that cannot run (an op TensorFlow.js lacks) fails every image: stop at once.
            if (error instanceof ModelFolderError) throw asUserError(error, path);
            if (!(error instanceof UserError)) throw error;
            failures.push(error.toLine());
            writeErr(`tfod: ${error.toLine()}\n`);
          }
        }
        writeOut(options.json ? formatJson(results) : formatTable(results, predictor.labels));
        if (failures.length > 0)
          throw new UserError(
            `${failures.length} of ${images.length} images could not be used`,
            'See the messages above',
          );
      } finally {
        predictor.close();
      }
    });
}

async function modelPredictor(model: string, options: PredictOptions): Promise<Predictor> {
  const { detector, close } = await loadModelArgument(model, options);
  try {
    const labelMap = options.labelMap ?? detector.folder.labelMapPath;
    return {
      predict: (_bytes, image) => detector.detect(image, { threshold: options.threshold }),
      labels: labelMap ? await labelMapNames(labelMap) : undefined,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The model `--model` names, loaded in this process: a job's model or an s3:// URI is fetched
 * first; a model.tar.gz (a local job's, or SageMaker's artifact) runs from a temporary unpacked
 * copy. `close` disposes the model and removes what was fetched or unpacked.
 */
export async function loadModelArgument(
  model: string,
  options: {
    readonly target?: TargetKind;
    readonly awsProfile?: string;
    readonly region?: string;
    readonly backend?: BackendChoice;
  },
): Promise<{ detector: Detector; close: () => void }> {
  const onDisk = await resolveModelArgument(model, modelArgumentOptions(options));
  let unpacked: { dir: string } | undefined;
  let detector: Detector | undefined;
  const close = () => {
    try {
      detector?.dispose();
    } finally {
      if (unpacked) rmSync(unpacked.dir, { recursive: true, force: true });
      void onDisk.cleanup();
    }
  };
  try {
    if (isModelArchive(onDisk.path)) unpacked = await unpackModelArchive(onDisk.path);
    detector = await openDetector(unpacked?.dir ?? onDisk.path, options.backend);
    return { detector, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * How `--model` finds a job's model: on `--target` (local by default), downloading an S3
 * artifact with the AWS profile and region given. Shared with `tfod serve --model`.
 */
export function modelArgumentOptions(
  flags: { readonly target?: TargetKind; readonly awsProfile?: string; readonly region?: string },
  onProgress?: (message: string) => void,
): ModelArgumentOptions {
  const session = {
    ...(flags.awsProfile ? { profile: flags.awsProfile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
  };
  return {
    target: () =>
      openTarget({
        target: flags.target ?? DEFAULT_TARGET,
        ...(flags.awsProfile ? { awsProfile: flags.awsProfile } : {}),
        ...(flags.region ? { region: flags.region } : {}),
      }),
    download: async (uri, folder, signal) => {
      const client = createS3Client(session);
      try {
        return (
          await downloadModelArtifact(uri, folder, {
            client,
            session,
            ...(signal ? { signal } : {}),
          })
        ).path;
      } finally {
        client.destroy();
      }
    },
    ...(onProgress ? { onProgress } : {}),
  };
}

/** An endpoint asked at the preview's floor, so --threshold filters here as the preview does. */
async function endpointPredictor(endpoint: string, options: PredictOptions): Promise<Predictor> {
  const labels = options.labelMap ? await labelMapNames(options.labelMap) : undefined;
  if (/^https?:\/\//i.test(endpoint))
    return fromSource(urlSource(endpoint), labels, () => undefined);
  const target = openTarget({
    target: options.target,
    ...(options.awsProfile ? { awsProfile: options.awsProfile } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  if (options.target === 'sagemaker')
    return fromSource(sagemakerSource(target, endpoint), labels, () => target.dispose());
  const described = await target.describeEndpoint(endpoint);
  target.dispose();
  if (!described.url)
    throw new UserError(
      `local endpoint ${endpoint} has no URL (it is ${described.status})`,
      'Serve it again with `tfod serve --target local`',
    );
  return fromSource(urlSource(described.url), labels, () => undefined);

  function fromSource(
    source: PredictionSource,
    names: ReadonlyMap<number, string> | undefined,
    close: () => void,
  ): Predictor {
    return {
      predict: async (bytes, image) =>
        (await source(bytes, image, new AbortController().signal)).predictions.filter(
          (p) => (p[1] ?? 0) >= options.threshold,
        ),
      labels: names,
      close,
    };
  }
}

/** The backend flag shared by `predict` and `serve`. */
export function backendOption(program: Command) {
  return program
    .createOption('--backend <name>', 'TensorFlow.js backend (default: env TFOD_BACKEND or auto)')
    .choices(['auto', 'wasm', 'cpu', 'tensorflow']);
}

export async function openDetector(model: string, backend?: BackendChoice): Promise<Detector> {
  try {
    return await loadDetector(model, backend ? { backend } : {});
  } catch (error) {
    throw asUserError(error, `cannot load the model in ${model}`);
  }
}

/** Detection errors become the CLI's one-line UserError; anything else stays a bug. */
export function asUserError(error: unknown, context: string): unknown {
  if (error instanceof ModelFolderError)
    return new UserError(error.message, error.fix, { cause: error });
  if (error instanceof ImageDecodeError) return new UserError(`${context}: ${error.message}`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
    return new UserError(`${context}: ${errorMessage(error)}`);
  if (error instanceof Error && /backend|TFOD_BACKEND|tfjs-node/.test(error.message))
    return new UserError(`${context}: ${error.message}`);
  return error;
}

async function predictOne(
  predictor: Predictor,
  path: string,
  options: PredictOptions,
  taken: Set<string>,
): Promise<ImageResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw asUserError(error, `cannot read ${path}`);
  }
  let image;
  try {
    image = decodeImage(bytes);
  } catch (error) {
    throw asUserError(error, path);
  }
  const started = performance.now();
  const prediction = await predictor.predict(bytes, image);
  const ms = Math.round(performance.now() - started);
  const result: ImageResult = {
    image: path,
    width: image.width,
    height: image.height,
    prediction,
    ms,
  };
  if (!options.out) return result;
  const annotated = annotatedPath(resolve(options.out), path, taken);
  try {
    await mkdir(resolve(options.out), { recursive: true });
    await writeFile(annotated, encodePng(drawPredictions(image, prediction)));
  } catch (error) {
    throw asUserError(error, `cannot write ${annotated}`);
  }
  return { ...result, annotated };
}

/** `<out>/<name>.png`, numbered when two inputs share a name. */
function annotatedPath(outDir: string, imagePath: string, taken: Set<string>): string {
  const stem = basename(imagePath, extname(imagePath));
  let name = `${stem}.png`;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.png`;
  taken.add(name);
  return join(outDir, name);
}

/** A JSON array with one image per line: valid JSON that stays readable in a terminal. */
export function formatJson(results: readonly ImageResult[]): string {
  if (results.length === 0) return '[]\n';
  return `[\n${results.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

export function formatTable(
  results: readonly ImageResult[],
  labels?: ReadonlyMap<number, string>,
): string {
  const lines: string[] = [];
  for (const result of results) {
    const count = result.prediction.length;
    lines.push(
      `${result.image}: ${count === 0 ? 'nothing' : count === 1 ? '1 detection' : `${count} detections`} (${result.width}x${result.height}, ${result.ms} ms)${result.annotated ? ` -> ${result.annotated}` : ''}`,
    );
    if (count === 0) continue;
    const rows = result.prediction.map((p) => {
      const box = boxToPixels(p, result.width, result.height);
      return [
        String(p[0]),
        ...(labels ? [labelFor(p[0], labels)] : []),
        p[1].toFixed(3),
        p
          .slice(2)
          .map((v) => v.toFixed(3))
          .join(' '),
        `${box.left},${box.top} ${box.right},${box.bottom}`,
      ];
    });
    const header = [
      'class',
      ...(labels ? ['name'] : []),
      'confidence',
      'xmin ymin xmax ymax',
      'pixels',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows])
      lines.push(
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}`,
      );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function parseThreshold(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !isThreshold(number))
    throw new InvalidArgumentError('must be a number from 0 to 1.');
  return number;
}
