import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A SageMaker-identical /opt/ml tree for a training job, built from the sample project, and ways
// to run the real `train` entrypoint (container/dist/train.js) against it with the stand-in for
// the Object Detection API's Python scripts.

export const root = join(__dirname, '..', '..', '..');
export const trainJs = join(root, 'container', 'dist', 'train.js');
export const standin = join(__dirname, 'standin', 'standin.js');
const sample = join(root, 'test', 'fixtures', 'sample-project');

export interface JobOptions {
  readonly hyperparameters?: Record<string, string>;
  readonly tfMajor?: 1 | 2;
  readonly channels?: Record<string, { TrainingInputMode: string }>;
  /** Training channel files (relative path -> content); defaults to the sample project's layout. */
  readonly training?: Record<string, string> | undefined;
  readonly checkpoint?: 'tf1' | 'tf2' | 'none';
}

export interface Job {
  readonly optMl: string;
  readonly calls: string;
  readonly bin: string;
}

export function defaultTrainingFiles(): Record<string, string> {
  return {
    'pipeline.config': readFileSync(join(sample, 'pipeline.config'), 'utf8'),
    'label_map.pbtxt': readFileSync(join(sample, 'label_map.pbtxt'), 'utf8'),
    'train.record-00000-of-00002': 'records',
    'train.record-00001-of-00002': 'records',
    'validation.record': 'records',
  };
}

export function makeJob(options: JobOptions = {}): Job {
  const base = mkdtempSync(join(tmpdir(), 'tfod-job-'));
  const optMl = join(base, 'opt', 'ml');
  const config = join(optMl, 'input', 'config');
  mkdirSync(config, { recursive: true });
  const checkpointKind = options.checkpoint ?? (options.tfMajor === 1 ? 'tf1' : 'tf2');
  const channels = options.channels ?? {
    training: { TrainingInputMode: 'File' },
    ...(checkpointKind === 'none' ? {} : { checkpoint: { TrainingInputMode: 'File' } }),
  };
  writeFileSync(
    join(config, 'hyperparameters.json'),
    JSON.stringify(options.hyperparameters ?? {}),
  );
  writeFileSync(
    join(config, 'inputdataconfig.json'),
    JSON.stringify(
      Object.fromEntries(
        Object.entries(channels).map(([name, c]) => [
          name,
          { ...c, S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
        ]),
      ),
    ),
  );
  writeFileSync(
    join(config, 'resourceconfig.json'),
    JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' }),
  );
  if (options.training !== undefined || channels.training) {
    for (const [file, content] of Object.entries(options.training ?? defaultTrainingFiles())) {
      const path = join(optMl, 'input', 'data', 'training', file);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
    }
  }
  if (checkpointKind !== 'none') {
    const prefix = checkpointKind === 'tf1' ? 'model.ckpt' : join('checkpoint', 'ckpt-0');
    const dir = join(optMl, 'input', 'data', 'checkpoint', 'ssd_mobilenet_v2');
    mkdirSync(join(dir, prefix, '..'), { recursive: true });
    writeFileSync(join(dir, `${prefix}.index`), 'index');
    writeFileSync(join(dir, `${prefix}.data-00000-of-00001`), 'data');
    writeFileSync(join(dir, 'pipeline.config'), 'model {}\n');
  }
  // `python3` and `tflite_convert` on PATH are the stand-in.
  const bin = join(base, 'bin');
  mkdirSync(bin);
  for (const name of ['python3', 'tflite_convert']) symlinkSync(standin, join(bin, name));
  chmodSync(standin, 0o755);
  return { optMl, calls: join(base, 'calls.jsonl'), bin };
}

export interface TrainResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function trainEnv(
  job: Job,
  tfMajor: 1 | 2 = 2,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: `${job.bin}:${process.env.PATH ?? ''}`,
    TFOD_OPT_ML: job.optMl,
    TFOD_TF_MAJOR: String(tfMajor),
    TFOD_OD_API_DIR: '/opt/models/research',
    TFOD_PYTHON: 'python3',
    TFOD_TFLITE_CONVERTER: '/opt/tfod/convert_tflite.py',
    TFOD_STANDIN_CALLS: job.calls,
    ...extra,
  };
}

/** Runs `train`; `onStdout` sees output as it arrives (to send SIGTERM at the right moment). */
export function runTrain(
  env: NodeJS.ProcessEnv,
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<TrainResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [trainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function readCalls(job: Job): Array<{ script: string; flags: Record<string, string> }> {
  if (!existsSync(job.calls)) return [];
  return readFileSync(job.calls, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { script: string; flags: Record<string, string> });
}

export function failureOf(job: Job): string | undefined {
  const file = join(job.optMl, 'output', 'failure');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

export const serveJs = join(root, 'container', 'dist', 'serve.js');

/**
 * A build context for the test image FROM scratch (Docker Hub is out of reach): this host's node
 * and its libraries, the bundled `train` and `serve` entrypoints with the tfjs wasm binaries, and
 * the stand-in for the TF scripts as `python3` and `tflite_convert`. `docker run <image> train` and
 * `docker run <image> serve` behave as in the production image, minus TensorFlow.
 */
export function testImageContext(): string {
  const context = mkdtempSync(join(tmpdir(), 'tfod-test-image-'));
  const copy = (from: string, to: string) => {
    mkdirSync(join(context, to, '..'), { recursive: true });
    copyFileSync(from, join(context, to));
  };
  copy(process.execPath, 'rootfs/usr/bin/node');
  copy('/usr/bin/env', 'rootfs/usr/bin/env');
  for (const lib of sharedLibraries([process.execPath, '/usr/bin/env'])) copy(lib, `rootfs${lib}`);
  const dist = join(root, 'container', 'dist');
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))) {
    copy(join(dist, file), `rootfs/opt/tfod/dist/${file}`);
  }
  for (const name of ['python3', 'tflite_convert']) copy(standin, `rootfs/usr/local/bin/${name}`);
  for (const entry of ['train', 'serve']) {
    const launcher = join(context, 'rootfs', 'usr', 'local', 'bin', entry);
    writeFileSync(launcher, `#!/usr/bin/env node\nrequire('/opt/tfod/dist/${entry}.js');\n`);
    chmodSync(launcher, 0o755);
  }
  mkdirSync(join(context, 'rootfs', 'tmp'), { recursive: true });
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY rootfs/ /',
      'ENV PATH=/usr/local/bin:/usr/bin TFOD_TF_MAJOR=2 TFOD_OD_API_DIR=/opt/models/research TFOD_TFLITE_CONVERTER=/opt/tfod/convert_tflite.py',
      'LABEL org.tfod.test=image com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true',
      'WORKDIR /opt/ml',
      'EXPOSE 8080',
      '',
    ].join('\n'),
  );
  return context;
}

/** The shared libraries (and loader) a dynamically linked program needs, from ldd. */
function sharedLibraries(programs: string[]): string[] {
  const libs = new Set<string>();
  for (const program of programs) {
    for (const match of execFileSync('ldd', [program], { encoding: 'utf8' }).matchAll(
      /(\/[^\s]+) \(0x/g,
    )) {
      if (match[1]) libs.add(match[1]);
    }
  }
  return [...libs];
}
