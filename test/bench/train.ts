// `npm run bench:train`: training speed and the time to a servable model, for `tfod train` (the
// local target, the production image) side by side with the Object Detection API's own scripts
// run by hand in the same image on the same data (model_main_tf2.py, then exporter_main_v2.py), in
// the same run. Needs the Docker engine and the stand-in base the training layer builds
// (`test/harness/setup.sh training`). Prints figures; it asserts nothing.
//   BENCH_STEPS (default 100): training steps of both runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewritePipelineConfig } from '../../src/core/training/pipelineRewrite';
import { buildTrainingImage, removeWorkspace, tfod, waitForJob } from '../training/harness';

const STEPS = Number(process.env.BENCH_STEPS ?? 100);

interface Figures {
  readonly label: string;
  /** Seconds per step, after the first iteration (which includes tracing the graph). */
  readonly perStep: number[];
  readonly seconds: number;
}

/**
 * The loop's own "Step N per-step time Xs" lines, once each (the API logs them twice), without the
 * first, which includes tracing the graph, unless it is the only one (model_main_tf2.py logs
 * every 100 steps).
 */
function stepTimes(log: string): number[] {
  const seen = new Map<number, number>();
  for (const match of log.matchAll(/\] Step (\d+) per-step time ([0-9.]+)s/g))
    seen.set(Number(match[1]), Number(match[2]));
  const times = [...seen.values()];
  return times.length > 1 ? times.slice(1) : times;
}

function row(f: Figures): string {
  const mean = f.perStep.reduce((a, b) => a + b, 0) / Math.max(1, f.perStep.length);
  return [
    f.label.padEnd(44),
    (f.perStep.length ? (1 / mean).toFixed(2) : 'n/a').padStart(10),
    f.seconds.toFixed(0).padStart(12),
  ].join(' ');
}

async function main(): Promise<void> {
  const image = await buildTrainingImage(() => undefined);
  const workspace = mkdtempSync(join(tmpdir(), 'tfod-bench-train-'));
  try {
    const sample = tfod(workspace, 'sample', 'sample');
    if (sample.code !== 0) throw new Error(sample.stderr);

    // tfod train, as users run it: from `tfod train` to a Completed job with model.tar.gz.
    let started = performance.now();
    const run = tfod(
      workspace,
      'train',
      '--name',
      'bench',
      '--image',
      image,
      '--training',
      'sample',
      '--num-steps',
      String(STEPS),
    );
    if (run.code !== 0) throw new Error(run.stderr);
    const status = await waitForJob(workspace, 'bench', 3_600_000);
    const ours: Figures = {
      label: `tfod train (${STEPS} steps, evaluation, export, TF.js)`,
      perStep: stepTimes(tfod(workspace, 'logs', 'bench').stdout),
      seconds: (performance.now() - started) / 1000,
    };
    if (status.status !== 'Completed') throw new Error(`the job ended ${status.status}`);

    // The reference: the API's scripts by hand on the same config, paths rewritten the same way.
    const config = rewritePipelineConfig(
      readFileSync(join(workspace, 'sample', 'pipeline.config'), 'utf8'),
      {
        fineTuneCheckpoint: null,
        labelMapPath: '/data/label_map.pbtxt',
        trainInputPaths: ['/data/train.record-?????-of-00002'],
        evalInputPaths: ['/data/validation.record'],
        numSteps: STEPS,
      },
    );
    writeFileSync(join(workspace, 'sample', 'bench.config'), config.text);
    started = performance.now();
    const script = [
      `python3 -m object_detection.model_main_tf2 --pipeline_config_path=/data/bench.config --model_dir=/tmp/m --num_train_steps=${STEPS} --alsologtostderr`,
      'echo "TRAIN_EXIT=$?"',
      'python3 -m object_detection.exporter_main_v2 --input_type=image_tensor --pipeline_config_path=/data/bench.config --trained_checkpoint_dir=/tmp/m --output_directory=/tmp/out',
      'echo "EXPORT_EXIT=$?"',
    ].join('\n');
    const reference = spawnSync(
      'docker',
      ['run', '--rm', '-v', `${join(workspace, 'sample')}:/data`, image, 'bash', '-c', script],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    const output = `${reference.stdout}\n${reference.stderr}`;
    const exported = /EXPORT_EXIT=0/.test(output);
    const theirs: Figures = {
      label: `model_main_tf2.py + exporter (${Math.ceil(STEPS / 100) * 100} steps)`,
      perStep: stepTimes(output),
      seconds: (performance.now() - started) / 1000,
    };
    if (!/TRAIN_EXIT=0/.test(output)) throw new Error(output.slice(-2000));

    console.log(`training speed and time to a servable model, ${STEPS} steps, this machine`);
    console.log(`${'run'.padEnd(44)} ${'steps/s'.padStart(10)} ${'servable (s)'.padStart(12)}`);
    console.log(row(ours));
    console.log(exported ? row(theirs) : `${row(theirs).slice(0, 56)} export FAILED`);
    if (!exported)
      console.log(
        `  the exporter refused its newest checkpoint: ${/AssertionError: [^\n[]*/.exec(output)?.[0] ?? 'see its output'} (model_main_tf2.py saved step 0 only, before the model had variables)`,
      );
    console.log(
      'model_main_tf2.py rounds num_steps up to a multiple of 100, does not evaluate here, and its export is the newest checkpoint (step 0 below 1,000 steps)',
    );
  } finally {
    removeWorkspace(image, workspace);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:train: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
