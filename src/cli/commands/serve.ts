import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { CancelledError, UserError } from '../../core/errors';
import { delay } from '../../core/jobs';
import {
  DEFAULT_READY_TIMEOUT_MS,
  describeModelSource,
  localEndpointName,
  LocalTarget,
  modelSourceOf,
  type LocalModelSource,
} from '../../core/local';
import { createS3Client, downloadModelArtifact } from '../../core/s3';
import { parseTarget, type TargetKind } from '../../core/target';
import type { BackendChoice } from '../../detection';
import { runServer, servingSettings, type ServingSettings } from '../../detection/server';
import { isModelArchive, unpackModelArchive } from '../../core/local/modelArchive';
import { resolveModelArgument } from '../../core/modelArgument';
import { asUserError, backendOption, modelArgumentOptions } from './predict';
import {
  addAwsOptions,
  awsSession,
  integer,
  localWorkspace,
  output,
  type AwsFlags,
  type Output,
} from './targetOptions';

interface ServeOptions extends AwsFlags {
  readonly model?: string;
  readonly port?: string;
  readonly host?: string;
  readonly workers?: string;
  readonly timeout?: string;
  readonly backend?: BackendChoice;
  readonly quiet?: boolean;
  readonly target?: TargetKind;
  readonly image?: string;
  readonly name?: string;
  readonly detach?: boolean;
  readonly wait?: number;
  readonly stop?: string;
}

/** How often the foreground `tfod serve --target local` checks its container is still serving. */
const WATCH_INTERVAL_MS = 2000;

/**
 * `tfod serve --model <dir>`: the SageMaker container's serving code in this process, on the wasm
 * backend, so a model can be tried over HTTP without Docker.
 * `tfod serve --target local <job|model.tar.gz|dir|s3://…>`: the image's `serve` in Docker as a
 * local endpoint (the palette's Serve Model Locally), stopped on Ctrl+C unless `--detach`.
 */
export function register(program: Command): void {
  const command = program
    .command('serve')
    .description(
      "Serve a model over HTTP on this machine (GET /ping, POST /invocations) until Ctrl+C: in this process with the serving container's code (--model <dir>), or in Docker with the image's serve as a local endpoint (--target local <job|model.tar.gz|dir|s3://…/model.tar.gz>)",
    )
    .argument(
      '[source]',
      'with --target local: a local training job, a model.tar.gz, a model folder, or the s3:// URI of a model.tar.gz (downloaded first)',
    )
    .option(
      '-m, --model <dir|model.tar.gz|job|s3-uri>',
      'model to serve in this process: a folder (model.json for TensorFlow.js, or saved_model.pb), a model.tar.gz or its s3:// URI (downloaded), or a local training job',
    )
    .addOption(
      new Option(
        '-t, --target <target>',
        "local: run the image's serve in Docker (a local endpoint) instead of in this process",
      ).argParser((value: string) => parseTarget(value, '--target')),
    )
    .option('--image <tag>', "with --target local: the serving image (default: the job's image)")
    .option('-n, --name <endpoint>', 'with --target local: endpoint name (default: <model>-local)')
    .option('-d, --detach', 'with --target local: leave the endpoint running and exit')
    .option(
      '--wait <seconds>',
      'with --target local: how long to wait for /ping (large models load for minutes)',
      integer('--wait'),
      DEFAULT_READY_TIMEOUT_MS / 1000,
    )
    .option('--stop <endpoint>', 'stop and remove a local endpoint (one started with --detach)')
    .option(
      '-p, --port <n>',
      'port to listen on (0 picks a free one; default SAGEMAKER_BIND_TO_PORT, else 8080; in Docker any)',
    )
    .option('--host <address>', 'address to listen on in this process (default 127.0.0.1)')
    .option(
      '-w, --workers <n>',
      "inference worker processes, each with its own copy of the model (default MODEL_SERVER_WORKERS, else 1; in Docker the image's: one per GPU, else one per CPU)",
    )
    .option(
      '--timeout <seconds>',
      'longest a request may take before a 504 (default MODEL_SERVER_TIMEOUT, else 60)',
    )
    .option('-q, --quiet', 'do not log each request')
    .addOption(backendOption(program));
  addAwsOptions(command).action(
    async (source: string | undefined, options: ServeOptions, cmd: Command) => {
      if (options.stop !== undefined) return stopLocal(options.stop, output(cmd));
      if (options.target !== undefined || source !== undefined)
        return serveInDocker(source, options, output(cmd));
      return serveInProcess(options, cmd);
    },
  );
}

