import { InvalidArgumentError, type Command } from 'commander';
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
  type ModelFolder,
  type Prediction,
} from '../../detection';
import { boxToPixels } from '../../detection/draw';
import { errorMessage, UserError } from '../../core/errors';
import { LABEL_MAP } from '../../schema';
import { validateBytes } from '../../schema/validate';

interface PredictOptions {
  readonly model: string;
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

/** `tfod predict <image...> --model <dir>`: the serving code's detections, without a server. */
export function register(program: Command): void {
  program
    .command('predict')
    .description(
      'Run a model folder on images on this machine (no Docker, no server) and print what it detects',
    )
    .argument('<image...>', 'JPEG or PNG files')
    .requiredOption(
      '-m, --model <dir>',
      'model folder as the endpoint gets it: model.json (TensorFlow.js) or saved_model.pb',
    )
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
      const detector = await openDetector(options.model, options.backend);
      try {
        const results: ImageResult[] = [];
        const failures: string[] = [];
        const taken = new Set<string>();
        for (const path of images) {
          try {
            results.push(await predictOne(detector, path, options, taken));
          } catch (error) {
            if (!(error instanceof UserError)) throw error;
            failures.push(error.toLine());
            writeErr(`tfod: ${error.toLine()}\n`);
          }
        }
        const labels = await labelNames(detector.folder);
        writeOut(options.json ? formatJson(results) : formatTable(results, labels));
        if (failures.length > 0)
          throw new UserError(
            `${failures.length} of ${images.length} images could not be used`,
            'See the messages above',
          );
      } finally {
        detector.dispose();
      }
    });
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
  detector: Detector,
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
  const prediction = await detector.detect(image, { threshold: options.threshold });
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

/**
 * Class names for the table, from the model folder's label_map.pbtxt (read with the same parser
 * and rules as the editor): display_name, else name. No label map: ids only.
 */
async function labelNames(folder: ModelFolder): Promise<ReadonlyMap<number, string> | undefined> {
  if (!folder.labelMapPath) return undefined;
  const result = validateBytes(await readFile(folder.labelMapPath), {
    path: folder.labelMapPath,
    root: LABEL_MAP,
  });
  const names = new Map<number, string>();
  for (const item of result.labelMap?.items ?? []) {
    const name = item.displayName ?? item.name;
    if (name) names.set(item.id, name);
  }
  return names.size > 0 ? names : undefined;
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

function parseThreshold(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !isThreshold(number))
    throw new InvalidArgumentError('must be a number from 0 to 1.');
  return number;
}
