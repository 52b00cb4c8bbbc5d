import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  StopTransformJobCommand,
  type DescribeTransformJobCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DEFAULT_SCORE_THRESHOLD, type Prediction } from '../../detection';
import { MAX_BODY_BYTES } from '../../detection/server/body';
import {
  BatchTally,
  formatLine,
  isImageName,
  RESULTS_FILE,
  SUMMARY_FILE,
  type BatchLine,
  type BatchSummary,
} from '../batch/results';
import { CancelledError, errorMessage, UserError } from '../errors';
import { delay, isAbortError, throwIfAborted } from '../jobs/delay';
import { INSTANCE_TYPE_PATTERN } from '../jobs/instanceTypes';
import { timestamp, withSuffix } from '../jobs/names';
import type { TrainingJobDetails } from '../jobs/types';
import { explainS3Error } from '../s3/errors';
import { formatS3Uri, parseS3Prefix, type S3Location } from '../s3/uri';
import { explainSageMakerError } from './errors';
import { ensureJobModel } from './model';
import { buildCreateTransformJobRequest } from './requests';

/** The largest `.out` read back: an answer of 100 detections is about 10 KB. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_POLL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const READ_CONCURRENCY = 8;

export interface TransformBatchRequest {
  /** s3:// prefix of the images. */
  readonly input: string;
  /** s3:// prefix for the `.out` objects, results.jsonl and summary.json. */
  readonly output: string;
  readonly instanceType: string;
  /** At least the serve's default (0.5): a transform job cannot ask the serve for less. */
  readonly threshold: number;
  readonly transformJobName?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface TransformBatchProgress {
  readonly phase: 'list' | 'model' | 'create' | 'wait' | 'gather' | 'stop';
  readonly message: string;
  readonly done?: number;
  readonly total?: number;
}

export interface TransformBatchOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TransformBatchProgress) => void;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  /** Label map names for the summary. */
  readonly names?: ReadonlyMap<number, string>;
}

export interface TransformBatchResult {
  readonly summary: BatchSummary;
  readonly transformJob: string;
  readonly status: string;
  readonly failureReason?: string;
  readonly resultsUri: string;
  readonly summaryUri: string;
}

/** An image under the input prefix: its key and the key relative to the prefix. */
export interface TransformImage {
  readonly key: string;
  readonly relative: string;
  readonly size: number;
}

/**
 * One content type for the whole job (TransformInput has one): the JPEG or PNG type when all
 * images are of it, else `application/x-image`, which the serve takes for either.
 */
export function transformContentType(keys: readonly string[]): string {
  const jpeg = keys.filter((key) => /\.jpe?g$/i.test(key)).length;
  if (jpeg === keys.length) return 'image/jpeg';
  if (jpeg === 0) return 'image/png';
  return 'application/x-image';
}

/** The largest image in whole MB, at least 1; over the serve's 6 MB the images are refused. */
export function maxPayloadMb(sizes: readonly number[]): number {
  const largest = Math.max(0, ...sizes);
  return Math.max(1, Math.ceil(largest / (1024 * 1024)));
}

/**
 * Where SageMaker put an image's answer: `<output><relative key>.out`, or where the output
 * holds only the file's name (the API reference's example drops the subfolders), the one
 * `<output><name>.out` when no other image shares that name.
 */
export function outputKeyFor(
  image: TransformImage,
  outputPrefix: string,
  outputKeys: ReadonlySet<string>,
  nameCounts: ReadonlyMap<string, number>,
): string | undefined {
  const full = `${outputPrefix}${image.relative}.out`;
  if (outputKeys.has(full)) return full;
  const name = image.relative.split('/').pop()!;
  const short = `${outputPrefix}${name}.out`;
  return nameCounts.get(name) === 1 && outputKeys.has(short) ? short : undefined;
}