async function serveInProcess(options: ServeOptions, command: Command): Promise<void> {
  const output = command.configureOutput();
  const writeOut = (text: string) => output.writeOut?.(text);
  const writeErr = (text: string) => output.writeErr?.(text);
  if (!options.model)
    throw new UserError(
      'nothing to serve was given',
      'Serve a model folder in this process with --model <dir>, or in Docker with --target local <job|model.tar.gz|dir>',
    );
  const onDisk = await resolveModelArgument(
    options.model,
    modelArgumentOptions(
      { ...options, target: 'local' },
      options.quiet ? undefined : (line) => writeErr(`${line}\n`),
    ),
  );
  let unpacked: { dir: string } | undefined;
  try {
    if (isModelArchive(onDisk.path)) unpacked = await unpackModelArchive(onDisk.path);
    await serveFolder(unpacked?.dir ?? onDisk.path, onDisk.origin, options, writeOut, writeErr);
  } finally {
    if (unpacked) await rm(unpacked.dir, { recursive: true, force: true });
    await onDisk.cleanup();
  }
}

async function serveFolder(
  modelDir: string,
  origin: string,
  options: ServeOptions,
  writeOut: (text: string) => void,
  writeErr: (text: string) => void,
): Promise<void> {
  let settings: ServingSettings;
  try {
    // The hosting contract's variables count here as in the image (MODEL_SERVER_WORKERS,
    // MODEL_SERVER_TIMEOUT, SAGEMAKER_BIND_TO_PORT); the flags win. Without either, one worker:
    // this is a model tried out beside an editor, not a host given over to serving.
    settings = servingSettings(
      process.env,
      {
        modelDir,
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
      },
      { workers: 1, host: '127.0.0.1' },
    );
  } catch (error) {
    throw new UserError(
      error instanceof Error ? error.message.replace(/^(--\w+)=/, '$1 ') : String(error),
    );
  }
  try {
    await runServer({
      settings,
      ...(options.backend ? { backend: options.backend } : {}),
      log: options.quiet ? () => undefined : (line) => writeErr(`${line}\n`),
      onReady: (url) =>
        writeOut(
          `Serving ${origin} at ${url}: POST ${url}/invocations (JSON {"image": "<base64>"} or a JPEG/PNG body), GET ${url}/ping. Ctrl+C stops.\n`,
        ),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(
        `port ${settings.port} is already in use`,
        'Pass another one with --port',
      );
    if (code === 'EACCES')
      throw new UserError(
        `not allowed to listen on port ${settings.port}`,
        'Use a port above 1023',
      );
    throw asUserError(error, `cannot serve ${origin}`);
  }
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  return value === undefined ? undefined : integer(flag, min)(value);
}

/** Parses what Docker serving takes and refuses what only the in-process server understands. */
function dockerSettings(options: ServeOptions) {
  if (options.target === 'sagemaker')
    throw new UserError(
      'tfod serve runs the model on this machine; SageMaker endpoints are made by tfod deploy',
      'Use tfod deploy <job> --target sagemaker, or tfod serve --target local',
    );
  for (const [flag, value] of [
    ['--host', options.host],
    ['--backend', options.backend],
  ] as const)
    if (value !== undefined)
      throw new UserError(
        `${flag} applies to the in-process server (--model <dir>), not to --target local`,
        `Leave out ${flag}: the container listens on 127.0.0.1 at the port Docker publishes`,
      );
  return {
    port: wholeNumber(options.port, '--port', 0) || undefined,
    workers: wholeNumber(options.workers, '--workers', 1),
    timeoutSeconds: wholeNumber(options.timeout, '--timeout', 1),
  };
}

async function serveInDocker(
  source: string | undefined,
  options: ServeOptions,
  { out, err }: Output,
): Promise<void> {
  const settings = dockerSettings(options);
  const what = source ?? options.model;
  if (!what)
    throw new UserError(
      'nothing to serve was given',
      'Name a local training job, a model.tar.gz, a model folder or an s3:// URI: tfod serve --target local <source>',
    );
  if (source !== undefined && options.model !== undefined)
    throw new UserError(
      `two models were given: ${source} and --model ${options.model}`,
      'Give one of them',
    );
  const endpointName = options.name ?? localEndpointName(what);
  const target = new LocalTarget({ workspace: localWorkspace() });
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const signal = controller.signal;
  let scratch: string | undefined;
  try {
    let model: LocalModelSource;
    if (/^s3:\/\//i.test(what)) {
      scratch = await mkdtemp(join(tmpdir(), 'tfod-serve-'));
      model = { kind: 'archive', path: await download(what, scratch, options, signal, err) };
    } else model = modelSourceOf(what);
    const result = await target.serve(
      {
        endpointName,
        model,
        ...(options.image ? { image: options.image } : {}),
        ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
        ...(settings.timeoutSeconds !== undefined
          ? { timeoutSeconds: settings.timeoutSeconds }
          : {}),
        ...(settings.port !== undefined ? { port: settings.port } : {}),
      },
      {
        signal,
        timeoutMs: (options.wait ?? DEFAULT_READY_TIMEOUT_MS / 1000) * 1000,
        onProgress: (p) => {
          if (!options.quiet) err(`${p.message}\n`);
        },
      },
    );
    if (scratch) await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
    const url = result.endpoint.url ?? '';
    const container = target.endpoints.containerName(endpointName);
    out(
      `Serving ${describeModelSource(model)} as local endpoint ${endpointName} at ${url}: POST ${url}/invocations (JSON {"image": "<base64>"} or a JPEG/PNG body), GET ${url}/ping. ${
        options.detach
          ? `It keeps running in container ${container}; tfod endpoints lists it, tfod serve --stop ${endpointName} stops it.`
          : 'Ctrl+C stops it.'
      }\n`,
    );
    if (options.detach) return;
    await watch(target, endpointName, signal);
    err(`Stopping local endpoint ${endpointName}\n`);
    await target.deleteEndpoint(endpointName);
    out(`Stopped local endpoint ${endpointName}.\n`);
  } catch (error) {
    if (error instanceof CancelledError)
      throw new UserError(
        `serving ${what} was interrupted before it answered /ping; nothing is left running`,
      );
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Returns when `signal` aborts (Ctrl+C); throws when the container stops serving on its own. */
async function watch(target: LocalTarget, name: string, signal: AbortSignal): Promise<void> {
  for (;;) {
    try {
      await delay(WATCH_INTERVAL_MS, signal);
    } catch {
      return;
    }
    const endpoint = await target.describeEndpoint(name).catch(() => undefined);
    if (signal.aborted) return;
    if (!endpoint || endpoint.status === 'Failed') {
      const log = await target.endpointLog(name, 10).catch(() => []);
      await target.deleteEndpoint(name).catch(() => undefined);
      throw new UserError(
        `local endpoint '${name}' stopped serving: ${endpoint?.failureReason ?? 'its container is gone'}${log.length ? `; its last log lines: ${log.join(' | ')}` : ''}`,
        'Serve the model again; see the image’s serve log above for why it stopped',
      );
    }
  }
}

async function download(
  uri: string,
  folder: string,
  flags: AwsFlags,
  signal: AbortSignal,
  err: (text: string) => void,
): Promise<string> {
  const session = awsSession(flags);
  const client = createS3Client(session);
  try {
    err(`Downloading ${uri}\n`);
    const { path, bytes } = await downloadModelArtifact(uri, folder, { client, signal, session });
    err(`Downloaded ${(bytes / 1e6).toFixed(1)} MB\n`);
    return path;
  } finally {
    client.destroy();
  }
}

async function stopLocal(name: string, { out }: Output): Promise<void> {
  const target = new LocalTarget({ workspace: localWorkspace() });
  await target.deleteEndpoint(name);
  out(`Stopped local endpoint ${name}.\n`);
}