/** An image's line from the serve's answer (`{"prediction": [...]}`), cut at `threshold`. */
export function lineFromTransformOutput(image: string, body: string, threshold: number): BatchLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { image, error: `the model's answer is not JSON: ${body.slice(0, 200)}` };
  }
  const prediction = (parsed as { prediction?: unknown } | null)?.prediction;
  if (!Array.isArray(prediction) || !prediction.every(isPrediction)) {
    const message = (parsed as { message?: unknown; error?: unknown } | null) ?? {};
    const said = message.message ?? message.error;
    return {
      image,
      error:
        typeof said === 'string'
          ? `the model answered: ${said}`
          : `the model's answer has no prediction list: ${body.slice(0, 200)}`,
    };
  }
  return { image, prediction: prediction.filter((p) => p[1] >= threshold) };
}

function isPrediction(value: unknown): value is Prediction {
  return Array.isArray(value) && value.length === 6 && value.every((n) => typeof n === 'number');
}

/** Why the request cannot run, before any call is made. */
export function transformRequestProblems(request: TransformBatchRequest): string[] {
  const problems: string[] = [];
  if (!INSTANCE_TYPE_PATTERN.test(request.instanceType))
    problems.push(
      `instance type '${request.instanceType}' is not a SageMaker instance type (e.g. ml.m5.large)`,
    );
  if (request.threshold < DEFAULT_SCORE_THRESHOLD)
    problems.push(
      `a transform job gets the serve's detections at its default threshold ${DEFAULT_SCORE_THRESHOLD}; --threshold ${request.threshold} would ask for ones it never returns`,
    );
  const input = parseS3Prefix(request.input);
  const output = parseS3Prefix(request.output);
  if (input.bucket === output.bucket && output.key.startsWith(input.key))
    problems.push(
      `the output ${formatS3Uri(output)} is inside the input ${formatS3Uri(input)}; a later run would send the results to the model`,
    );
  return problems;
}

/**
 * Batch detection on SageMaker: the job's Model (shared with deploy), a transform job over the
 * images under the input prefix, one image per request, waited for with the count of `.out`
 * objects as progress (cancelling stops the job), then the answers gathered into results.jsonl
 * and summary.json under the output prefix. A job that failed still has its answers gathered:
 * SageMaker uploads the `.out` of every image it finished; the others get an error line.
 */
export async function runTransformBatch(
  clients: { readonly sagemaker: SageMakerClient; readonly s3: S3Client },
  job: TrainingJobDetails,
  request: TransformBatchRequest,
  options: TransformBatchOptions = {},
  now: () => Date = () => new Date(),
): Promise<TransformBatchResult> {
  const { signal } = options;
  const report = (progress: TransformBatchProgress) => options.onProgress?.(progress);
  const problems = transformRequestProblems(request);
  if (problems.length)
    throw new UserError(
      `cannot run batch detection with '${job.name}': ${problems.join('; ')}`,
      'Correct the settings and try again',
    );
  if (job.status !== 'Completed' || !job.modelArtifacts)
    throw new UserError(
      `training job '${job.name}' is ${job.status}${job.modelArtifacts ? '' : ' with no model artifacts'}; only a Completed job has a model`,
      'Use a job that completed',
    );
  if (!job.roleArn) throw new UserError(`training job '${job.name}' has no execution role`);
  if (!job.image) throw new UserError(`training job '${job.name}' does not name its image`);
  const input = parseS3Prefix(request.input);
  const output = parseS3Prefix(request.output);

  report({ phase: 'list', message: `Listing ${formatS3Uri(input)}` });
  const images = await listInputImages(clients.s3, input, signal);
  const stamp = timestamp(now());
  report({ phase: 'model', message: `Creating model for ${job.name}` });
  const modelName = await ensureJobModel(
    clients.sagemaker,
    {
      jobName: job.name,
      image: job.image,
      modelDataUrl: job.modelArtifacts,
      roleArn: job.roleArn,
      stamp,
      ...(request.tags ? { tags: request.tags } : {}),
    },
    signal,
  );
  const name = request.transformJobName ?? withSuffix(job.name, `batch-${stamp}`);
  const sagemaker = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isAbortError(error)) throw new CancelledError();
      throw explainSageMakerError(error, { kind: 'transform job', name });
    }
  };
  const createRequest = buildCreateTransformJobRequest({
    transformJobName: name,
    modelName,
    inputUri: formatS3Uri(input),
    outputUri: formatS3Uri(output),
    contentType: transformContentType(images.map((image) => image.key)),
    maxPayloadMb: maxPayloadMb(images.map((image) => image.size)),
    instanceType: request.instanceType,
    ...(request.tags ? { tags: request.tags } : {}),
  });
  report({
    phase: 'create',
    message: `Creating transform job ${name} over ${images.length} images`,
  });
  await sagemaker(() =>
    clients.sagemaker.send(new CreateTransformJobCommand(createRequest), { abortSignal: signal }),
  );

  let state: DescribeTransformJobCommandOutput;
  try {
    state = await waitForTransformJob(clients, name, output, images.length, options);
  } catch (error) {
    if (!signal?.aborted) throw error;
    // Cancelled: stop the job (not with the aborted signal), so its instances stop billing.
    report({ phase: 'stop', message: `Stopping transform job ${name}` });
    await sagemaker(() =>
      clients.sagemaker.send(new StopTransformJobCommand({ TransformJobName: name })),
    );
    throw new CancelledError();
  }
  const status = state.TransformJobStatus ?? 'Failed';
  const failureReason = state.FailureReason || undefined;

  report({ phase: 'gather', message: `Reading the answers under ${formatS3Uri(output)}` });
  const tally = new BatchTally();
  const lines = await gatherLines(
    clients.s3,
    images,
    output,
    request.threshold,
    failureReason,
    signal,
  );
  for (const line of lines) tally.add(line);
  const summary = tally.summary(
    {
      complete: true,
      model: job.modelArtifacts,
      input: formatS3Uri(input),
      output: formatS3Uri(output),
      threshold: request.threshold,
      transformJob: name,
    },
    options.names,
  );
  const resultsKey = `${output.key}${RESULTS_FILE}`;
  const summaryKey = `${output.key}${SUMMARY_FILE}`;
  await put(clients.s3, output.bucket, resultsKey, lines.map(formatLine).join(''), signal);
  await put(clients.s3, output.bucket, summaryKey, `${JSON.stringify(summary, null, 2)}\n`, signal);
  return {
    summary,
    transformJob: name,
    status,
    ...(failureReason ? { failureReason } : {}),
    resultsUri: formatS3Uri({ bucket: output.bucket, key: resultsKey }),
    summaryUri: formatS3Uri({ bucket: output.bucket, key: summaryKey }),
  };
}

async function waitForTransformJob(
  clients: { readonly sagemaker: SageMakerClient; readonly s3: S3Client },
  name: string,
  output: S3Location,
  total: number,
  options: TransformBatchOptions,
): Promise<DescribeTransformJobCommandOutput> {
  const { signal } = options;
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  for (;;) {
    throwIfAborted(signal);
    let state: DescribeTransformJobCommandOutput;
    try {
      state = await clients.sagemaker.send(
        new DescribeTransformJobCommand({ TransformJobName: name }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (isAbortError(error)) throw new CancelledError();
      throw explainSageMakerError(error, { kind: 'transform job', name });
    }
    const status = state.TransformJobStatus ?? 'InProgress';
    const done = (await listKeys(clients.s3, output, signal)).filter((k) => k.endsWith('.out'));
    options.onProgress?.({
      phase: 'wait',
      message: `Transform job ${name} is ${status}: ${done.length} of ${total} images`,
      done: done.length,
      total,
    });
    if (status === 'Completed' || status === 'Failed' || status === 'Stopped') return state;
    const elapsed = Date.now() - started;
    if (elapsed >= timeout)
      throw new UserError(
        `transform job '${name}' is still ${status} after ${Math.round(elapsed / 60000)} minutes`,
        'SageMaker keeps working on it; look at it in the SageMaker console',
      );
    await delay(Math.min(interval, Math.max(0, timeout - elapsed)), signal);
  }
}

/** The images under the prefix; anything else there is refused, since SageMaker would send it. */
async function listInputImages(
  s3: S3Client,
  input: S3Location,
  signal: AbortSignal | undefined,
): Promise<TransformImage[]> {
  const images: TransformImage[] = [];
  const others: string[] = [];
  for (const object of await listObjects(s3, input, signal)) {
    if (object.key.endsWith('/')) continue;
    const relative = object.key.slice(input.key.length);
    if (isImageName(object.key)) images.push({ key: object.key, relative, size: object.size });
    else others.push(relative);
  }
  const where = formatS3Uri(input);
  if (others.length > 0)
    throw new UserError(
      `${where} holds ${others.length} object${others.length === 1 ? '' : 's'} that are not JPEG or PNG images (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}); the transform job would send them to the model and fail`,
      'Give a prefix that holds only .jpg, .jpeg or .png images',
    );
  if (images.length === 0)
    throw new UserError(
      `${where} has no JPEG or PNG images`,
      'Give the prefix the images are under',
    );
  const large = images.filter((image) => image.size > MAX_BODY_BYTES);
  if (large.length > 0)
    throw new UserError(
      `${large.length} image${large.length === 1 ? ' is' : 's are'} over the serve's 6 MB request limit (${large
        .slice(0, 3)
        .map((image) => image.relative)
        .join(', ')})`,
      'Resize them, or run them on this machine (--target local with a downloaded folder)',
    );
  return images;
}

async function gatherLines(
  s3: S3Client,
  images: readonly TransformImage[],
  output: S3Location,
  threshold: number,
  failureReason: string | undefined,
  signal: AbortSignal | undefined,
): Promise<BatchLine[]> {
  const outputKeys = new Set(
    (await listKeys(s3, output, signal)).filter((key) => key.endsWith('.out')),
  );
  const nameCounts = new Map<string, number>();
  for (const image of images) {
    const name = image.relative.split('/').pop()!;
    nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
  }
  const lines: BatchLine[] = new Array<BatchLine>(images.length);
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const index = next++;
      const image = images[index]!;
      const key = outputKeyFor(image, output.key, outputKeys, nameCounts);
      if (!key) {
        lines[index] = {
          image: image.relative,
          error: `SageMaker wrote no answer for it${failureReason ? ` (the job failed: ${failureReason})` : ''}`,
        };
        continue;
      }
      try {
        const body = await get(s3, output.bucket, key, signal);
        lines[index] = lineFromTransformOutput(image.relative, body, threshold);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        lines[index] = { image: image.relative, error: errorMessage(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, images.length) }, worker));
  return lines;
}

async function listObjects(
  s3: S3Client,
  prefix: S3Location,
  signal: AbortSignal | undefined,
): Promise<{ key: string; size: number }[]> {
  const found: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3call(`listing ${formatS3Uri(prefix)}`, () =>
      s3.send(
        new ListObjectsV2Command({
          Bucket: prefix.bucket,
          Prefix: prefix.key,
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: signal },
      ),
    );
    for (const object of page.Contents ?? [])
      if (object.Key) found.push({ key: object.Key, size: object.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

async function listKeys(
  s3: S3Client,
  prefix: S3Location,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  return (await listObjects(s3, prefix, signal)).map((object) => object.key);
}

async function get(
  s3: S3Client,
  bucket: string,
  key: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const where = formatS3Uri({ bucket, key });
  const answer = await s3call(`reading ${where}`, () =>
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
  );
  if ((answer.ContentLength ?? 0) > MAX_OUTPUT_BYTES)
    throw new UserError(`${where} is ${answer.ContentLength} bytes, not a detection answer`);
  return (await answer.Body?.transformToString('utf8')) ?? '';
}

async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await s3call(`writing ${formatS3Uri({ bucket, key })}`, () =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: key.endsWith('.json') ? 'application/json' : 'application/x-ndjson',
      }),
      { abortSignal: signal },
    ),
  );
}

async function s3call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw explainS3Error(error, what);
  }
}
